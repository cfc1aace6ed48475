package login

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/provider/web"
)

// directoryPath is where a directory connector's (LDAP) own sign-in page
// is, the connector's ID after it.
const directoryPath = "/login/directory/"

// Limits on what the directory form takes (the connector checks them
// again).
const (
	maxDirectoryUsername = 256
	maxDirectoryPassword = 1024
)

// routedSignIn sends a sign-in by email to the connector its domain is
// routed to (home-realm discovery), and reports whether it answered: when
// the form asks for single sign-on (sso=1), or when the connector is the
// only way in for the domain, whatever password was typed (it is never
// looked at).
func (h *Handler) routedSignIn(w http.ResponseWriter, r *http.Request) bool {
	ctx := r.Context()
	email := strings.TrimSpace(r.PostFormValue("email"))
	sso := r.PostFormValue("sso") != ""
	u, routed := h.upstreamForEmail(ctx, email)
	if !sso && !(routed && u.OnlyWay) {
		return false
	}
	t, ok := h.loadTarget(w, r, r.PostFormValue("flow"), r.PostFormValue("next"))
	if !ok {
		return true
	}
	p := h.page(r, t)
	p.Email = email
	switch {
	case len(p.Upstreams) == 0:
		// The workspace the app asked for names its sign-in methods, and
		// an upstream's is not one of them.
		p.Error = "workspace.sign_in_method"
		h.render(w, r, http.StatusForbidden, p)
		return true
	case email == "":
		p.Error = "login.sso_email"
		h.render(w, r, http.StatusBadRequest, p)
		return true
	case !routed:
		p.Error, p.ErrorArg = "login.sso_unknown", email[strings.LastIndexByte(email, '@')+1:]
		h.render(w, r, http.StatusBadRequest, p)
		return true
	}
	h.cfg.Logger.InfoContext(ctx, "sign-in routed to an upstream", "connector", u.ID, "only_way", u.OnlyWay, "asked", sso)
	if u.Directory != nil {
		h.toDirectory(w, r, u, t, email)
		return true
	}
	h.beginUpstream(w, r, u, t, "", email)
	return true
}

// toDirectory sends the browser to the directory connector's page for
// the sign-in t, with the user name filled in.
func (h *Handler) toDirectory(w http.ResponseWriter, r *http.Request, u Upstream, t target, username string) {
	q := url.Values{}
	if t.flow != nil {
		q.Set("flow", t.flow.ID)
	} else {
		q.Set("next", t.next)
	}
	if username != "" {
		q.Set("username", username)
	}
	http.Redirect(w, r, directoryPath+u.ID+"?"+q.Encode(), http.StatusSeeOther)
}

// directoryPage fills the directory page for the connector and target.
func (h *Handler) directoryPage(r *http.Request, u Upstream, t target, link bool) web.DirectoryPage {
	p := web.DirectoryPage{CSRFToken: session.CSRFToken(r), ConnectorID: u.ID, UILocales: uiLocalesOf(t), Link: link}
	p.Name = h.upstreamName(r, u, p.UILocales)
	if t.flow != nil {
		p.Flow = t.flow.ID
	} else if t.next != "/account" || !link {
		p.Next = t.next
	}
	return p
}

// directoryTarget reads the connector and target of the directory page's
// request, or answers and returns false.
func (h *Handler) directoryTarget(w http.ResponseWriter, r *http.Request, flowID, next string) (Upstream, target, bool) {
	u, ok := h.upstreamByID(r.Context(), r.PathValue("id"))
	if !ok || u.Directory == nil {
		h.errorPage(w, r, "", http.StatusNotFound, "error.not_found")
		return Upstream{}, target{}, false
	}
	t, ok := h.loadTarget(w, r, flowID, next)
	return u, t, ok
}

// showDirectory is GET /login/directory/{id}.
func (h *Handler) showDirectory(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	u, t, ok := h.directoryTarget(w, r, q.Get("flow"), q.Get("next"))
	if !ok {
		return
	}
	p := h.directoryPage(r, u, t, q.Get("link") != "")
	p.Username = q.Get("username")
	h.renderDirectory(w, r, http.StatusOK, p)
}

// submitDirectory is POST /login/directory/{id}: the directory checks the
// user name and password (never stored, never logged), throttled per
// connector and user name and per client IP as passwords are; the
// identity then signs in (or, with link=1, is linked to the signed-in
// account) as any upstream's does.
func (h *Handler) submitDirectory(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	link := r.PostFormValue("link") != ""
	u, t, ok := h.directoryTarget(w, r, r.PostFormValue("flow"), r.PostFormValue("next"))
	if !ok {
		return
	}
	p := h.directoryPage(r, u, t, link)
	p.Username = strings.TrimSpace(r.PostFormValue("username"))
	pw := r.PostFormValue("password")
	switch {
	case p.Username == "" || pw == "":
		p.Error = "directory.required"
		h.renderDirectory(w, r, http.StatusBadRequest, p)
		return
	case len(p.Username) > maxDirectoryUsername || len(pw) > maxDirectoryPassword:
		p.Error = "directory.invalid"
		h.renderDirectory(w, r, http.StatusBadRequest, p)
		return
	}
	key := directoryKey(u.ID, p.Username)
	ip := reqctx.ClientIP(ctx)
	wait, err := h.waitFor(ctx, key, ip)
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "directory sign-in: throttle", "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return
	}
	if wait > 0 {
		h.refused(ctx, ReasonThrottled, "", "")
		p.Error, p.ErrorArg = "login.throttled", throttle.Seconds(wait)
		h.renderDirectory(w, r, http.StatusTooManyRequests, p)
		return
	}
	ident, err := u.Directory.Login(ctx, p.Username, pw)
	switch {
	case errors.Is(err, upstream.ErrRefused):
		h.failed(ctx, key, ip, "", "")
		h.cfg.Logger.InfoContext(ctx, "directory sign-in failed", "connector", u.ID, "err", err)
		h.upstreamObserver().UpstreamRequest(u.ID, UpstreamRefused)
		h.upstreamRecord(ctx, u.ID, reasonUpstreamRefused, "")
		p.Error = "directory.invalid"
		h.renderDirectory(w, r, http.StatusUnauthorized, p)
		return
	case err != nil:
		h.upstreamFailed(w, r, u, p.UILocales, err)
		return
	}
	h.succeeded(ctx, key)
	if link {
		s, ok, err := h.cfg.Sessions.Current(ctx, r)
		if err != nil || !ok {
			// Not signed in (any more): nothing to link to.
			h.linkIdentity(w, r, u, "", ident)
			return
		}
		h.linkIdentity(w, r, u, s.User.ID, ident)
		return
	}
	h.upstreamSignedIn(w, r, u, t, ident)
}

// directoryKey is the throttle key of a user name at a directory.
func directoryKey(connector, username string) string {
	return throttle.EmailKey("directory:" + connector + ":" + username)
}

func (h *Handler) renderDirectory(w http.ResponseWriter, r *http.Request, status int, p web.DirectoryPage) {
	web.Rendered(h.cfg.Logger, w, r, "directory sign-in page", h.cfg.Pages.Directory(w, r, status, p))
}
