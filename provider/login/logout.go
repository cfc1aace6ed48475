package login

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/params"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// logoutRequest is a validated RP-initiated logout request.
type logoutRequest struct {
	clientID    string
	clientName  string
	redirectURI string
	state       string
	idTokenHint string
	uiLocales   string
}

// parseLogout validates the logout parameters (OpenID Connect RP-Initiated
// Logout 1.0 section 2). It returns a message key when the request must
// stop on an error page.
func (h *Handler) parseLogout(r *http.Request, form url.Values) (logoutRequest, string) {
	lr := logoutRequest{
		clientID:    form.Get("client_id"),
		redirectURI: form.Get("post_logout_redirect_uri"),
		state:       form.Get("state"),
		idTokenHint: form.Get("id_token_hint"),
		uiLocales:   form.Get("ui_locales"),
	}
	if params.Repeated(form) != "" {
		// Each parameter once (RFC 6749 section 3.1): a second
		// post_logout_redirect_uri or client_id would leave it to chance
		// which one is checked and which one is used.
		return lr, "error.invalid_request"
	}
	if lr.idTokenHint != "" {
		aud, ok := h.hintAudience(r, lr.idTokenHint)
		if !ok {
			return lr, "error.invalid_request"
		}
		if lr.clientID != "" && !slices.Contains(aud, lr.clientID) {
			return lr, "error.invalid_request"
		}
		if lr.clientID == "" && len(aud) == 1 {
			lr.clientID = aud[0]
		}
	}
	if lr.clientID == "" {
		if lr.redirectURI != "" {
			// A return address without a client to check it against
			// would make this an open redirector.
			return lr, "error.logout_redirect"
		}
		return lr, ""
	}
	c, err := h.cfg.Store.GetClient(r.Context(), lr.clientID)
	if errors.Is(err, storage.ErrNotFound) {
		return lr, "error.unknown_client"
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "logout: load client", "client_id", lr.clientID, "err", err)
		return lr, "error.server"
	}
	lr.clientName = c.Name
	if lr.redirectURI != "" && !slices.Contains(c.PostLogoutRedirectURIs, lr.redirectURI) {
		return lr, "error.logout_redirect"
	}
	return lr, ""
}

// hintAudience verifies an id_token_hint was issued by us (expired is
// fine: the hint only names the client) and returns its audience.
func (h *Handler) hintAudience(r *http.Request, hint string) ([]string, bool) {
	payload, err := h.cfg.Keys.Verify(r.Context(), hint)
	if err != nil {
		return nil, false
	}
	var claims struct {
		Aud json.RawMessage `json:"aud"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, false
	}
	var one string
	if json.Unmarshal(claims.Aud, &one) == nil && one != "" {
		return []string{one}, true
	}
	var many []string
	if json.Unmarshal(claims.Aud, &many) == nil && len(many) > 0 {
		return many, true
	}
	return nil, false
}

// showLogout asks the user to confirm signing out, so that a link on
// another site cannot sign them out unawares.
func (h *Handler) showLogout(w http.ResponseWriter, r *http.Request) {
	lr, problem := h.parseLogout(r, r.URL.Query())
	if problem != "" {
		h.errorPage(w, r, "", http.StatusBadRequest, problem)
		return
	}
	if _, signedIn, err := h.cfg.Sessions.Current(r.Context(), r); err == nil && !signedIn {
		// Nobody to sign out: finish at once.
		h.finishLogout(w, r, lr)
		return
	}
	p := web.LogoutPage{
		UILocales: lr.uiLocales, CSRFToken: session.CSRFToken(r), ClientName: lr.clientName,
		ClientID: lr.clientID, PostLogoutRedirectURI: lr.redirectURI, State: lr.state, IDTokenHint: lr.idTokenHint,
	}
	web.Rendered(h.cfg.Logger, w, r, "logout page", h.cfg.Pages.Logout(w, r, p))
}

// postLogout answers POST /oauth2/logout, which is two things: an app's
// RP-initiated logout request by form serialization (RP-Initiated Logout
// 1.0 section 2: the OP MUST accept POST as well as GET), and the
// confirmation form of our own logout page, confirm. A POST carrying our
// CSRF field claims to be that form and goes through confirm's CSRF
// check, so that a forged one without the right token is refused and
// ends nothing. Any other POST is an app's request: it is sent on as the
// same request by GET, which asks the user. Redirecting rather than
// answering here matters: the session cookie is SameSite=Lax, so a
// browser leaves it off a cross-site POST, and only the GET that follows
// sees who is signed in (and, as for a GET from the app, finishes at once
// when nobody is).
func (h *Handler) postLogout(confirm http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			h.errorPage(w, r, "", http.StatusBadRequest, "error.invalid_request")
			return
		}
		if r.PostForm.Has(session.CSRFField) {
			confirm.ServeHTTP(w, r)
			return
		}
		// r.Form holds the query's parameters as well as the body's: one
		// sent in both counts as repeated, and the GET refuses it.
		http.Redirect(w, r, "/oauth2/logout?"+r.Form.Encode(), http.StatusSeeOther)
	}
}

func (h *Handler) submitLogout(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, "", http.StatusBadRequest, "error.invalid_request")
		return
	}
	lr, problem := h.parseLogout(r, r.PostForm)
	if problem != "" {
		h.errorPage(w, r, "", http.StatusBadRequest, problem)
		return
	}
	signed, signedIn, _ := h.cfg.Sessions.Current(r.Context(), r)
	if signedIn {
		h.cfg.Logger.InfoContext(r.Context(), "signed out", "user_id", signed.User.ID, "client_id", lr.clientID)
		h.cfg.Audit.Try(r.Context(), audit.Event{Action: audit.SignOut, Subject: signed.User.ID, ClientID: lr.clientID}.ByUser(signed.User.ID))
	}
	if err := h.cfg.Sessions.End(r.Context(), w, r); err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "logout: end session", "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return
	}
	if signedIn {
		// Our session is over: the upstream that signed it in, when its
		// connector says so, ends its own next, then the browser comes
		// back to where it would have gone (upstream_endsession.go).
		if to, ok := h.endSessionURL(r.Context(), signed, lr); ok {
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
	}
	h.finishLogout(w, r, lr)
}

// finishLogout returns to the app's registered address with its state, or
// shows the signed-out page.
func (h *Handler) finishLogout(w http.ResponseWriter, r *http.Request, lr logoutRequest) {
	if lr.redirectURI != "" {
		u, err := url.Parse(lr.redirectURI)
		if err == nil {
			if lr.state != "" {
				q := u.Query()
				q.Set("state", lr.state)
				u.RawQuery = q.Encode()
			}
			http.Redirect(w, r, u.String(), http.StatusSeeOther)
			return
		}
	}
	web.Rendered(h.cfg.Logger, w, r, "signed-out page", h.cfg.Pages.LoggedOut(w, r, web.LoggedOutPage{UILocales: lr.uiLocales}))
}
