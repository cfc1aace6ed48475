package rs

import (
	"net/http"
	"strings"
)

// RequireWorkspace returns middleware letting a request through only when
// the token Middleware put in its context was issued for the workspace the
// request is about: workspaceOf(r) names it, by ID or by handle, and it
// must be the token's (Token.WorkspaceID or Token.WorkspaceHandle). A
// token of another workspace, or of none, is answered 403
// insufficient_scope (RFC 6750 section 3.1): the token is valid, but not
// for this workspace, and the client must get one issued for it (the
// organization parameter of the authorization request). A request naming
// no workspace (workspaceOf returns "") is refused the same way: a guard
// that cannot tell which workspace is asked for lets nothing through.
//
// It belongs inside Middleware. Usage, with the workspace in the path:
//
//	mux.Handle("POST /workspaces/{ws}/messages", v.Middleware(
//		rs.RequireWorkspace(func(r *http.Request) string { return r.PathValue("ws") })(
//			rs.RequireScope("im:messages.send")(http.HandlerFunc(send)))))
func RequireWorkspace(workspaceOf func(*http.Request) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a, ok := verified(w, r)
			if !ok {
				return
			}
			if !a.token.ForWorkspace(workspaceOf(r)) {
				a.challenge.refuse(w, http.StatusForbidden, errorBody{
					Error:       "insufficient_scope",
					Description: "The access token was not issued for this workspace: get one for it (the organization parameter of the authorization request).",
				})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Workspace returns the ID and handle of the workspace the request's
// verified token was issued for; ok is false without a verified token or
// when the token names no workspace.
func Workspace(r *http.Request) (id, handle string, ok bool) {
	tok, verified := FromContext(r.Context())
	if !verified || tok.WorkspaceID == "" {
		return "", "", false
	}
	return tok.WorkspaceID, tok.WorkspaceHandle, true
}

// ForWorkspace reports whether t was issued for the workspace named by
// idOrHandle (its ID, or its handle in any letter case; handles are
// case-insensitive). An empty name, or a token of no workspace, is never
// a match.
func (t Token) ForWorkspace(idOrHandle string) bool {
	if idOrHandle == "" || t.WorkspaceID == "" {
		return false
	}
	return idOrHandle == t.WorkspaceID || t.WorkspaceHandle != "" && strings.EqualFold(idOrHandle, t.WorkspaceHandle)
}
