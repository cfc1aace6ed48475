package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
	"github.com/tokenim/tokenim-auth/storage"
)

// The admin console's pages (provider/admin), by template file name.
const (
	pageAdminRecords = "admin_records"
	pageAdminUsers   = "admin_users"
	pageAdminUser    = "admin_user"
	pageAdminApps    = "admin_apps"
	pageAdminApp     = "admin_app"
	pageAdminScope   = "admin_scope"
	pageAdminConfirm = "admin_confirm"
)

// adminPartials holds the templates every console page shares: its
// navigation and its notice and error.
const adminPartials = "admin_partials.html"

// pageFiles are the files a page is parsed from: the layout, the page,
// and for a console page the console's partials.
func pageFiles(page string) []string {
	files := []string{layoutFile, page + ".html"}
	if slices.Contains(adminPageNames(), page) {
		files = append(files, adminPartials)
	}
	return files
}

func adminPageNames() []string {
	return append([]string{pageAdminRecords, pageAdminUsers, pageAdminUser, pageAdminApps, pageAdminApp, pageAdminScope, pageAdminConfirm},
		append(workspacePageNames(), pageAdminConnectors, pageAdminConnector, pageAdminWebhooks, pageAdminWebhook, pageAdminResources, pageAdminResource,
			pageAdminExchangePolicies, pageAdminExchangePolicy)...)
}

// recordTimeLayout is how the console shows a record's time: to the
// second, in UTC, in both languages.
const recordTimeLayout = "2006-01-02 15:04:05 UTC"

// adminBase is what every console page carries: the section its
// navigation marks as current, and a notice or an error.
type adminBase struct {
	// AdminStyleURL is the console's own style sheet, linked by each page.
	AdminStyleURL string
	Section       string
	NoticeText    string
	ErrorText     string
	// NavScoped: the viewer administers workspaces only, and the
	// navigation leaves out the platform's sections (users, apps).
	NavScoped bool
}

// adminStyleSheet is the console's style sheet, in static/.
const adminStyleSheet = "admin.css"

func (r *Renderer) adminBase(req *http.Request, loc Locale, section, notice, errKey string) adminBase {
	return adminBase{
		AdminStyleURL: "/static/" + adminStyleSheet + "?v=" + r.assets[adminStyleSheet].version,
		Section:       section,
		NoticeText:    r.message(req.Context(), loc, "notice", notice),
		ErrorText:     r.message(req.Context(), loc, "error", errKey),
	}
}

// RecordFilter is the records page's filter as typed: each field is the
// query parameter of the same name in lower case.
type RecordFilter struct {
	User    string // an email or a user ID
	App     string // a client ID
	Action  string
	Outcome string
	Scope   string
	From    string // YYYY-MM-DD or YYYY-MM-DDTHH:MM, UTC
	To      string
	// Workspace is a workspace's handle or ID.
	Workspace string
}

// AdminRecordsPage is the view of the authorization records
// (GET /admin/records): a filter form (GET), the records newest first,
// "Older" and "Newest" links, and export forms (POST
// /admin/records/export with csrf_token, format and the filter).
type AdminRecordsPage struct {
	UILocales string
	CSRFToken string
	Filter    RecordFilter
	// Actions are the actions offered in the filter's select.
	Actions []string
	Records []AdminRecord
	// OlderURL is the next page's address, empty on the last page;
	// NewestURL the first page's, empty on the first page.
	OlderURL  string
	NewestURL string
	// Error is a message key (a filter that cannot be read), or empty.
	Error string
	// Scoped: the viewer administers workspaces only; the records are
	// theirs, the filter's workspace one of WorkspaceChoices (handles).
	Scoped           bool
	WorkspaceChoices []string
}

// AdminRecord is one authorization record as the console shows it.
type AdminRecord struct {
	Time      time.Time
	ActorType string
	ActorID   string
	// ActorEmail and SubjectEmail name the users concerned, where known;
	// empty shows the ID.
	ActorEmail   string
	SubjectEmail string
	Action       string
	Outcome      string
	Reason       string
	Subject      string
	ClientID     string
	Scopes       []string
	IP           string
	UserAgent    string
	RequestID    string
}

type adminRecordsView struct {
	meta
	AdminRecordsPage
	adminBase
	// ActionChoices are Actions in words, for the filter's select.
	ActionChoices []adminChoice
	Rows          []adminRecordRow
}

// adminChoice is one option of a select: the value posted and the text
// shown.
type adminChoice struct{ Value, Text string }

type adminRecordRow struct {
	AdminRecord
	// ActionText is the action in words (actionText).
	ActionText    string
	Actor, User   string
	When, WhenISO string
	ActorURL      string
	SubjectURL    string
	AppURL        string
	ScopeText     string
}

// AdminRecords renders the records page.
func (r *Renderer) AdminRecords(w http.ResponseWriter, req *http.Request, status int, p AdminRecordsPage) error {
	loc := r.Locale(req, p.UILocales)
	v := adminRecordsView{meta: r.meta(loc), AdminRecordsPage: p,
		adminBase: r.adminBase(req, loc, "records", "", p.Error)}
	v.adminBase.NavScoped = p.Scoped
	for _, a := range p.Actions {
		v.ActionChoices = append(v.ActionChoices, adminChoice{Value: a, Text: r.actionText(loc, a)})
	}
	for _, rec := range p.Records {
		row := adminRecordRow{AdminRecord: rec, ActionText: r.actionText(loc, rec.Action), ScopeText: strings.Join(rec.Scopes, " "),
			Actor: cmp.Or(rec.ActorEmail, rec.ActorID), User: cmp.Or(rec.SubjectEmail, rec.Subject)}
		if !rec.Time.IsZero() {
			row.When, row.WhenISO = rec.Time.UTC().Format(recordTimeLayout), rec.Time.UTC().Format(time.RFC3339Nano)
		}
		switch {
		case p.Scoped:
			// The pages of users and apps are the platform's.
		case rec.ActorType == "user" && rec.ActorID != "":
			row.ActorURL = consoleurl.User(rec.ActorID)
		case rec.ActorType == "client" && rec.ActorID != "":
			row.ActorURL = consoleurl.App(rec.ActorID)
		}
		if rec.Subject != "" && !p.Scoped {
			row.SubjectURL = consoleurl.User(rec.Subject)
		}
		if rec.ClientID != "" && !p.Scoped {
			row.AppURL = consoleurl.App(rec.ClientID)
		}
		v.Rows = append(v.Rows, row)
	}
	return r.render(w, req, status, pageAdminRecords, loc, v)
}

// actionText is a record's action in words in loc: its text in the
// catalogue ("admin.action." and the action), else the action as
// recorded, for an action this version does not know.
func (r *Renderer) actionText(loc Locale, action string) string {
	if s, ok := r.msgs.Lookup(loc, actionKey(action)); ok {
		return s
	}
	return action
}

// actionKey is the message key naming a record's action.
func actionKey(action string) string { return "admin.action." + action }

// AdminUsersPage is the view of the user search (GET /admin/users?q=):
// users whose email starts with Query, or whose ID is Query.
type AdminUsersPage struct {
	UILocales string
	Query     string
	Users     []AdminUser
	// NextURL is the next page of results, empty on the last.
	NextURL string
	Error   string
}

// AdminUser is a user as the console shows it: never a hash or a secret.
type AdminUser struct {
	ID        string
	Email     string
	Name      string
	Role      string
	Status    string
	MFA       bool
	CreatedAt time.Time
}

type adminUsersView struct {
	meta
	AdminUsersPage
	adminBase
	Searched bool
	Rows     []adminUserRow
}

type adminUserRow struct {
	AdminUser
	URL string
}

// AdminUsers renders the user search page.
func (r *Renderer) AdminUsers(w http.ResponseWriter, req *http.Request, status int, p AdminUsersPage) error {
	loc := r.Locale(req, p.UILocales)
	v := adminUsersView{meta: r.meta(loc), AdminUsersPage: p, Searched: p.Query != "",
		adminBase: r.adminBase(req, loc, "users", "", p.Error)}
	for _, u := range p.Users {
		v.Rows = append(v.Rows, adminUserRow{u, consoleurl.User(u.ID)})
	}
	return r.render(w, req, status, pageAdminUsers, loc, v)
}

// AdminGrant is a user's grant to an app.
type AdminGrant struct {
	UserID     string
	UserEmail  string // empty shows UserID
	ClientID   string
	AppName    string // empty shows ClientID
	Scopes     []string
	GrantedAt  time.Time
	ExpiresAt  time.Time // zero: never
	LastUsedAt time.Time // zero: never, or not known
}

type adminGrantRow struct {
	AdminGrant
	User, App              string
	UserURL, AppURL        string
	RecordsURL             string
	RevokeURL              string
	Scopes                 []adminScopeLink
	Granted, GrantedISO    string
	Expires, ExpiresISO    string
	LastUsed, LastUsedISO  string
	HasExpiry, HasBeenUsed bool
}

type adminScopeLink struct {
	Scope string
	URL   string
}

func scopeLinks(scopes []string) []adminScopeLink {
	out := make([]adminScopeLink, 0, len(scopes))
	for _, s := range scopes {
		out = append(out, adminScopeLink{s, consoleurl.Scope(s)})
	}
	return out
}

// grantRows describes grants; from names the page their revocation
// returns to ("app", or "" for the user's).
func grantRows(grants []AdminGrant, from string) []adminGrantRow {
	var rows []adminGrantRow
	for _, g := range grants {
		row := adminGrantRow{
			AdminGrant: g, User: cmp.Or(g.UserEmail, g.UserID), App: cmp.Or(g.AppName, g.ClientID),
			UserURL: consoleurl.User(g.UserID), AppURL: consoleurl.App(g.ClientID), Scopes: scopeLinks(g.Scopes),
			RecordsURL: consoleurl.Records(url.Values{"user": {g.UserID}, "app": {g.ClientID}}),
			RevokeURL:  "/admin/grants/" + url.PathEscape(g.UserID) + "/" + url.PathEscape(g.ClientID) + "/revoke",
		}
		if from != "" {
			row.RevokeURL += "?from=" + url.QueryEscape(from)
		}
		row.Granted, row.GrantedISO = formatTime(g.GrantedAt)
		row.Expires, row.ExpiresISO = formatTime(g.ExpiresAt)
		row.LastUsed, row.LastUsedISO = formatTime(g.LastUsedAt)
		row.HasExpiry, row.HasBeenUsed = !g.ExpiresAt.IsZero(), !g.LastUsedAt.IsZero()
		rows = append(rows, row)
	}
	return rows
}

// AdminUserPage is the view of one user (GET /admin/users/{id}): who they
// are, what they may do, the apps they authorised, and the changes an
// administrator can make, each through a confirmation page.
type AdminUserPage struct {
	UILocales string
	User      AdminUser
	// Roles are the roles the user can be given.
	Roles  []string
	Grants []AdminGrant
	// Passkeys are the user's passkeys, oldest first, each with a link to
	// the confirmation of its removal.
	Passkeys []AdminPasskey
	// Identities are the upstream identities linked to the user, by
	// connector, each with a link to the confirmation of its removal.
	Identities []AdminIdentity
	// MFARequired says the user's role requires a second factor.
	MFARequired bool
	Notice      string
	Error       string
}

// AdminPasskey is a user's passkey as the console shows it: never its
// public key.
type AdminPasskey struct {
	// ID is its credential ID in base64url, as its addresses carry it;
	// Ref the short reference its authorization records carry.
	ID   string
	Ref  string
	Name string
	// Synced: the authenticator may copy it to the user's other devices
	// (backup eligible); else it stays on one device.
	Synced bool
	// UserVerified: the authenticator verified its user (a PIN, a
	// fingerprint) when it was last used.
	UserVerified bool
	CreatedAt    time.Time
	LastUsedAt   time.Time // zero: never
}

type adminUserView struct {
	meta
	AdminUserPage
	adminBase
	URL                 string
	RecordsURL          string
	Created, CreatedISO string
	GrantRows           []adminGrantRow
	PasskeyRows         []adminPasskeyRow
	IdentityRows        []adminIdentityRow
}

type adminPasskeyRow struct {
	AdminPasskey
	Added, AddedISO       string
	LastUsed, LastUsedISO string
	RemoveURL             string
}

// passkeyRows describes the passkeys of the user whose page is at
// userURL.
func passkeyRows(userURL string, passkeys []AdminPasskey) []adminPasskeyRow {
	var rows []adminPasskeyRow
	for _, p := range passkeys {
		row := adminPasskeyRow{AdminPasskey: p, RemoveURL: userURL + "/passkeys/" + url.PathEscape(p.ID) + "/remove"}
		row.Added, row.AddedISO = formatTime(p.CreatedAt)
		row.LastUsed, row.LastUsedISO = formatTime(p.LastUsedAt)
		rows = append(rows, row)
	}
	return rows
}

// AdminUser renders a user's page.
func (r *Renderer) AdminUser(w http.ResponseWriter, req *http.Request, status int, p AdminUserPage) error {
	loc := r.Locale(req, p.UILocales)
	v := adminUserView{meta: r.meta(loc), AdminUserPage: p, adminBase: r.adminBase(req, loc, "users", p.Notice, p.Error),
		URL: consoleurl.User(p.User.ID), RecordsURL: consoleurl.Records(url.Values{"user": {p.User.ID}}), GrantRows: grantRows(p.Grants, "")}
	v.PasskeyRows = passkeyRows(v.URL, p.Passkeys)
	v.IdentityRows = identityRows(v.URL, p.Identities)
	v.Created, v.CreatedISO = formatTime(p.User.CreatedAt)
	return r.render(w, req, status, pageAdminUser, loc, v)
}

// AdminAppsPage is the view of every app (GET /admin/apps), with a form
// looking up the grants of a scope.
type AdminAppsPage struct {
	UILocales string
	Apps      []AdminApp
	// Scopes is the scope catalogue, offered by the scope lookup.
	Scopes []string
	// Registration: dynamic client registration is on, and the page shows
	// its initial access tokens (RegistrationTokens) with the form
	// issuing one; NewRegistrationToken is one just issued, shown this
	// once.
	Registration         bool
	RegistrationTokens   []AdminRegistrationToken
	NewRegistrationToken string
	Notice               string
	Error                string
}

// AdminApp is an app as the console shows it.
type AdminApp struct {
	ClientID        string
	Name            string
	Type            string
	OwnerID         string
	GrantTypes      []string
	Scopes          []string
	RequestedScopes []string
	// Disabled: the app cannot authenticate or get tokens.
	Disabled  bool
	CreatedAt time.Time
	// AccessTokenFormat is "opaque" or "jwt" (RFC 9068).
	AccessTokenFormat string
	// RequirePAR: the app must push its authorization requests (RFC 9126).
	RequirePAR bool
	// DPoPBoundAccessTokens: every token request of the app must carry a
	// DPoP proof (RFC 9449 section 5.2).
	DPoPBoundAccessTokens bool
	// AuthorizationCode: the app uses the authorization code grant, so
	// requiring pushed authorization requests applies to it; the box is
	// shown only then.
	AuthorizationCode bool
	// AllowedOrigins are the web origins a browser may call the provider
	// from for the app (CORS).
	AllowedOrigins []string
	// RefreshReuseWindow is the app's own refresh token reuse window,
	// like "10s"; empty when it takes the provider's.
	RefreshReuseWindow string
	// SelfRegistered: the app registered itself (RFC 7591).
	SelfRegistered bool
	// JWKSURI is where the app publishes its keys (private_key_jwt, and
	// the key its introspection answers are encrypted to).
	JWKSURI string
	// IntrospectionAlg signs the app's signed introspection answers (RFC
	// 9701); IntrospectionEncAlg and IntrospectionEnc encrypt them, empty
	// when they are not encrypted.
	IntrospectionAlg, IntrospectionEncAlg, IntrospectionEnc string
}

type adminAppsView struct {
	meta
	AdminAppsPage
	adminBase
	Rows      []adminAppRow
	TokenRows []adminRegistrationTokenRow
	// Lives are the lifetimes offered a new initial access token.
	Lives []string
}

type adminAppRow struct {
	AdminApp
	URL, Label string
	Pending    int
}

// AdminApps renders the list of apps.
func (r *Renderer) AdminApps(w http.ResponseWriter, req *http.Request, status int, p AdminAppsPage) error {
	loc := r.Locale(req, p.UILocales)
	v := adminAppsView{meta: r.meta(loc), AdminAppsPage: p,
		adminBase: r.adminBase(req, loc, "apps", p.Notice, p.Error),
		TokenRows: registrationTokenRows(p.RegistrationTokens), Lives: RegistrationTokenLives()}
	for _, a := range p.Apps {
		v.Rows = append(v.Rows, adminAppRow{AdminApp: a, URL: consoleurl.App(a.ClientID), Label: cmp.Or(a.Name, a.ClientID), Pending: len(a.RequestedScopes)})
	}
	return r.render(w, req, status, pageAdminApps, loc, v)
}

// AdminAppPage is the view of one app (GET /admin/apps/{id}): its
// scopes (with a form approving requested ones), its token settings (with
// a form changing them: GET {URL}/options with access_token_format and
// require_par, to a confirmation), its secrets' state, and every user who
// granted it.
type AdminAppPage struct {
	UILocales string
	App       AdminApp
	// Offered are the scopes the app may be given: the boxes of the scope
	// form, ticked for the scopes it has and those it requested.
	Offered []string
	Secrets []SecretRow
	Grants  []AdminGrant
	// NewSecret is a secret just created, shown this once; NewSecretExpires
	// is when it expires (zero: never).
	NewSecret        string
	NewSecretExpires time.Time
	Notice           string
	Error            string
}

type adminAppView struct {
	meta
	AdminAppPage
	adminBase
	URL, Label          string
	RecordsURL          string
	OwnerURL            string
	Created, CreatedISO string
	Expires, ExpiresISO string
	ScopeChoices        []adminScopeChoice
	SecretRows          []adminSecretRow
	GrantRows           []adminGrantRow
	HasSecrets          bool
	// OriginsText is the allowed origins, one per line, for the options
	// form.
	OriginsText string
	// SigningAlgs, EncryptionAlgs and EncryptionEncs are the choices of
	// the introspection answers' algorithms.
	SigningAlgs, EncryptionAlgs, EncryptionEncs []string
}

type adminScopeChoice struct {
	ID, Scope        string
	Checked, Pending bool
}

type adminSecretRow struct {
	SecretRow
	Created, CreatedISO   string
	Expires, ExpiresISO   string
	LastUsed, LastUsedISO string
	RevokeURL             string
}

// AdminApp renders an app's page.
func (r *Renderer) AdminApp(w http.ResponseWriter, req *http.Request, status int, p AdminAppPage) error {
	loc := r.Locale(req, p.UILocales)
	v := adminAppView{meta: r.meta(loc), AdminAppPage: p, adminBase: r.adminBase(req, loc, "apps", p.Notice, p.Error),
		URL: consoleurl.App(p.App.ClientID), Label: cmp.Or(p.App.Name, p.App.ClientID),
		RecordsURL: consoleurl.Records(url.Values{"app": {p.App.ClientID}}), GrantRows: grantRows(p.Grants, "app"),
		HasSecrets: p.App.Type != "public", OriginsText: strings.Join(p.App.AllowedOrigins, "\n"),
		SigningAlgs: storage.IDTokenAlgs(), EncryptionAlgs: storage.IntrospectionEncryptionAlgs(), EncryptionEncs: storage.IntrospectionEncryptionEncs()}
	v.Created, v.CreatedISO = formatTime(p.App.CreatedAt)
	v.Expires, v.ExpiresISO = formatTime(p.NewSecretExpires)
	if p.App.OwnerID != "" {
		v.OwnerURL = consoleurl.User(p.App.OwnerID)
	}
	for i, s := range p.Offered {
		// A requested scope is ticked: reviewing the form as it comes
		// approves what the developer asked for.
		pending := slices.Contains(p.App.RequestedScopes, s)
		v.ScopeChoices = append(v.ScopeChoices, adminScopeChoice{ID: "scope-" + strconv.Itoa(i), Scope: s,
			Checked: pending || slices.Contains(p.App.Scopes, s), Pending: pending})
	}
	for _, s := range p.Secrets {
		r.checkSecretState(req, s)
		row := adminSecretRow{SecretRow: s, RevokeURL: v.URL + "/secrets/" + url.PathEscape(s.ID) + "/revoke"}
		row.Created, row.CreatedISO = formatTime(s.CreatedAt)
		row.Expires, row.ExpiresISO = formatTime(s.ExpiresAt)
		row.LastUsed, row.LastUsedISO = formatTime(s.LastUsedAt)
		v.SecretRows = append(v.SecretRows, row)
	}
	return r.render(w, req, status, pageAdminApp, loc, v)
}

func (r *Renderer) checkSecretState(req *http.Request, s SecretRow) {
	switch s.State {
	case SecretLive, SecretExpiring, SecretExpired:
	default:
		r.logger.WarnContext(req.Context(), "unknown secret state", "secret_id", s.ID, "state", s.State)
	}
}

// AdminScopePage is the view of every live grant holding a scope
// (GET /admin/scopes?scope=), a page at a time.
type AdminScopePage struct {
	UILocales string
	Scope     string
	Grants    []AdminGrant
	// NextURL is the next page, empty on the last.
	NextURL string
}

type adminScopeView struct {
	meta
	AdminScopePage
	adminBase
	GrantRows  []adminGrantRow
	RecordsURL string
}

// AdminScope renders the grants holding a scope.
func (r *Renderer) AdminScope(w http.ResponseWriter, req *http.Request, status int, p AdminScopePage) error {
	loc := r.Locale(req, p.UILocales)
	v := adminScopeView{meta: r.meta(loc), AdminScopePage: p, adminBase: r.adminBase(req, loc, "apps", "", ""),
		GrantRows: grantRows(p.Grants, ""), RecordsURL: consoleurl.Records(url.Values{"scope": {p.Scope}})}
	return r.render(w, req, status, pageAdminScope, loc, v)
}

// AdminConfirmPage is the view of the step confirming a change: what will
// happen, and a form posting csrf_token and Fields to Action.
type AdminConfirmPage struct {
	UILocales string
	CSRFToken string
	// Heading and Text are message keys; Heading takes Target.
	Heading string
	Text    string
	Target  string
	// Items are listed under the text (the scopes to be set, ...).
	Items  []string
	Action string
	Fields []Field
	// Submit is the button's message key.
	Submit string
	// Danger marks a change that cannot be undone.
	Danger    bool
	CancelURL string
	// Nav is the console section the page belongs to: "users", "apps".
	Nav string
	// Scoped: the viewer administers workspaces only.
	Scoped bool
}

// Field is a hidden form field.
type Field struct {
	Name, Value string
}

type adminConfirmView struct {
	meta
	AdminConfirmPage
	adminBase
	HeadingText string
	BodyText    string
	SubmitText  string
}

// AdminConfirm renders a confirmation step.
func (r *Renderer) AdminConfirm(w http.ResponseWriter, req *http.Request, status int, p AdminConfirmPage) error {
	loc := r.Locale(req, p.UILocales)
	ctx := req.Context()
	v := adminConfirmView{meta: r.meta(loc), AdminConfirmPage: p, adminBase: r.adminBase(req, loc, p.Nav, "", ""),
		HeadingText: r.message(ctx, loc, "heading", p.Heading, arg(p.Target)...),
		BodyText:    r.message(ctx, loc, "text", p.Text),
		SubmitText:  r.message(ctx, loc, "submit", p.Submit)}
	v.adminBase.NavScoped = p.Scoped
	return r.render(w, req, status, pageAdminConfirm, loc, v)
}

// adminSamples are the console pages' sample views, rendered at start-up.
func adminSamples(page string, m meta) []any {
	const s = "sample"
	base := adminBase{Section: s, NoticeText: s, ErrorText: s}
	grants := grantRows([]AdminGrant{{UserID: s, ClientID: s, Scopes: []string{s}, ExpiresAt: time.Unix(1, 0), LastUsedAt: time.Unix(1, 0)}, {}}, s)
	switch page {
	case pageAdminRecords:
		return []any{adminRecordsView{meta: m}, adminRecordsView{meta: m, adminBase: base,
			AdminRecordsPage: AdminRecordsPage{CSRFToken: s, Filter: RecordFilter{s, s, s, s, s, s, s, s}, Actions: []string{s}, OlderURL: s, NewestURL: s, WorkspaceChoices: []string{s}},
			ActionChoices:    []adminChoice{{s, s}},
			Rows:             []adminRecordRow{{AdminRecord: AdminRecord{Outcome: "failure", ActorType: s, Reason: s}, ActionText: s, ActorURL: s, SubjectURL: s, AppURL: s, When: s}, {}}}}
	case pageAdminUsers:
		return []any{adminUsersView{meta: m}, adminUsersView{meta: m, adminBase: base, Searched: true,
			AdminUsersPage: AdminUsersPage{Query: s, NextURL: s}, Rows: []adminUserRow{{AdminUser{ID: s, MFA: true, Status: "disabled"}, s}, {}}}}
	case pageAdminUser:
		return []any{adminUserView{meta: m}, adminUserView{meta: m, adminBase: base, GrantRows: grants,
			AdminUserPage: AdminUserPage{User: AdminUser{ID: s, MFA: true, Status: "disabled"}, Roles: []string{s}, MFARequired: true},
			PasskeyRows:   passkeyRows(s, []AdminPasskey{{ID: s, Ref: s, Name: s, Synced: true, UserVerified: true, CreatedAt: time.Unix(1, 0), LastUsedAt: time.Unix(1, 0)}, {}}),
			IdentityRows:  identityRows(s, []AdminIdentity{{ConnectorID: s, ConnectorName: s, Subject: s, Email: s, LinkedAt: time.Unix(1, 0), LastUsedAt: time.Unix(1, 0)}, {}})},
			adminUserView{meta: m, AdminUserPage: AdminUserPage{User: AdminUser{Status: "pending"}}}}
	case pageAdminApps:
		return []any{adminAppsView{meta: m}, adminAppsView{meta: m, adminBase: base, Rows: []adminAppRow{{URL: s, Label: s, Pending: 1, AdminApp: AdminApp{Disabled: true, SelfRegistered: true}}},
			AdminAppsPage: AdminAppsPage{Scopes: []string{s}, Registration: true, NewRegistrationToken: s}, Lives: []string{s},
			TokenRows: []adminRegistrationTokenRow{{AdminRegistrationToken: AdminRegistrationToken{Usable: true}, Expires: s}, {Revoked: s}, {}}}}
	case pageAdminApp:
		return []any{adminAppView{meta: m}, adminAppView{meta: m, adminBase: base, GrantRows: grants, HasSecrets: true,
			SigningAlgs: []string{"ES256"}, EncryptionAlgs: []string{"ECDH-ES"}, EncryptionEncs: []string{"A128GCM"},
			AdminAppPage: AdminAppPage{NewSecret: s, App: AdminApp{Disabled: true, SelfRegistered: true, Scopes: []string{s}, RequestedScopes: []string{s}, GrantTypes: []string{s},
				AccessTokenFormat: "jwt", RequirePAR: true, DPoPBoundAccessTokens: true, AuthorizationCode: true,
				JWKSURI: s, IntrospectionAlg: "ES256", IntrospectionEncAlg: "ECDH-ES", IntrospectionEnc: "A128GCM"}},
			ScopeChoices: []adminScopeChoice{{ID: s, Scope: s, Checked: true, Pending: true}},
			SecretRows: []adminSecretRow{{SecretRow: SecretRow{State: SecretLive}}, {SecretRow: SecretRow{State: SecretExpiring}},
				{SecretRow: SecretRow{State: SecretExpired}}, {SecretRow: SecretRow{State: s}, Expires: s, LastUsed: s}}}}
	case pageAdminScope:
		return []any{adminScopeView{meta: m}, adminScopeView{meta: m, adminBase: base, GrantRows: grants, AdminScopePage: AdminScopePage{Scope: s, NextURL: s}}}
	case pageAdminConfirm:
		return []any{adminConfirmView{meta: m}, adminConfirmView{meta: m, adminBase: base,
			AdminConfirmPage: AdminConfirmPage{Items: []string{s}, Fields: []Field{{s, s}}, Danger: true}}}
	}
	if views := connectorSamples(page, m); views != nil {
		return views
	}
	if views := webhookSamples(page, m); views != nil {
		return views
	}
	if views := resourceSamples(page, m); views != nil {
		return views
	}
	if views := exchangeSamples(page, m); views != nil {
		return views
	}
	return workspaceSamples(page, m)
}
