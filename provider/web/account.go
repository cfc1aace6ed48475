package web

import (
	"cmp"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/mileusna/useragent"
)

// AccountPage is the view of the signed-in user's account page: profile,
// passkeys, two-step verification, password, connected apps and where the
// account is signed in. Every form on it posts csrf_token:
//
//	POST /account/passkeys/{ref}/rename name: the passkey's new name
//	POST /account/passkeys             name (the passkey being added, with the browser's script)
//	POST /account/mfa/enrol            (no fields) start setting up two-step verification
//	POST /account/mfa/confirm          code: the first code from the app
//	POST /account/mfa/disable          password, code
//	POST /account/password             current_password (unless NoCurrentPassword), new_password, confirm
//	POST /account/sessions/signout-all (no fields)
//	POST /account/links/{id}           (no fields) link the identity connector id vouches for
//	POST /account/links/{id}/remove    subject: the linked identity's subject at connector id
//
// Each passkey's "Remove" is a link to GET /account/passkeys/{ref}/remove,
// the confirmation page (PasskeyRemove).
type AccountPage struct {
	UILocales string
	CSRFToken string
	Email     string
	// Name is the display name; empty leaves it out.
	Name string
	// MFAEnabled shows two-step verification as on, with the form turning
	// it off. When it is off, Enrolment decides what the section shows.
	MFAEnabled bool
	// Enrolment, while two-step verification is being set up, shows its QR
	// code, its secret and the form confirming it; nil shows the button
	// that starts setting it up.
	Enrolment *Enrolment
	// RecoveryCodes are shown when set, once: right after two-step
	// verification is turned on, or a new set is made. Leave it nil on
	// every other render.
	RecoveryCodes []string
	// RecoveryLeft is how many recovery codes remain unused (two-step
	// verification on).
	RecoveryLeft int
	// Sessions lists where the account is signed in.
	Sessions []SessionView
	// Passkeys are the account's passkeys, oldest first.
	Passkeys []PasskeyView
	// NoCurrentPassword leaves the current password out of the form
	// changing the password: the browser signed in a moment ago with a
	// second factor, which stands in for it.
	NoCurrentPassword bool
	// Notice is a message key shown as a success status ("mfa.enrolled",
	// "mfa.disabled", "sessions.signed_out", "passkeys.added",
	// "links.added"), or empty.
	Notice string
	// Error is a message key ("mfa.invalid", "login.invalid_password",
	// ...), or empty; ErrorArg fills the one that takes an argument
	// ("login.throttled": the wait in seconds).
	Error    string
	ErrorArg string
	// Apps are the apps the user has authorised (connected apps).
	Apps []AppGrant
	// Developer adds a link to the developer portal (/apps), for users
	// whose role may register apps.
	Developer bool
	// PasskeysOn offers adding a passkey (through the passkey script);
	// when off, the section says passkeys are not available here.
	PasskeysOn bool
	// LinkingOn shows the sign-in providers section, offering a "Link"
	// button for each of Linkable; the section is shown too, without
	// them, when the account has Links.
	LinkingOn bool
	// Links are the upstream identities linked to the account, each with
	// an "Unlink" button.
	Links []LinkView
	// Linkable are the upstream identity providers the account may link:
	// those in use it has no link with, in the sign-in page's order.
	Linkable []UpstreamButton
}

// LinkView is an upstream identity linked to the account.
type LinkView struct {
	// Provider is the connector's ID and display names; with no name (a
	// connector no longer configured) the page shows its ID.
	Provider UpstreamButton
	// Subject is the identity's subject at the connector, posted by the
	// "Unlink" form; the page does not show it.
	Subject string
	// Email is the upstream's email when the link was made; empty for
	// none.
	Email string
	// CreatedAt is when it was linked; LastUsedAt when it last signed in,
	// zero when never.
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// Enrolment is a two-step verification secret being set up.
type Enrolment struct {
	// QRDataURI is the otpauth:// URI as a QR code PNG, in a
	// "data:image/png;base64,..." URI the handler builds. It is typed
	// template.URL because html/template would otherwise refuse a data:
	// URI; Account checks the prefix instead, and the page's CSP allows
	// images from data: only.
	QRDataURI template.URL
	// Secret is the base32 secret, shown in groups of four for typing
	// into an app that cannot scan.
	Secret string
}

// SessionView is one place the account is signed in.
type SessionView struct {
	// ID identifies the session to the form that signs it out; the page
	// does not show it.
	ID string
	// Device is the browser's User-Agent as recorded at sign-in; the page
	// shows it in words ("Chrome on macOS"), the User-Agent itself as the
	// row's title.
	Device     string
	IP         string
	SignedInAt time.Time
	// Current marks the session of the browser looking at the page.
	Current bool
}

// PasskeyView is one of the account's passkeys.
type PasskeyView struct {
	// Ref names the passkey in its addresses: its credential ID in
	// unpadded base64url (RFC 4648 section 5).
	Ref  string
	Name string
	// CreatedAt is when it was added; LastUsedAt when it last signed in,
	// zero when never.
	CreatedAt  time.Time
	LastUsedAt time.Time
	// Synced is a passkey the authenticator may back up and sync across
	// the user's devices (the BE flag); otherwise it stays on one device.
	Synced bool
}

// AppGrant is an app the user has authorised, for the connected-apps
// section: its revoke form posts csrf_token and client_id to POST
// /account/apps/revoke.
type AppGrant struct {
	ClientID  string
	Name      string
	Scopes    []string
	GrantedAt time.Time
	// LastUsedAt is when the app last got a token for the user; zero when
	// never.
	LastUsedAt time.Time
	// Conversations are the conversations and channels the app was
	// granted one by one (RFC 9396 authorization details); each has a
	// form posting client_id, type and location to
	// /account/apps/conversations/revoke.
	Conversations []ConversationGrant
}

// ConversationGrant is an app's remembered grant in one conversation.
type ConversationGrant struct {
	Type     string
	Location string
	Actions  []string
}

// conversationRow is a ConversationGrant with its lines in the page's
// language.
type conversationRow struct {
	ConversationGrant
	Lines []string
}

// qrPrefix is the only kind of URI the QR image may have.
const qrPrefix = "data:image/png;base64,"

// sessionTimeLayout is how the account page shows times, in UTC, in both
// languages.
const sessionTimeLayout = "2006-01-02 15:04 UTC"

type accountView struct {
	meta
	AccountPage
	NoticeText   string
	ErrorText    string
	SecretGroups string
	SessionRows  []sessionRow
	AppRows      []appRow
	PasskeyRows  []passkeyRow
	// LinkRows are the linked identities and LinkButtons the providers
	// that may be linked, in the page's language.
	LinkRows    []linkRow
	LinkButtons []linkButton
	// Script is the passkey script's URL.
	Script string
}

// linkRow is a linked identity as the sign-in providers section shows it.
type linkRow struct {
	ConnectorID string
	Label       string
	Subject     string
	Email       string
	RemoveURL   string
	timeCells
}

// linkButton is a provider the account may link, and where its form
// posts.
type linkButton struct {
	Label string
	URL   string
}

// LinkURL is the address linking the connector id, with action appended
// ("remove") when given.
func LinkURL(id, action string) string {
	u := "/account/links/" + url.PathEscape(id)
	if action != "" {
		u += "/" + action
	}
	return u
}

type passkeyRow struct {
	Ref       string
	Name      string
	Synced    bool
	RenameURL string
	RemoveURL string
	timeCells
}

// timeCells are when a passkey was added, or an identity linked, and when
// it last signed in, as the pages show them; LastUsed is empty when it
// never did.
type timeCells struct {
	Added       string
	AddedISO    string
	LastUsed    string
	LastUsedISO string
}

func passkeyTimes(added, lastUsed time.Time) timeCells {
	c := timeCells{Added: added.UTC().Format(sessionTimeLayout), AddedISO: added.UTC().Format(time.RFC3339)}
	if !lastUsed.IsZero() {
		c.LastUsed, c.LastUsedISO = lastUsed.UTC().Format(sessionTimeLayout), lastUsed.UTC().Format(time.RFC3339)
	}
	return c
}

// PasskeyURL is the address of an action on the passkey ref
// ("rename", "remove").
func PasskeyURL(ref, action string) string {
	return "/account/passkeys/" + ref + "/" + action
}

type appRow struct {
	ClientID    string
	Name        string
	Permissions []permission
	Granted     string
	GrantedISO  string
	LastUsed    string
	// Conversations are the per-conversation grants.
	Conversations []conversationRow
}

type sessionRow struct {
	ID     string
	Device string
	// Browser and OS are the device in words, read from its User-Agent
	// ("Firefox", "Linux"); either may be empty.
	Browser     string
	OS          string
	IP          string
	SignedIn    string
	SignedInISO string
	Current     bool
}

// Account renders the account page with the given status. An Enrolment
// whose QRDataURI is not a data:image/png;base64 URI is an error, with
// nothing written.
func (r *Renderer) Account(w http.ResponseWriter, req *http.Request, status int, p AccountPage) error {
	v := accountView{AccountPage: p, Script: r.scriptURL}
	if p.Enrolment != nil {
		if !strings.HasPrefix(string(p.Enrolment.QRDataURI), qrPrefix) {
			return fmt.Errorf("web: account page: the QR code is not a %s URI", qrPrefix)
		}
		v.SecretGroups = groupSecret(p.Enrolment.Secret)
	}
	loc := r.Locale(req, p.UILocales)
	v.meta = r.meta(loc)
	v.NoticeText = r.message(req.Context(), loc, "notice", p.Notice)
	v.ErrorText = r.message(req.Context(), loc, "error", p.Error, arg(p.ErrorArg)...)
	v.SessionRows = sessionRows(p.Sessions)
	for _, k := range p.Passkeys {
		v.PasskeyRows = append(v.PasskeyRows, passkeyRow{Ref: k.Ref, Name: k.Name, Synced: k.Synced,
			RenameURL: PasskeyURL(k.Ref, "rename"), RemoveURL: PasskeyURL(k.Ref, "remove"), timeCells: passkeyTimes(k.CreatedAt, k.LastUsedAt)})
	}
	v.LinkRows = linkRows(p.Links, loc)
	if p.LinkingOn {
		v.LinkButtons = linkButtons(p.Linkable, loc)
	}
	for _, a := range p.Apps {
		row := appRow{
			ClientID: a.ClientID, Name: cmp.Or(a.Name, a.ClientID), Permissions: r.permissions(req.Context(), loc, a.Scopes),
			Granted: a.GrantedAt.UTC().Format(sessionTimeLayout), GrantedISO: a.GrantedAt.UTC().Format(time.RFC3339),
		}
		if !a.LastUsedAt.IsZero() {
			row.LastUsed = a.LastUsedAt.UTC().Format(sessionTimeLayout)
		}
		for _, c := range a.Conversations {
			d := r.details(req.Context(), loc, []ConsentDetail{{Name: c.Location, Location: c.Location, Actions: c.Actions}})
			row.Conversations = append(row.Conversations, conversationRow{ConversationGrant: c, Lines: d[0].Lines})
		}
		v.AppRows = append(v.AppRows, row)
	}
	return r.render(w, req, status, pageAccount, loc, v)
}

// linkRows are the linked identities in the language loc: a provider
// with no name is named by its ID.
func linkRows(links []LinkView, loc Locale) []linkRow {
	rows := make([]linkRow, 0, len(links))
	for _, l := range links {
		rows = append(rows, linkRow{ConnectorID: l.Provider.ID, Label: cmp.Or(l.Provider.Label(loc), l.Provider.ID), Subject: l.Subject,
			Email: l.Email, RemoveURL: LinkURL(l.Provider.ID, "remove"), timeCells: passkeyTimes(l.CreatedAt, l.LastUsedAt)})
	}
	return rows
}

// linkButtons are the providers that may be linked, in the language loc.
func linkButtons(providers []UpstreamButton, loc Locale) []linkButton {
	buttons := make([]linkButton, 0, len(providers))
	for _, b := range providers {
		buttons = append(buttons, linkButton{Label: cmp.Or(b.Label(loc), b.ID), URL: LinkURL(b.ID, "")})
	}
	return buttons
}

func sessionRows(sessions []SessionView) []sessionRow {
	rows := make([]sessionRow, 0, len(sessions))
	for _, s := range sessions {
		at := s.SignedInAt.UTC()
		ua := useragent.Parse(s.Device)
		rows = append(rows, sessionRow{
			ID:          s.ID,
			Device:      s.Device,
			Browser:     ua.Name,
			OS:          ua.OS,
			IP:          s.IP,
			SignedIn:    at.Format(sessionTimeLayout),
			SignedInISO: at.Format(time.RFC3339),
			Current:     s.Current,
		})
	}
	return rows
}

// groupSecret writes a secret in groups of four characters ("JBSW Y3DP
// EHPK 3PXP"), which is easier to copy by eye; authenticator apps ignore
// the spaces.
func groupSecret(secret string) string {
	var b strings.Builder
	n := 0
	for _, c := range secret {
		if unicode.IsSpace(c) {
			continue
		}
		if n > 0 && n%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
		n++
	}
	return b.String()
}

// pageAccountConfirm is the account page's confirmation step.
const pageAccountConfirm = "account_confirm"

// PasskeyRemovePage is the view of the step confirming that a passkey is
// to be removed: which one, and what removing it means. Its form posts
// csrf_token to POST /account/passkeys/{ref}/remove; Cancel goes back to
// the account page.
type PasskeyRemovePage struct {
	UILocales string
	CSRFToken string
	Passkey   PasskeyView
	// Last marks the account's only passkey: the page says the account
	// keeps its password, and its two-step verification when MFAEnabled.
	Last       bool
	MFAEnabled bool
}

type passkeyRemoveView struct {
	meta
	PasskeyRemovePage
	Row passkeyRow
}

// PasskeyRemove renders the confirmation step of removing a passkey.
func (r *Renderer) PasskeyRemove(w http.ResponseWriter, req *http.Request, status int, p PasskeyRemovePage) error {
	loc := r.Locale(req, p.UILocales)
	k := p.Passkey
	v := passkeyRemoveView{meta: r.meta(loc), PasskeyRemovePage: p, Row: passkeyRow{Ref: k.Ref, Name: k.Name, Synced: k.Synced,
		RemoveURL: PasskeyURL(k.Ref, "remove"), timeCells: passkeyTimes(k.CreatedAt, k.LastUsedAt)}}
	return r.render(w, req, status, pageAccountConfirm, loc, v)
}

// accountConfirmSamples are the confirmation step's sample views,
// rendered at start-up.
func accountConfirmSamples(m meta) []any {
	const s = "sample"
	return []any{
		passkeyRemoveView{meta: m},
		passkeyRemoveView{meta: m, PasskeyRemovePage: PasskeyRemovePage{UILocales: s, CSRFToken: s, Passkey: PasskeyView{Ref: s, Name: s, Synced: true}, Last: true, MFAEnabled: true},
			Row: passkeyRow{Ref: s, Name: s, Synced: true, RemoveURL: s, timeCells: timeCells{s, s, s, s}}},
		passkeyRemoveView{meta: m, PasskeyRemovePage: PasskeyRemovePage{Last: true}},
	}
}
