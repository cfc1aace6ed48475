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
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/i18n"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// UpstreamConnector is the protocol side of an upstream identity
// provider, as upstream/oidc's Connector offers it: where to send the
// browser, and what its answer says.
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

// Upstream is an upstream identity provider the sign-in page offers.
type Upstream struct {
	// ID names the connector in URLs and linked identities.
	ID string
	// Name and NameZH are its display names (English, Simplified
	// Chinese).
	Name, NameZH string
	// JIT creates an account, with DefaultRole, for an identity whose
	// verified email no account has, at its first sign-in.
	JIT         bool
	DefaultRole string
	Connector   UpstreamConnector
}

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
)

// UpstreamResults lists every result UpstreamRequest reports.
func UpstreamResults() []string {
	return []string{UpstreamRedirected, UpstreamSignedIn, UpstreamRefused, UpstreamUnavailable}
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
)

// upstreamStateTTL is how long the browser may take at the upstream.
const upstreamStateTTL = 10 * time.Minute

// maxUpstreamState bounds the sealed state cookie read back.
const maxUpstreamState = 4 << 10

// upstreamState is what the callback needs of the sign-in it ends,
// sealed in the browser's cookie: nothing is stored server-side, and
// only this browser can finish the sign-in it started.
type upstreamState struct {
	Connector string    `json:"c"`
	Flow      string    `json:"f,omitempty"`
	Next      string    `json:"n,omitempty"`
	State     string    `json:"s"`
	Nonce     string    `json:"o"`
	Verifier  string    `json:"v"`
	Until     time.Time `json:"t"`
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
// cookie. SameSite=Lax: the upstream's redirect back is a top-level GET.
func (h *Handler) setUpstreamCookie(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: h.upstreamCookie(), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: h.secure(), SameSite: http.SameSiteLaxMode,
	})
}

// upstreamByID returns the configured connector with id.
func (h *Handler) upstreamByID(id string) (Upstream, bool) {
	for _, u := range h.cfg.Upstreams {
		if u.ID == id {
			return u, true
		}
	}
	return Upstream{}, false
}

// upstreamButtons are the sign-in page's upstream buttons.
func (h *Handler) upstreamButtons() []web.UpstreamButton {
	var b []web.UpstreamButton
	for _, u := range h.cfg.Upstreams {
		b = append(b, web.UpstreamButton{ID: u.ID, Name: u.Name, NameZH: u.NameZH})
	}
	return b
}

// startUpstream is POST /login/upstream/{id}: it makes the sign-in's
// state, nonce and PKCE verifier, seals them into this browser's cookie
// and sends the browser to the upstream.
func (h *Handler) startUpstream(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u, ok := h.upstreamByID(r.PathValue("id"))
	if !ok {
		h.errorPage(w, r, "", http.StatusNotFound, "error.not_found")
		return
	}
	t, ok := h.loadTarget(w, r, r.PostFormValue("flow"), r.PostFormValue("next"))
	if !ok {
		return
	}
	st := upstreamState{
		Connector: u.ID, Next: t.next, State: rand.Text(), Nonce: rand.Text(),
		Verifier: oauth2.GenerateVerifier(), Until: h.cfg.Now().Add(upstreamStateTTL).UTC(),
	}
	var opts []oauth2.AuthCodeOption
	if t.flow != nil {
		st.Flow, st.Next = t.flow.ID, ""
		if hint := flowQuery(t.flow).Get("login_hint"); hint != "" {
			// The address the app says the user is known by (OpenID
			// Connect Core 3.1.2.1), passed on.
			opts = append(opts, oauth2.SetAuthURLParam("login_hint", hint))
		}
	}
	to, err := u.Connector.AuthCodeURL(ctx, st.State, st.Nonce, st.Verifier, opts...)
	if err != nil {
		h.upstreamFailed(w, r, u, uiLocalesOf(t), err)
		return
	}
	b, err := json.Marshal(st)
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "upstream sign-in: seal state", "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return
	}
	h.setUpstreamCookie(w, base64.RawURLEncoding.EncodeToString(h.cfg.UpstreamSealer.Seal(b, upstreamLabel)), int(upstreamStateTTL.Seconds()))
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
	if err != nil || c.Value == "" || len(c.Value) > maxUpstreamState {
		return upstreamState{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return upstreamState{}, false
	}
	b, err := h.cfg.UpstreamSealer.Open(raw, upstreamLabel)
	if err != nil {
		return upstreamState{}, false
	}
	var st upstreamState
	if err := json.Unmarshal(b, &st); err != nil || st.State == "" || !h.cfg.Now().Before(st.Until) {
		return upstreamState{}, false
	}
	return st, true
}

// upstreamCallback is GET /login/upstream/callback/{id}: the upstream
// sends the browser back. The sign-in's state must be this browser's
// (the cookie), for this connector (mix-up) and with the same state
// (login CSRF); then the upstream's answer is verified, the account
// found (or created), and the sign-in goes on to the second factor its
// account needs.
func (h *Handler) upstreamCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st, ok := h.openUpstreamState(r)
	// The state is used once, whatever happens next.
	h.setUpstreamCookie(w, "", -1)
	id := r.PathValue("id")
	u, known := h.upstreamByID(id)
	refuse := func(reason string) {
		if known {
			h.upstreamObserver().UpstreamRequest(u.ID, UpstreamRefused)
		}
		h.upstreamRecord(ctx, u.ID, reason, "")
		h.message(w, r, http.StatusBadRequest, web.MessagePage{Title: "upstream.title", Message: "upstream.state_lost", LinkURL: "/login", LinkText: "message.sign_in"})
	}
	switch {
	case !ok:
		refuse(reasonStateLost)
		return
	case !known || st.Connector != id:
		refuse(reasonConnectorMismatch)
		return
	case subtle.ConstantTimeCompare([]byte(st.State), []byte(r.URL.Query().Get("state"))) != 1:
		refuse(reasonStateMismatch)
		return
	}
	t, ok := h.loadTarget(w, r, st.Flow, st.Next)
	if !ok {
		return
	}
	locales := uiLocalesOf(t)
	code, err := u.Connector.CheckCallback(ctx, r.URL.Query())
	if err != nil {
		h.upstreamFailed(w, r, u, locales, err)
		return
	}
	ident, err := u.Connector.Finish(ctx, code, st.Verifier, st.Nonce)
	if err != nil {
		h.upstreamFailed(w, r, u, locales, err)
		return
	}
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
	h.upstreamObserver().UpstreamRequest(u.ID, UpstreamSignedIn)
	h.cfg.Audit.Try(ctx, audit.Event{Action: audit.UpstreamSignIn, Subject: user.ID,
		Detail: map[string]string{"connector": u.ID, "upstream_amr": strings.Join(ident.AMR, " ")}}.ByUser(user.ID))
	h.afterFirstFactor(w, r, t, user, session.AMR(session.AMRFederated), map[string]string{"connector": u.ID})
}

// upstreamAccount returns the account the identity signs in to: the one
// it is linked to; else, when no account has its email and the
// connector creates accounts, a new one linked to it. An account that
// has the identity's email but is not linked to it is never linked
// silently: the user is told to sign in as usual. Otherwise it answers
// and returns false.
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
		_, err := h.cfg.Store.GetUserByEmail(ctx, id.Email)
		switch {
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

// createUpstreamAccount creates the identity's account (active, its email
// verified by the upstream, no password) and links the identity to it,
// in one transaction.
func (h *Handler) createUpstreamAccount(w http.ResponseWriter, r *http.Request, u Upstream, t target, id upstream.Identity) (storage.User, bool) {
	ctx := r.Context()
	now := h.cfg.Now().UTC()
	user := storage.User{
		ID: uuid.NewString(), Email: id.Email, EmailVerified: true, Name: id.Name,
		Status: storage.UserActive, Role: u.DefaultRole, CreatedAt: now, UpdatedAt: now,
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
