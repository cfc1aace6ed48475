package web

import (
	"cmp"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
)

// The console's workspace pages (provider/admin).
const (
	pageAdminWorkspaces = "admin_workspaces"
	pageAdminWorkspace  = "admin_workspace"
)

// AdminWorkspace is a workspace as the console shows it.
type AdminWorkspace struct {
	ID        string
	Handle    string
	Name      string
	Policy    AdminPolicy
	CreatedAt time.Time
}

// AdminPolicy is a workspace's policy as the console shows and takes it.
type AdminPolicy struct {
	RequireMFA bool
	// Password and Passkey are the sign-in methods of those names;
	// Connectors the others ("connector:ID"), space-separated. None at all:
	// the provider's methods.
	Password, Passkey bool
	Connectors        string
	// SessionLifetime is a duration ("8h"), empty for the provider's.
	SessionLifetime string
	// Installs is who installs apps: "", "admins", "approved", "members".
	Installs string
}

// AdminWorkspacesPage is the view of the workspaces (GET
// /admin/workspaces): a keyset page of them and, for a platform
// administrator, the form creating one.
type AdminWorkspacesPage struct {
	UILocales  string
	Workspaces []AdminWorkspace
	// NextURL is the next page, empty on the last.
	NextURL string
	// MayCreate shows the creation form (platform administrators).
	MayCreate bool
	// Scoped: the viewer administers workspaces only, not the platform.
	Scoped bool
	Notice string
	Error  string
}

type adminWorkspacesView struct {
	meta
	AdminWorkspacesPage
	adminBase
	Rows []adminWorkspaceRow
}

type adminWorkspaceRow struct {
	AdminWorkspace
	URL                 string
	Created, CreatedISO string
}

// AdminWorkspaces renders the list of workspaces.
func (r *Renderer) AdminWorkspaces(w http.ResponseWriter, req *http.Request, status int, p AdminWorkspacesPage) error {
	loc := r.Locale(req, p.UILocales)
	v := adminWorkspacesView{meta: r.meta(loc), AdminWorkspacesPage: p, adminBase: r.adminBase(req, loc, "workspaces", p.Notice, p.Error)}
	v.adminBase.NavScoped = p.Scoped
	for _, ws := range p.Workspaces {
		row := adminWorkspaceRow{AdminWorkspace: ws, URL: consoleurl.Workspace(ws.ID)}
		row.Created, row.CreatedISO = formatTime(ws.CreatedAt)
		v.Rows = append(v.Rows, row)
	}
	return r.render(w, req, status, pageAdminWorkspaces, loc, v)
}

// AdminMember is a member of a workspace as the console shows it.
type AdminMember struct {
	UserID    string
	Email     string // empty shows UserID
	Role      string
	Suspended bool
	JoinedAt  time.Time
}

// AdminInvitation is a pending invitation as the console shows it: never
// its token.
type AdminInvitation struct {
	ID        string
	Email     string
	Role      string
	CreatedAt time.Time
	ExpiresAt time.Time
	Expired   bool
}

// AdminSCIMToken is a workspace's SCIM token as the console shows it: its
// prefix, never the token.
type AdminSCIMToken struct {
	ID         string
	Name       string
	Prefix     string
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never
	LastUsedAt time.Time // zero: never
	RevokedAt  time.Time // zero: live
}

// AdminWorkspacePage is the view of one workspace (GET
// /admin/workspaces/{id}): its settings and policy with the forms
// changing them, its members with their roles, its pending invitations
// with the form inviting by email, its SCIM tokens, and a link to its
// records. Each change goes through a confirmation page.
type AdminWorkspacePage struct {
	UILocales   string
	Workspace   AdminWorkspace
	Members     []AdminMember
	Invitations []AdminInvitation
	Tokens      []AdminSCIMToken
	// Roles are the workspace roles a member can be given or invited
	// with.
	Roles []string
	// NextMembersURL is the next page of members, empty on the last.
	NextMembersURL string
	// NewToken is a SCIM token just created, shown this once.
	NewToken string
	// NewLink is an invitation's link just made, shown this once;
	// Mailed says whether it was also mailed.
	NewLink string
	Mailed  bool
	// MayDelete shows the deletion (platform administrators).
	MayDelete bool
	Scoped    bool
	Notice    string
	Error     string
}

type adminWorkspaceView struct {
	meta
	AdminWorkspacePage
	adminBase
	URL                 string
	RecordsURL          string
	Created, CreatedISO string
	MemberRows          []adminMemberRow
	InvitationRows      []adminInvitationRow
	TokenRows           []adminTokenRow
	InstallChoices      []string
}

type adminMemberRow struct {
	AdminMember
	Label, FieldID        string
	Joined, JoinedISO     string
	RoleURL, RemoveURL    string
	RecordsURL, UserURL   string
	Roles                 []string
	CurrentRole, RoleLink string
}

type adminInvitationRow struct {
	AdminInvitation
	Sent, SentISO       string
	Expires, ExpiresISO string
	RevokeURL           string
}

type adminTokenRow struct {
	AdminSCIMToken
	Created, CreatedISO   string
	Expires, ExpiresISO   string
	LastUsed, LastUsedISO string
	Revoked, RevokedISO   string
	RevokeURL             string
}

// AdminWorkspace renders a workspace's page.
func (r *Renderer) AdminWorkspace(w http.ResponseWriter, req *http.Request, status int, p AdminWorkspacePage) error {
	loc := r.Locale(req, p.UILocales)
	v := adminWorkspaceView{meta: r.meta(loc), AdminWorkspacePage: p, adminBase: r.adminBase(req, loc, "workspaces", p.Notice, p.Error),
		URL: consoleurl.Workspace(p.Workspace.ID), RecordsURL: consoleurl.Records(url.Values{"workspace": {p.Workspace.Handle}}),
		InstallChoices: []string{"admins", "approved", "members"}}
	v.adminBase.NavScoped = p.Scoped
	v.Created, v.CreatedISO = formatTime(p.Workspace.CreatedAt)
	for i, m := range p.Members {
		row := adminMemberRow{AdminMember: m, Label: cmp.Or(m.Email, m.UserID), FieldID: "role-" + strconv.Itoa(i), Roles: p.Roles,
			RoleURL: v.URL + "/members/" + url.PathEscape(m.UserID) + "/role", RemoveURL: v.URL + "/members/" + url.PathEscape(m.UserID) + "/remove",
			RecordsURL: consoleurl.Records(url.Values{"workspace": {p.Workspace.Handle}, "user": {m.UserID}})}
		if !p.Scoped {
			row.UserURL = consoleurl.User(m.UserID)
		}
		row.Joined, row.JoinedISO = formatTime(m.JoinedAt)
		v.MemberRows = append(v.MemberRows, row)
	}
	for _, inv := range p.Invitations {
		row := adminInvitationRow{AdminInvitation: inv, RevokeURL: v.URL + "/invitations/" + url.PathEscape(inv.ID) + "/revoke"}
		row.Sent, row.SentISO = formatTime(inv.CreatedAt)
		row.Expires, row.ExpiresISO = formatTime(inv.ExpiresAt)
		v.InvitationRows = append(v.InvitationRows, row)
	}
	for _, t := range p.Tokens {
		row := adminTokenRow{AdminSCIMToken: t, RevokeURL: v.URL + "/scim-tokens/" + url.PathEscape(t.ID) + "/revoke"}
		row.Created, row.CreatedISO = formatTime(t.CreatedAt)
		row.Expires, row.ExpiresISO = formatTime(t.ExpiresAt)
		row.LastUsed, row.LastUsedISO = formatTime(t.LastUsedAt)
		row.Revoked, row.RevokedISO = formatTime(t.RevokedAt)
		v.TokenRows = append(v.TokenRows, row)
	}
	return r.render(w, req, status, pageAdminWorkspace, loc, v)
}

// PolicyMethods returns a policy's sign-in methods as a list, from its
// boxes and its connectors' field.
func (p AdminPolicy) PolicyMethods() []string {
	var out []string
	if p.Password {
		out = append(out, "password")
	}
	if p.Passkey {
		out = append(out, "passkey")
	}
	return append(out, strings.Fields(p.Connectors)...)
}

// AdminPolicyOf is the console's form of a policy's sign-in methods.
func AdminPolicyOf(methods []string) (password, passkey bool, connectors string) {
	var rest []string
	for _, m := range methods {
		switch m {
		case "password":
			password = true
		case "passkey":
			passkey = true
		default:
			rest = append(rest, m)
		}
	}
	return password, passkey, strings.Join(rest, " ")
}

// workspaceSamples are the workspace pages' sample views, rendered at
// start-up.
func workspaceSamples(page string, m meta) []any {
	const s = "sample"
	base := adminBase{Section: s, NoticeText: s, ErrorText: s}
	t1 := time.Unix(1, 0)
	ws := AdminWorkspace{ID: s, Handle: s, Name: s, Policy: AdminPolicy{RequireMFA: true, Password: true, Passkey: true, Connectors: s, SessionLifetime: s, Installs: "admins"}}
	switch page {
	case pageAdminWorkspaces:
		return []any{adminWorkspacesView{meta: m}, adminWorkspacesView{meta: m, adminBase: base,
			AdminWorkspacesPage: AdminWorkspacesPage{NextURL: s, MayCreate: true}, Rows: []adminWorkspaceRow{{AdminWorkspace: ws, URL: s, Created: s}}}}
	case pageAdminWorkspace:
		return []any{adminWorkspaceView{meta: m}, adminWorkspaceView{meta: m, adminBase: base,
			AdminWorkspacePage: AdminWorkspacePage{Workspace: ws, Roles: []string{s}, NextMembersURL: s, NewToken: s, NewLink: s, Mailed: true, MayDelete: true},
			MemberRows:         []adminMemberRow{{AdminMember: AdminMember{Suspended: true, Role: s}, Roles: []string{s}, UserURL: s}, {}},
			InvitationRows:     []adminInvitationRow{{AdminInvitation: AdminInvitation{Expired: true}}, {}},
			TokenRows:          []adminTokenRow{{Expires: s, LastUsed: s, Revoked: s}, {}},
			InstallChoices:     []string{"admins", "approved", "members", s}, Created: s, CreatedISO: t1.String()}}
	case pageAdminInstalls:
		return installsSamples(m)
	}
	return nil
}

func workspacePageNames() []string {
	return []string{pageAdminWorkspaces, pageAdminWorkspace, pageAdminInstalls}
}
