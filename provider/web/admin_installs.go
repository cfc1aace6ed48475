package web

import (
	"cmp"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
)

// pageAdminInstalls is the console's page of a workspace's apps
// (provider/admin console_installs.go).
const pageAdminInstalls = "admin_installs"

// AdminInstallation is an app's installation in a workspace, as the
// console shows it.
type AdminInstallation struct {
	ID       string
	ClientID string
	// App is the app's name, empty when it has none.
	App string
	// Status is "pending", "active" or "denied".
	Status string
	// Scopes are installed; Requested wait for a decision (a request, or
	// an installed app's re-approval).
	Scopes, Requested []string
	// RequestedBy and DecidedBy are an email, or a user or client ID.
	RequestedBy, DecidedBy string
	Reason                 string
	CreatedAt, UpdatedAt   time.Time
}

// AdminApprovedApp is an app a workspace's admins approved beforehand.
type AdminApprovedApp struct {
	ClientID, App, ApprovedBy string
	ApprovedAt                time.Time
}

// AdminInstallsPage is the view of a workspace's apps (GET
// /admin/workspaces/{id}/apps): the requests waiting for a decision, each
// with a form approving it (one box per scope, to narrow) and one denying
// it with a reason; the installed apps' re-approvals; the installed apps
// with their uninstall; the apps denied; the apps approved beforehand,
// with the forms adding and removing one. Each change goes through a
// confirmation page.
type AdminInstallsPage struct {
	UILocales     string
	Workspace     AdminWorkspace
	Installations []AdminInstallation
	Approved      []AdminApprovedApp
	Scoped        bool
	Notice        string
	Error         string
}

type adminInstallsView struct {
	meta
	AdminInstallsPage
	adminBase
	WorkspaceURL, URL, AddURL       string
	Pending, Reapprovals, Installed []adminInstallRow
	Denied                          []adminInstallRow
	ApprovedRows                    []adminApprovedRow
}

type adminInstallRow struct {
	AdminInstallation
	Label string
	// Offered are the boxes of the approval form: the scopes installed
	// and requested, all ticked; Installed and Waiting the scopes
	// installed and waiting, described as on the consent page.
	Offered                              []installPermission
	InstalledText, WaitingText           []permission
	FormID                               string
	Asked, AskedISO, Changed, ChangedISO string
	ApproveURL, DenyURL, UninstallURL    string
}

type adminApprovedRow struct {
	AdminApprovedApp
	Label, RemoveURL      string
	Approved, ApprovedISO string
}

// AdminInstalls renders a workspace's apps.
func (r *Renderer) AdminInstalls(w http.ResponseWriter, req *http.Request, status int, p AdminInstallsPage) error {
	loc := r.Locale(req, p.UILocales)
	ctx := req.Context()
	v := adminInstallsView{meta: r.meta(loc), AdminInstallsPage: p, adminBase: r.adminBase(req, loc, "workspaces", p.Notice, p.Error),
		WorkspaceURL: consoleurl.Workspace(p.Workspace.ID), URL: consoleurl.WorkspaceApps(p.Workspace.ID)}
	v.adminBase.NavScoped = p.Scoped
	v.AddURL = v.WorkspaceURL + "/approved-apps/add"
	for i, in := range p.Installations {
		base := v.URL + "/" + url.PathEscape(in.ID)
		row := adminInstallRow{AdminInstallation: in, Label: cmp.Or(in.App, in.ClientID), FormID: "in-" + strconv.Itoa(i),
			InstalledText: r.permissions(ctx, loc, in.Scopes), WaitingText: r.permissions(ctx, loc, in.Requested),
			ApproveURL: base + "/approve", DenyURL: base + "/deny", UninstallURL: base + "/uninstall"}
		for j, perm := range r.permissions(ctx, loc, append(append([]string{}, in.Scopes...), in.Requested...)) {
			row.Offered = append(row.Offered, installPermission{permission: perm, ID: row.FormID + "-scope-" + strconv.Itoa(j), Checked: true})
		}
		row.Asked, row.AskedISO = formatTime(in.CreatedAt)
		row.Changed, row.ChangedISO = formatTime(in.UpdatedAt)
		switch {
		case in.Status == InstallPending:
			v.Pending = append(v.Pending, row)
		case in.Status == InstallDenied:
			v.Denied = append(v.Denied, row)
		default:
			if len(in.Requested) > 0 {
				v.Reapprovals = append(v.Reapprovals, row)
			}
			v.Installed = append(v.Installed, row)
		}
	}
	for _, a := range p.Approved {
		row := adminApprovedRow{AdminApprovedApp: a, Label: cmp.Or(a.App, a.ClientID), RemoveURL: v.WorkspaceURL + "/approved-apps/" + url.PathEscape(a.ClientID) + "/remove"}
		row.Approved, row.ApprovedISO = formatTime(a.ApprovedAt)
		v.ApprovedRows = append(v.ApprovedRows, row)
	}
	return r.render(w, req, status, pageAdminInstalls, loc, v)
}

// installsSamples are the page's sample views, rendered at start-up.
func installsSamples(m meta) []any {
	const s = "sample"
	base := adminBase{Section: s, NoticeText: s, ErrorText: s}
	perm := permission{Scope: s, Description: s}
	row := adminInstallRow{AdminInstallation: AdminInstallation{Reason: s, RequestedBy: s, DecidedBy: s}, Label: s, Offered: []installPermission{{permission: perm, ID: s, Checked: true}},
		InstalledText: []permission{perm}, WaitingText: []permission{perm}, Asked: s, Changed: s}
	return []any{adminInstallsView{meta: m}, adminInstallsView{meta: m, adminBase: base, AdminInstallsPage: AdminInstallsPage{Workspace: AdminWorkspace{Name: s}},
		Pending: []adminInstallRow{row, {}}, Reapprovals: []adminInstallRow{row, {}}, Installed: []adminInstallRow{row, {}}, Denied: []adminInstallRow{row, {}},
		ApprovedRows: []adminApprovedRow{{AdminApprovedApp: AdminApprovedApp{ApprovedBy: s}, Label: s, Approved: s}, {}}}}
}
