package web

import (
	"cmp"
	"net/http"
)

// WorkspaceChooserPage is the page where a member of several workspaces
// picks the one an app's sign-in is for. Its form posts flow, csrf_token
// and either workspace (the chosen workspace's ID, one button each) or
// decision=deny to POST /choose-workspace.
type WorkspaceChooserPage struct {
	UILocales string
	CSRFToken string
	Flow      string
	// ClientName names the app; without one the page uses ClientID.
	ClientName string
	ClientID   string
	// UserEmail is shown as "Signed in as …", next to a "Not you?" link.
	UserEmail string
	// Workspaces are the user's workspaces, in the order shown.
	Workspaces []WorkspaceChoice
	// Error is a message key, or empty.
	Error string
}

// WorkspaceChoice is one workspace on the chooser page.
type WorkspaceChoice struct {
	ID     string
	Name   string
	Handle string
}

type workspaceChooserView struct {
	meta
	WorkspaceChooserPage
	App       string
	ErrorText string
}

// WorkspaceChooser renders the workspace chooser with the given status.
func (r *Renderer) WorkspaceChooser(w http.ResponseWriter, req *http.Request, status int, p WorkspaceChooserPage) error {
	loc := r.Locale(req, p.UILocales)
	v := workspaceChooserView{
		meta:                 r.meta(loc),
		WorkspaceChooserPage: p,
		App:                  cmp.Or(p.ClientName, p.ClientID),
		ErrorText:            r.message(req.Context(), loc, "error", p.Error),
	}
	return r.render(w, req, status, pageWorkspaceChooser, loc, v)
}
