package login

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/edge"
	"github.com/tokenim/tokenim-auth/provider/i18n"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// UpstreamConnector is the protocol side of an upstream identity
// provider that the browser is sent to and comes back from with a code
// (OpenID Connect: upstream/oidc; OAuth 2.0 platforms:
// upstream/platform): where to send the browser, and what its answer
// says.
type UpstreamConnector interface {
	// AuthCodeURL is the upstream's authorization URL for state, nonce
	// and the PKCE verifier, with opts (login_hint).
	AuthCodeURL(ctx context.Context, state, nonce, pkceVerifier string, opts ...oauth2.AuthCodeOption) (string, error)
	// CheckCallback reads the upstream's answer (RFC 9207 iss, an error)
	// and returns its code.
	CheckCallback(ctx context.Context, q url.Values) (string, error)
	// Finish turns the code into the identity the upstream vouches for.
	Finish(ctx context.Context, code, pkceVerifier, nonce string) (upstream.Identity, error)
}

// SAMLConnector is a SAML 2.0 identity provider (upstream/saml): the
// browser is sent with an AuthnRequest and comes back with the IdP's
// response posted to the callback.
type SAMLConnector interface {
	// AuthnRequestURL is where to send the browser, with relayState; the
	// request's ID must come back as the response's InResponseTo.
	AuthnRequestURL(ctx context.Context, relayState string) (to, requestID string, err error)
	// Finish verifies the posted SAMLResponse, an answer to requestID,
	// and returns the identity it asserts.
	Finish(ctx context.Context, samlResponse, requestID string) (upstream.Identity, error)
	// Metadata is this provider's service-provider metadata for the
	// IdP's administrator.
	Metadata() ([]byte, error)
}

// DirectoryConnector is a directory the user signs in to on our own
// page, with the directory's user name and password (upstream/ldap).
type DirectoryConnector interface {
	Login(ctx context.Context, username, password string) (upstream.Identity, error)
}

// Upstream is an upstream identity provider the sign-in page offers:
// exactly one of Connector, SAML and Directory is set.
type Upstream struct {
	// ID names the connector in URLs and linked identities.
	ID string
	// Name and NameZH are its display names (English, Simplified
	// Chinese); Icon its button's badge (upstream.Icons), or none.
	Name, NameZH, Icon string
	// JIT creates an account, with DefaultRole (or the role RoleMapping
	// gives), for an identity whose verified email no account has, at
	// its first sign-in.
	JIT         bool
	DefaultRole string
	// Domains are the email domains routed here (home-realm discovery);
	// OnlyWay refuses those domains' passwords and sends them here.
	Domains []string
	OnlyWay bool
	// LinkUnverifiedEmail lets an identity whose email the upstream did
	// not verify link the account with that email; a verified one always
	// does.
	LinkUnverifiedEmail bool
	// RoleMapping, when set, decides the account's role at every
	// sign-in: the first mapping the identity matches, else DefaultRole.
	RoleMapping []storage.RoleMapping
	// FormPost: the upstream answers with a cross-site POST to the
	// callback (Sign in with Apple's form_post; SAML's POST binding).
	FormPost  bool
	Connector UpstreamConnector
	SAML      SAMLConnector
	Directory DirectoryConnector
	// Logout, when set, ends this provider's sessions on the upstream's
	// back-channel logout.
	Logout UpstreamLogout
	// EndUpstreamSession (with Logout) sends the browser on to the
	// upstream's end-session endpoint when a session it signed in ends by
	// our logout, so that the user is signed out there too
	// (upstream_endsession.go); off, only our session ends.
	EndUpstreamSession bool
}

// UpstreamSource lists the connectors in use, in the sign-in page's
// order: the configured ones and the console's.
type UpstreamSource interface {
	Upstreams(ctx context.Context) []Upstream
}

// UpstreamList is a fixed list of connectors.
type UpstreamList []Upstream

// Upstreams returns the list.
func (l UpstreamList) Upstreams(context.Context) []Upstream { return l }

// UpstreamObserver is told of each upstream sign-in step, for metrics,
// by connector (a configured one's ID only) and result (Upstream*).
type UpstreamObserver interface {
	UpstreamRequest(connector, result string)
}

// Results of an upstream sign-in step, as reported to the
// UpstreamObserver.
const (
	// UpstreamRedirected: the browser was sent to the upstream.
	UpstreamRedirected = "redirected"
	// UpstreamSignedIn: the upstream's answer was accepted and the
	// account found or created.
	UpstreamSignedIn = "signed_in"
	// UpstreamRefused: the upstream's answer, or the account it names,
	// was refused.
	UpstreamRefused = "refused"
	// UpstreamUnavailable: the upstream could not be reached.
	UpstreamUnavailable = "unavailable"
	// UpstreamLinkedResult: the upstream's answer was accepted and its
	// identity linked to the signed-in account.
	UpstreamLinkedResult = "linked"
)

// UpstreamResults lists every result UpstreamRequest reports.
func UpstreamResults() []string {
	return []string{UpstreamRedirected, UpstreamSignedIn, UpstreamLinkedResult, UpstreamRefused, UpstreamUnavailable}
}

// Why an upstream sign-in was refused (the upstream.signin record's
// reason).
const (
	reasonStateLost         = "state_lost"         // no cookie, or one expired, altered or of another browser
	reasonConnectorMismatch = "connector_mismatch" // the callback is another connector's than the sign-in's (mix-up)
	reasonStateMismatch     = "state_mismatch"     // the callback's state is not the sign-in's (login CSRF)
	reasonUpstreamRefused   = "upstream_refused"   // the upstream's answer did not verify, or it refused the user
	reasonUnavailable       = "upstream_unavailable"
	reasonEmailTaken        = "email_taken"      // an account has the identity's email: never linked silently
	reasonNoAccount         = "no_account"       // no linked account, and the connector creates none
	reasonEmailUnverified   = "email_unverified" // an account would be created with an email the upstream did not verify
	reasonSessionChanged    = "session_changed"  // a link's callback reached a browser no longer signed in as the account that started it
	reasonAlreadyLinked     = "already_linked"   // the identity is linked to this account already
	reasonLinkedElsewhere   = "linked_elsewhere" // the identity is linked to another account
	reasonOnlyWay           = "only_way"         // a password for an email domain whose connector is the only way in
)

// upstreamStateTTL is how long the browser may take at the upstream.
const upstreamStateTTL = 10 * time.Minute

// maxUpstreamState bounds the sealed state cookie read back.
const maxUpstreamState = 4 << 10

// upstreamState is what the callback needs of the sign-in it ends,
// sealed in the browser's cookie: nothing is stored server-side, and
// only this browser can finish the sign-in it started.
type upstreamState struct {
	Connector string `json:"c"`
	Flow      string `json:"f,omitempty"`
	Next      string `json:"n,omitempty"`
	State     string `json:"s"`
	Nonce     string `json:"o"`
	// Verifier is the PKCE verifier, or the SAML AuthnRequest's ID.
	Verifier string `json:"v"`
	// Link, when set, is the signed-in account the identity is to be
	// linked to (from /account), instead of a sign-in.
	Link  string    `json:"l,omitempty"`
	Until time.Time `json:"t"`
}

// upstreamLabel binds a sealed state to its use.
const upstreamLabel = "upstream sign-in state"

// upstreamCookie is the state cookie's name: __Host- on HTTPS, so no
// subdomain can set or shadow it.
func (h *Handler) upstreamCookie() string {
	if h.secure() {
		return "__Host-tokenim_upstream"
	}
	return "tokenim_upstream"
}

func (h *Handler) secure() bool { return strings.HasPrefix(h.cfg.Issuer, "https://") }

// setUpstreamCookie sets (maxAge > 0) or clears (maxAge < 0) the state
// cookie. SameSite=Lax: the upstream's redirect back is a top-level GET,
// and a cross-site POST back is posted again from our own page
// (resendCallback).
func (h *Handler) setUpstreamCookie(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: h.upstreamCookie(), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: h.secure(), SameSite: http.SameSiteLaxMode,
	})
}

// upstreams are the connectors in use.
func (h *Handler) upstreams(ctx context.Context) []Upstream {
	if h.cfg.Upstreams == nil {
		return nil
	}
	return h.cfg.Upstreams.Upstreams(ctx)
}

// upstreamByID returns the connector in use with id.
func (h *Handler) upstreamByID(ctx context.Context, id string) (Upstream, bool) {
	for _, u := range h.upstreams(ctx) {
		if u.ID == id {
			return u, true
		}
	}
	return Upstream{}, false
}

// upstreamForEmail returns the connector email's domain is routed to
// (home-realm discovery).
func (h *Handler) upstreamForEmail(ctx context.Context, email string) (Upstream, bool) {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return Upstream{}, false
	}
	domain := strings.ToLower(email[at+1:])
	for _, u := range h.upstreams(ctx) {
		if slices.Contains(u.Domains, domain) {
			return u, true
		}
	}
	return Upstream{}, false
}

// upstreamButtons are the sign-in page's upstream buttons, and whether
// any connector routes email domains (the page then offers single
// sign-on by email).
func (h *Handler) upstreamButtons(ctx context.Context) (b []web.UpstreamButton, routed bool) {
	for _, u := range h.upstreams(ctx) {
		b = append(b, web.UpstreamButton{ID: u.ID, Name: u.Name, NameZH: u.NameZH, Icon: u.Icon})
		routed = routed || len(u.Domains) > 0
	}
	return b, routed
}

// Linkable returns the connectors an account may link, in the sign-in
// page's order (account.Upstreams).
func (h *Handler) Linkable(ctx context.Context) []web.UpstreamButton {
	b, _ := h.upstreamButtons(ctx)
	return b
}

// StartLink sends the browser to the connector id to link the identity
// it vouches for to user, who is signed in (account.Upstreams): the
// callback links it and returns to /account.
func (h *Handler) StartLink(w http.ResponseWriter, r *http.Request, id string, user storage.User) {
	u, ok := h.upstreamByID(r.Context(), id)
	if !ok {
		h.errorPage(w, r, "", http.StatusNotFound, "error.not_found")
		return
	}
	if u.Directory != nil {
		http.Redirect(w, r, directoryPath+u.ID+"?"+url.Values{"link": {"1"}}.Encode(), http.StatusSeeOther)
		return
	}
	h.beginUpstream(w, r, u, target{next: "/account"}, user.ID, "")
}

// startUpstream is POST /login/upstream/{id}: the sign-in page's button.
func (h *Handler) startUpstream(w http.ResponseWriter, r *http.Request) {
	u, ok := h.upstreamByID(r.Context(), r.PathValue("id"))
	if !ok {
		h.errorPage(w, r, "", http.StatusNotFound, "error.not_found")
		return
	}
	t, ok := h.loadTarget(w, r, r.PostFormValue("flow"), r.PostFormValue("next"))
	if !ok {
		return
	}
	if u.Directory != nil {
		h.toDirectory(w, r, u, t, "")
		return
	}
	hint := ""
	if t.flow != nil {
		// The address the app says the user is known by (OpenID Connect
		// Core 3.1.2.1), passed on.
		hint = flowQuery(t.flow).Get("login_hint")
	}
	h.beginUpstream(w, r, u, t, "", hint)
}

// beginUpstream makes the sign-in's (or link's, for the account linkTo)
// state, nonce and PKCE verifier, seals them into this browser's cookie
// and sends the browser to the upstream, with hint as its login_hint.
func (h *Handler) beginUpstream(w http.ResponseWriter, r *http.Request, u Upstream, t target, linkTo, hint string) {
	ctx := r.Context()
	st := upstreamState{
		Connector: u.ID, Next: t.next, State: rand.Text(), Nonce: rand.Text(),
		Link: linkTo, Until: h.cfg.Now().Add(upstreamStateTTL).UTC(),
	}
	if t.flow != nil {
		st.Flow, st.Next = t.flow.ID, ""
	}
	var (
		to  string
		err error
	)
	switch {
	case u.SAML != nil:
		to, st.Verifier, err = u.SAML.AuthnRequestURL(ctx, st.State)
	case u.Connector != nil:
		st.Verifier = oauth2.GenerateVerifier()
		var opts []oauth2.AuthCodeOption
		if hint != "" {
			opts = append(opts, oauth2.SetAuthURLParam("login_hint", hint))
		}
		to, err = u.Connector.AuthCodeURL(ctx, st.State, st.Nonce, st.Verifier, opts...)
	default:
		err = fmt.Errorf("connector %s: no browser sign-in", u.ID)
	}
	if err != nil {
		h.upstreamFailed(w, r, u, uiLocalesOf(t), err)
		return
	}
	h.setUpstreamCookie(w, h.seal(st, upstreamLabel), int(upstreamStateTTL.Seconds()))
	h.upstreamObserver().UpstreamRequest(u.ID, UpstreamRedirected)
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// uiLocalesOf is the ui_locales of the flow t continues, if any.
func uiLocalesOf(t target) string {
	if t.flow == nil {
		return ""
	}
	return flowQuery(t.flow).Get("ui_locales")
}

// openUpstreamState reads the browser's state cookie: false when there is
// none, or it is altered, sealed for something else, or expired.
func (h *Handler) openUpstreamState(r *http.Request) (upstreamState, bool) {
	c, err := r.Cookie(h.upstreamCookie())
	if err != nil {
		return upstreamState{}, false
	}
	var st upstreamState
	if !h.open(c.Value, upstreamLabel, maxUpstreamState, &st) || st.State == "" || !h.cfg.Now().Before(st.Until) {
		return upstreamState{}, false
	}
	return st, true
}

// seal seals v (a state of plain fields, which always marshal) for use
// under label, as URL-safe text.
func (h *Handler) seal(v any, label string) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(h.cfg.UpstreamSealer.Seal(b, label))
}

// open reads into v what seal made for label: false when raw is empty or
// longer than limit, altered, sealed for another use or not v's shape.
func (h *Handler) open(raw, label string, limit int, v any) bool {
	if raw == "" || len(raw) > limit {
		return false
	}
	sealed, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return false
	}
	b, err := h.cfg.UpstreamSealer.Open(sealed, label)
	return err == nil && json.Unmarshal(b, v) == nil
}

// resentField marks a callback posted again from our own page.
const resentField = "tokenim_resent"

// postedCallback is POST /login/upstream/callback/{id}: Sign in with
// Apple's form_post and a SAML IdP's POST binding. The upstream's page
// posts cross-site, so the browser leaves the SameSite=Lax state cookie
// out: the first POST is answered with a page that posts the same fields
// again from this site, which brings the cookie. The route has no CSRF
// token to check: the sealed state, bound to this browser, is the
// callback's defence, as for the GET callback.
func (h *Handler) postedCallback(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, edge.MaxUpstreamForm)
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.errorPage(w, r, "", http.StatusRequestEntityTooLarge, "error.too_large")
			return
		}
		h.errorPage(w, r, "", http.StatusBadRequest, "error.bad_input")
		return
	}
	form := r.PostForm
	if _, err := r.Cookie(h.upstreamCookie()); err != nil && form.Get(resentField) == "" {
		again := url.Values{}
		for k, v := range form {
			again[k] = v
		}
		again.Set(resentField, "1")
		err := h.cfg.Pages.FormPost(w, r, web.FormPostPage{Action: h.cfg.Issuer + r.URL.Path, Params: again})
		web.Rendered(h.cfg.Logger, w, r, "upstream callback", err)
		return
	}
	form.Del(resentField)
	h.finishCallback(w, r, form)
}

// samlMetadata is GET /login/upstream/saml/{id}/metadata: the service
// provider metadata a SAML IdP's administrator loads to trust us.
func (h *Handler) samlMetadata(w http.ResponseWriter, r *http.Request) {
	u, ok := h.upstreamByID(r.Context(), r.PathValue("id"))
	if !ok || u.SAML == nil {
		h.errorPage(w, r, "", http.StatusNotFound, "error.not_found")
		return
	}
	b, err := u.SAML.Metadata()
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "saml metadata", "connector", u.ID, "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	w.Header().Set("Content-Disposition", `attachment; filename="tokenim-`+u.ID+`-sp.xml"`)
	w.Write(b)
}

// upstreamCallback is GET /login/upstream/callback/{id}: the upstream
// sends the browser back with its answer in the query.
func (h *Handler) upstreamCallback(w http.ResponseWriter, r *http.Request) {
	h.finishCallback(w, r, r.URL.Query())
}

// finishCallback ends a sign-in (or a link) with the upstream's answer
// q. The sign-in's state must be this browser's (the cookie), for this
// connector (mix-up) and with the same state (login CSRF); then the
// upstream's answer is verified, the account found (or created), and
// the sign-in goes on to the second factor its account needs.
func (h *Handler) finishCallback(w http.ResponseWriter, r *http.Request, q url.Values) {
	ctx := r.Context()
	st, ok := h.openUpstreamState(r)
	// The state is used once, whatever happens next.
	h.setUpstreamCookie(w, "", -1)
	id := r.PathValue("id")
	u, known := h.upstreamByID(ctx, id)
	refuse := func(reason string) {
		if known {
			h.upstreamObserver().UpstreamRequest(u.ID, UpstreamRefused)
		}
		h.upstreamRecord(ctx, u.ID, reason, "")
		h.message(w, r, http.StatusBadRequest, web.MessagePage{Title: "upstream.title", Message: "upstream.state_lost", LinkURL: "/login", LinkText: "message.sign_in"})
	}
	state := q.Get("state")
	if u.SAML != nil {
		state = q.Get("RelayState")
	}
	switch {
	case !ok:
		refuse(reasonStateLost)
		return
	case !known || st.Connector != id || u.Directory != nil:
		refuse(reasonConnectorMismatch)
		return
	case subtle.ConstantTimeCompare([]byte(st.State), []byte(state)) != 1:
		refuse(reasonStateMismatch)
		return
	}
	t, ok := h.loadTarget(w, r, st.Flow, st.Next)
	if !ok {
		return
	}
	locales := uiLocalesOf(t)
	var ident upstream.Identity
	var err error
	if u.SAML != nil {
		ident, err = u.SAML.Finish(ctx, q.Get("SAMLResponse"), st.Verifier)
	} else {
		var code string
		if code, err = u.Connector.CheckCallback(ctx, q); err == nil {
			ident, err = u.Connector.Finish(ctx, code, st.Verifier, st.Nonce)
		}
	}
	if err != nil {
		h.upstreamFailed(w, r, u, locales, err)
		return
	}
	if st.Link != "" {
		h.linkIdentity(w, r, u, st.Link, ident)
		return
	}
	h.upstreamSignedIn(w, r, u, t, ident)
}

// upstreamSignedIn signs in the account the identity the upstream
// vouched for belongs to, and goes on to the second factor its account
// needs.
func (h *Handler) upstreamSignedIn(w http.ResponseWriter, r *http.Request, u Upstream, t target, ident upstream.Identity) {
	ctx := r.Context()
	user, ok := h.upstreamAccount(w, r, u, t, ident)
	if !ok {
		return
	}
	p := h.page(r, t)
	p.Email = user.Email
	if !h.accountOpen(w, r, p, user) {
		h.upstreamObserver().UpstreamRequest(u.ID, UpstreamRefused)
		return
	}
	if err := h.cfg.Store.TouchIdentity(ctx, u.ID, ident.Subject, h.cfg.Now()); err != nil {
		h.cfg.Logger.ErrorContext(ctx, "upstream sign-in: touch identity", "connector", u.ID, "err", err)
	}
	user = h.mapRole(ctx, u, user, ident)
	h.upstreamObserver().UpstreamRequest(u.ID, UpstreamSignedIn)
	h.cfg.Audit.Try(ctx, audit.Event{Action: audit.UpstreamSignIn, Subject: user.ID,
		Detail: map[string]string{"connector": u.ID, "upstream_amr": strings.Join(session.TokenAMR(storage.LoginSession{UpstreamAMR: ident.AMR}), " ")}}.ByUser(user.ID))
	h.afterFirstFactor(w, r, t, user, session.AMR(session.AMRFederated), map[string]string{"connector": u.ID},
		session.Origin{Connector: u.ID, Subject: ident.Subject, SID: ident.SessionID, AMR: ident.AMR})
}

// linkIdentity links the identity to the account userID, which started
// the link from /account and must still be signed in in this browser,
// and returns the browser to /account. An identity linked to another
// account is refused.
func (h *Handler) linkIdentity(w http.ResponseWriter, r *http.Request, u Upstream, userID string, ident upstream.Identity) {
	ctx := r.Context()
	s, ok, err := h.cfg.Sessions.Current(ctx, r)
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "upstream link: load session", "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return
	}
	refuse := func(status int, reason, key string) {
		h.upstreamObserver().UpstreamRequest(u.ID, UpstreamRefused)
		h.cfg.Audit.Try(ctx, audit.Event{Action: audit.UpstreamLinked, Outcome: audit.Failure, Reason: reason, Subject: userID,
			Detail: map[string]string{"connector": u.ID}})
		h.message(w, r, status, web.MessagePage{Title: "upstream.link_title", Message: key, MessageArg: h.upstreamName(r, u, ""), LinkURL: "/account", LinkText: "message.account"})
	}
	if !ok || s.User.ID != userID {
		refuse(http.StatusForbidden, reasonSessionChanged, "upstream.link_session")
		return
	}
	now := h.cfg.Now().UTC()
	err = h.cfg.Store.LinkIdentity(ctx, storage.LinkedIdentity{ConnectorID: u.ID, Subject: ident.Subject, UserID: userID, Email: ident.Email, CreatedAt: now, LastUsedAt: now})
	switch {
	case errors.Is(err, storage.ErrAlreadyExists):
		link, lerr := h.cfg.Store.GetLinkedIdentity(ctx, u.ID, ident.Subject)
		if lerr == nil && link.UserID == userID {
			refuse(http.StatusConflict, reasonAlreadyLinked, "upstream.link_already")
			return
		}
		refuse(http.StatusConflict, reasonLinkedElsewhere, "upstream.link_taken")
		return
	case errors.Is(err, storage.ErrInvalidInput):
		h.upstreamFailed(w, r, u, "", fmt.Errorf("%w: a subject that cannot be stored", upstream.ErrRefused))
		return
	case err != nil:
		h.cfg.Logger.ErrorContext(ctx, "upstream link", "connector", u.ID, "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return
	}
	h.upstreamObserver().UpstreamRequest(u.ID, UpstreamLinkedResult)
	h.cfg.Audit.Try(ctx, audit.Event{Action: audit.UpstreamLinked, Subject: userID,
		Detail: map[string]string{"connector": u.ID, "subject": ident.Subject, "by": "account"}}.ByUser(userID))
	http.Redirect(w, r, "/account?linked="+url.QueryEscape(u.ID), http.StatusSeeOther)
}

// upstreamAccount returns the account the identity signs in to: the one
// it is linked to; else the one with its email, linked to it now, when
// the upstream verified that email (or the connector lets unverified
// ones link); else, when no account has its email and the connector
// creates accounts, a new one linked to it. Otherwise it answers and
// returns false.
func (h *Handler) upstreamAccount(w http.ResponseWriter, r *http.Request, u Upstream, t target, id upstream.Identity) (storage.User, bool) {
	ctx := r.Context()
	link, err := h.cfg.Store.GetLinkedIdentity(ctx, u.ID, id.Subject)
	if errors.Is(err, storage.ErrInvalidInput) {
		h.upstreamFailed(w, r, u, uiLocalesOf(t), fmt.Errorf("%w: a subject that cannot be stored", upstream.ErrRefused))
		return storage.User{}, false
	}
	if err == nil {
		user, err := h.cfg.Store.GetUser(ctx, link.UserID)
		if err == nil {
			return user, true
		}
	}
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		h.cfg.Logger.ErrorContext(ctx, "upstream sign-in: load linked account", "connector", u.ID, "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return storage.User{}, false
	}
	name := h.upstreamName(r, u, uiLocalesOf(t))
	refuse := func(status int, reason, key, arg string) {
		h.upstreamObserver().UpstreamRequest(u.ID, UpstreamRefused)
		h.upstreamRecord(ctx, u.ID, reason, id.Email)
		h.message(w, r, status, web.MessagePage{UILocales: uiLocalesOf(t), Title: "upstream.title", Message: key, MessageArg: arg, LinkURL: "/login", LinkText: "message.sign_in"})
	}
	if id.Email != "" {
		existing, err := h.cfg.Store.GetUserByEmail(ctx, id.Email)
		switch {
		case err == nil && (id.EmailVerified || u.LinkUnverifiedEmail):
			return h.linkByEmail(w, r, u, t, existing, id)
		case err == nil:
			refuse(http.StatusConflict, reasonEmailTaken, "upstream.email_taken", id.Email)
			return storage.User{}, false
		case !errors.Is(err, storage.ErrNotFound) && !errors.Is(err, storage.ErrInvalidInput):
			h.cfg.Logger.ErrorContext(ctx, "upstream sign-in: look up email", "connector", u.ID, "err", err)
			h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
			return storage.User{}, false
		}
	}
	switch {
	case !u.JIT:
		refuse(http.StatusForbidden, reasonNoAccount, "upstream.no_account", name)
		return storage.User{}, false
	case id.Email == "" || !id.EmailVerified:
		refuse(http.StatusForbidden, reasonEmailUnverified, "upstream.email_unverified", name)
		return storage.User{}, false
	}
	return h.createUpstreamAccount(w, r, u, t, id)
}

// linkByEmail links the identity to user, the account with its email,
// and returns user.
func (h *Handler) linkByEmail(w http.ResponseWriter, r *http.Request, u Upstream, t target, user storage.User, id upstream.Identity) (storage.User, bool) {
	ctx := r.Context()
	now := h.cfg.Now().UTC()
	err := h.cfg.Store.LinkIdentity(ctx, storage.LinkedIdentity{ConnectorID: u.ID, Subject: id.Subject, UserID: user.ID, Email: id.Email, CreatedAt: now, LastUsedAt: now})
	if errors.Is(err, storage.ErrAlreadyExists) || errors.Is(err, storage.ErrInvalidInput) {
		// The account has another identity of this connector: one link
		// per connector, never replaced by a sign-in.
		h.upstreamObserver().UpstreamRequest(u.ID, UpstreamRefused)
		h.upstreamRecord(ctx, u.ID, reasonLinkedElsewhere, id.Email)
		h.message(w, r, http.StatusConflict, web.MessagePage{UILocales: uiLocalesOf(t), Title: "upstream.title", Message: "upstream.email_taken", MessageArg: id.Email, LinkURL: "/login", LinkText: "message.sign_in"})
		return storage.User{}, false
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "upstream sign-in: link by email", "connector", u.ID, "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return storage.User{}, false
	}
	verified := "true"
	if !id.EmailVerified {
		verified = "false"
	}
	h.cfg.Audit.Try(ctx, audit.Event{Action: audit.UpstreamLinked, Subject: user.ID,
		Detail: map[string]string{"connector": u.ID, "subject": id.Subject, "by": "email", "email_verified": verified}}.ByUser(user.ID))
	return user, true
}

// upstreamRole is the role the connector's RoleMapping gives the
// identity: the first mapping whose claim (or "groups") holds its value;
// else DefaultRole. ok is false when the connector maps no roles.
func upstreamRole(u Upstream, id upstream.Identity) (role string, ok bool) {
	if len(u.RoleMapping) == 0 {
		return "", false
	}
	for _, m := range u.RoleMapping {
		values := id.Claims[m.Claim]
		if m.Claim == "groups" {
			values = id.Groups
		}
		if slices.Contains(values, m.Value) {
			return m.Role, true
		}
	}
	return u.DefaultRole, u.DefaultRole != ""
}

// mapRole gives user the role the connector maps the identity to, when
// it maps roles and the role differs: as every role change does (the
// console's, the command line's), the account's tokens with scopes the
// new role does not allow are revoked, in the change's transaction, with
// its record. It returns the account as it is now.
func (h *Handler) mapRole(ctx context.Context, u Upstream, user storage.User, id upstream.Identity) storage.User {
	role, ok := upstreamRole(u, id)
	if !ok || role == user.Role {
		return user
	}
	updated := user
	err := h.cfg.Audit.InTx(ctx, h.cfg.Store, func(ctx context.Context) ([]audit.Event, error) {
		var err error
		updated, err = h.cfg.Store.UpdateUser(ctx, user.ID, func(x storage.User) (storage.User, error) {
			x.Role, x.UpdatedAt = role, h.cfg.Now().UTC().Truncate(time.Second)
			return x, nil
		})
		if err != nil {
			return nil, err
		}
		allowed := h.cfg.RoleScopes[role]
		n, err := h.cfg.Store.RevokeSubjectBeyond(ctx, user.ID, allowed)
		if err != nil {
			return nil, fmt.Errorf("revoke tokens beyond the role: %w", err)
		}
		return []audit.Event{{Action: audit.RoleChanged, Subject: user.ID, Scopes: allowed,
			Detail: map[string]string{"from": user.Role, "to": role, "connector": u.ID, "tokens_revoked": strconv.Itoa(n)}}}, nil
	})
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "upstream sign-in: map role", "connector", u.ID, "err", err)
		return user
	}
	return updated
}

// createUpstreamAccount creates the identity's account (active, its email
// verified by the upstream, no password) and links the identity to it,
// in one transaction.
func (h *Handler) createUpstreamAccount(w http.ResponseWriter, r *http.Request, u Upstream, t target, id upstream.Identity) (storage.User, bool) {
	ctx := r.Context()
	now := h.cfg.Now().UTC()
	role := u.DefaultRole
	if mapped, ok := upstreamRole(u, id); ok {
		role = mapped
	}
	user := storage.User{
		ID: uuid.NewString(), Email: id.Email, EmailVerified: true, Name: id.Name,
		Status: storage.UserActive, Role: role, CreatedAt: now, UpdatedAt: now,
	}
	err := storage.InTx(ctx, h.cfg.Store, func(ctx context.Context) error {
		if err := h.cfg.Store.CreateUser(ctx, user); err != nil {
			return err
		}
		return h.cfg.Store.LinkIdentity(ctx, storage.LinkedIdentity{ConnectorID: u.ID, Subject: id.Subject, UserID: user.ID, Email: id.Email, CreatedAt: now, LastUsedAt: now})
	})
	if errors.Is(err, storage.ErrAlreadyExists) || errors.Is(err, storage.ErrInvalidInput) {
		// Another sign-in made the account or the link meanwhile, or the
		// upstream's claims cannot be stored: nothing was created.
		h.upstreamObserver().UpstreamRequest(u.ID, UpstreamRefused)
		h.upstreamRecord(ctx, u.ID, reasonEmailTaken, id.Email)
		h.message(w, r, http.StatusConflict, web.MessagePage{UILocales: uiLocalesOf(t), Title: "upstream.title", Message: "upstream.email_taken", MessageArg: id.Email, LinkURL: "/login", LinkText: "message.sign_in"})
		return storage.User{}, false
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "upstream sign-in: create account", "connector", u.ID, "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return storage.User{}, false
	}
	h.cfg.Logger.InfoContext(ctx, "account created at upstream sign-in", "user_id", user.ID, "connector", u.ID)
	h.cfg.Audit.Try(ctx, audit.Event{Action: audit.UpstreamJITCreated, Subject: user.ID,
		Detail: map[string]string{"connector": u.ID, "email": user.Email, "role": user.Role}}.ByUser(user.ID))
	h.cfg.Audit.Try(ctx, audit.Event{Action: audit.UpstreamLinked, Subject: user.ID,
		Detail: map[string]string{"connector": u.ID, "subject": id.Subject}}.ByUser(user.ID))
	// CreateUser stores an empty role as the default one: read it back.
	if stored, err := h.cfg.Store.GetUser(ctx, user.ID); err == nil {
		user = stored
	}
	return user, true
}

// upstreamFailed answers an upstream that refused or could not be
// reached, naming it: 503 when it is down, 403 when it refused.
func (h *Handler) upstreamFailed(w http.ResponseWriter, r *http.Request, u Upstream, uiLocales string, err error) {
	ctx := r.Context()
	status, key, reason, result := http.StatusForbidden, "upstream.refused", reasonUpstreamRefused, UpstreamRefused
	if errors.Is(err, upstream.ErrUnavailable) {
		status, key, reason, result = http.StatusServiceUnavailable, "upstream.unavailable", reasonUnavailable, UpstreamUnavailable
	} else if !errors.Is(err, upstream.ErrRefused) {
		// Neither: the connector's own mistake, told as a refusal.
		h.cfg.Logger.ErrorContext(ctx, "upstream sign-in", "connector", u.ID, "err", err)
	}
	h.cfg.Logger.InfoContext(ctx, "upstream sign-in failed", "connector", u.ID, "reason", reason, "err", err)
	h.upstreamObserver().UpstreamRequest(u.ID, result)
	h.upstreamRecord(ctx, u.ID, reason, "")
	h.message(w, r, status, web.MessagePage{UILocales: uiLocales, Title: "upstream.title", Message: key, MessageArg: h.upstreamName(r, u, uiLocales), LinkURL: "/login", LinkText: "message.sign_in"})
}

// upstreamName is the connector's name in the language of the page.
func (h *Handler) upstreamName(r *http.Request, u Upstream, uiLocales string) string {
	if h.cfg.Pages.Locale(r, uiLocales) == i18n.Chinese && u.NameZH != "" {
		return u.NameZH
	}
	return u.Name
}

// upstreamRecord records a refused upstream sign-in through the
// connector (empty: one the callback's path names but no configuration
// has).
func (h *Handler) upstreamRecord(ctx context.Context, connector, reason, email string) {
	d := map[string]string{"connector": cmp.Or(connector, "unknown")}
	if email != "" {
		d["email"] = email
	}
	h.cfg.Audit.Try(ctx, audit.Event{Action: audit.UpstreamSignIn, Outcome: audit.Failure, Reason: reason, Detail: d})
}

func (h *Handler) upstreamObserver() UpstreamObserver {
	if h.cfg.UpstreamObserver == nil {
		return nopObserver{}
	}
	return h.cfg.UpstreamObserver
}

// UpstreamCallbackPath is where an upstream sends the browser back, the
// connector's ID after it (config.UpstreamCallbackPath, the redirect URI
// registered upstream, is the same).
const UpstreamCallbackPath = "/login/upstream/callback/"
