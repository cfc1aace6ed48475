package web

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
)

// The states the installation page shows (InstallPage.Status).
const (
	InstallNone    = ""
	InstallPending = "pending"
	InstallActive  = "active"
	InstallDenied  = "denied"
)

// InstallPage is the view of the page where a member installs an app
// into a workspace, or asks its admins to (provider/install). Its form
// posts csrf_token and one scope field per scope ticked to Action.
type InstallPage struct {
	UILocales string
	CSRFToken string
	// Workspace is the workspace's name; App the app's name (ClientID
	// when it has none).
	Workspace, App, ClientID string
	// Action is the page's own address, where the form posts.
	Action string
	// Scopes are the scopes the app asks for, described in the page's
	// language as on the consent page; Checked those ticked.
	Scopes, Checked []string
	// Installs says the user installs at once; else the form asks the
	// workspace's admins.
	Installs bool
	// Status is the installation's: InstallNone, InstallPending,
	// InstallActive or InstallDenied; Waiting are the scopes requested
	// and not yet approved (pending, or an active installation's
	// re-approval).
	Status  string
	Waiting []string
	// Reason is a denial's reason, as the admin wrote it.
	Reason string
	// Error is a message key, or empty.
	Error string
}

type installView struct {
	meta
	InstallPage
	AppName     string
	ErrorText   string
	Permissions []installPermission
	WaitingText []permission
}

// installPermission is one scope of the app with its tick box.
type installPermission struct {
	permission
	ID      string
	Checked bool
}

// Install renders the installation page with the given status.
func (r *Renderer) Install(w http.ResponseWriter, req *http.Request, status int, p InstallPage) error {
	loc := r.Locale(req, p.UILocales)
	v := installView{meta: r.meta(loc), InstallPage: p, AppName: cmp.Or(p.App, p.ClientID),
		ErrorText: r.message(req.Context(), loc, "error", p.Error), WaitingText: r.permissions(req.Context(), loc, p.Waiting)}
	for i, perm := range r.permissions(req.Context(), loc, p.Scopes) {
		v.Permissions = append(v.Permissions, installPermission{permission: perm, ID: "scope-" + strconv.Itoa(i), Checked: slices.Contains(p.Checked, perm.Scope)})
	}
	return r.render(w, req, status, pageInstall, loc, v)
}

func installSamples(m meta) []any {
	const s = "sample"
	perm := installPermission{permission: permission{Scope: s, Description: s}, ID: s, Checked: true}
	return []any{
		installView{meta: m},
		installView{meta: m, InstallPage: InstallPage{UILocales: s, CSRFToken: s, Workspace: s, App: s, ClientID: s, Action: s, Installs: true, Error: s},
			AppName: s, ErrorText: s, Permissions: []installPermission{perm}},
		installView{meta: m, InstallPage: InstallPage{Workspace: s, Action: s, Status: InstallPending}, AppName: s, Permissions: []installPermission{perm}, WaitingText: []permission{perm.permission}},
		installView{meta: m, InstallPage: InstallPage{Workspace: s, Action: s, Status: InstallActive}, AppName: s, Permissions: []installPermission{perm}, WaitingText: []permission{perm.permission}},
		installView{meta: m, InstallPage: InstallPage{Workspace: s, Action: s, Status: InstallDenied, Reason: s}, AppName: s, Permissions: []installPermission{perm}},
	}
}
