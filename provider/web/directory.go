package web

import (
	"net/http"
)

// DirectoryPage is the sign-in page of a directory connector (LDAP,
// Active Directory): the directory's user name and password, typed on
// the provider's own page. Its form posts csrf_token, flow, next (when
// set), link (when Link), username and password to
// POST /login/directory/{ConnectorID}.
type DirectoryPage struct {
	UILocales string
	CSRFToken string
	// ConnectorID is the connector's ID, the last segment of the form's
	// action; Name its display name in the page's language.
	ConnectorID string
	Name        string
	// Flow and Next are where the sign-in continues, as LoginPage's.
	Flow string
	Next string
	// Link: the signed-in user links the directory account to theirs
	// instead of signing in.
	Link bool
	// Username is echoed back into the user name field.
	Username string
	// Error is a message key, or empty; ErrorArg fills its one argument.
	Error    string
	ErrorArg string
}

type directoryView struct {
	meta
	DirectoryPage
	ErrorText string
}

// Directory renders a directory connector's sign-in page with the given
// status: 200, or a 4xx after a failed attempt.
func (r *Renderer) Directory(w http.ResponseWriter, req *http.Request, status int, p DirectoryPage) error {
	loc := r.Locale(req, p.UILocales)
	v := directoryView{
		meta:          r.meta(loc),
		DirectoryPage: p,
		ErrorText:     r.message(req.Context(), loc, "error", p.Error, arg(p.ErrorArg)...),
	}
	return r.render(w, req, status, pageDirectory, loc, v)
}
