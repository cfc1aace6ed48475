package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/justinas/nosurf"

	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// Store is what the session manager needs of storage.
type Store interface {
	storage.LoginSessions
	GetUser(ctx context.Context, id string) (storage.User, error)
}

// Config holds the manager's settings and dependencies.
type Config struct {
	Store Store
	// Issuer is the provider's public URL; its origin is the one forms
	// may be posted from.
	Issuer string
	// Secure marks cookies Secure (everywhere but dev mode over http).
	Secure bool
	// Lifespan is how long a sign-in lasts.
	Lifespan time.Duration
	// OnForgery answers a request that failed the CSRF check.
	OnForgery http.Handler
	Now       func() time.Time
	Logger    *slog.Logger
}

// Manager signs browsers in and out and tells who is signed in.
type Manager struct {
	cfg        Config
	cookieName string
	csrfCookie string
	origin     *url.URL
}

// New returns a manager.
func New(cfg Config) (*Manager, error) {
	origin, err := url.Parse(cfg.Issuer)
	if err != nil || origin.Host == "" {
		return nil, fmt.Errorf("session: issuer %q is not an absolute URL", cfg.Issuer)
	}
	cfg.Now, cfg.Logger = defaults.Now(cfg.Now), defaults.Logger(cfg.Logger)
	m := &Manager{cfg: cfg, cookieName: "tokenim_session", csrfCookie: "tokenim_csrf", origin: &url.URL{Scheme: origin.Scheme, Host: origin.Host}}
	if cfg.Secure {
		// The __Host- prefix pins the cookie to this host, path / and
		// HTTPS: no subdomain can set or shadow it.
		m.cookieName, m.csrfCookie = "__Host-"+m.cookieName, "__Host-"+m.csrfCookie
	}
	return m, nil
}

// acrPending marks a session whose password was right but whose second
// factor is still to come: it signs nobody in.
const acrPending = "pending"

// pendingLifespan is how long the second factor may take.
const pendingLifespan = 10 * time.Minute

// Signed is the browser's signed-in state.
type Signed struct {
	Session storage.LoginSession
	User    storage.User
}

// SID is the session ID clients see (the sid claim of ID tokens and logout
// tokens): derived from the login session so it is stable for a browser
// sign-in, and not the stored ID itself.
func SID(loginSessionID string) string {
	return secret.Derived("sid", loginSessionID)
}

// Origin is the upstream identity provider a sign-in came through: the
// connector's ID, the user's subject there, and the upstream's session
// ID (its ID token's sid) when it sent one. The zero Origin is a sign-in
// of our own; an Origin without a Connector is one too.
//
// AMR is how the upstream says the user signed in there (its ID token's
// amr claim), when it said so. The session keeps it apart from our
// methods (storage.LoginSession.UpstreamAMR, at most eight well-formed
// values): tokens show it (TokenAMR), and it never counts toward the
// session's level or any policy.
type Origin struct {
	Connector, Subject, SID string
	AMR                     []string
}

// OriginOf returns the upstream ls was signed in through: what a session
// that continues ls (after the second factor, a step-up) passes on.
func OriginOf(ls storage.LoginSession) Origin {
	return Origin{Connector: ls.Upstream, Subject: ls.UpstreamSubject, SID: ls.UpstreamSID, AMR: slices.Clone(ls.UpstreamAMR)}
}

// hashToken is how a cookie value becomes a session ID.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Current returns who is signed in to the browser that sent r. ok is false
// when nobody is: no cookie, an unknown or expired session, or an account
// that is no longer active.
func (m *Manager) Current(ctx context.Context, r *http.Request) (s Signed, ok bool, err error) {
	s, ok, err = m.load(ctx, r)
	if ok && s.Session.ACR == acrPending {
		return Signed{}, false, nil
	}
	return s, ok, err
}

// Pending returns the browser's sign-in that passed the password and
// waits for its second factor.
func (m *Manager) Pending(ctx context.Context, r *http.Request) (s Signed, ok bool, err error) {
	s, ok, err = m.load(ctx, r)
	if ok && s.Session.ACR != acrPending {
		return Signed{}, false, nil
	}
	return s, ok, err
}

// load returns the browser's live session, pending or not.
func (m *Manager) load(ctx context.Context, r *http.Request) (s Signed, ok bool, err error) {
	c, err := r.Cookie(m.cookieName)
	if err != nil || c.Value == "" {
		return Signed{}, false, nil
	}
	ls, err := m.cfg.Store.GetLoginSession(ctx, hashToken(c.Value))
	if errors.Is(err, storage.ErrNotFound) {
		return Signed{}, false, nil
	}
	if err != nil {
		return Signed{}, false, fmt.Errorf("session: load: %w", err)
	}
	if !ls.ExpiresAt.After(m.cfg.Now()) {
		return Signed{}, false, nil
	}
	u, err := m.cfg.Store.GetUser(ctx, ls.UserID)
	if errors.Is(err, storage.ErrNotFound) {
		return Signed{}, false, nil
	}
	if err != nil {
		return Signed{}, false, fmt.Errorf("session: load user: %w", err)
	}
	if u.Status != storage.UserActive {
		return Signed{}, false, nil
	}
	return Signed{Session: ls, User: u}, true, nil
}

// Start signs user in on this browser: it stores a new login session and
// sets its cookie. A previous session of the browser is ended first, so a
// session ID fixed before sign-in is never promoted (OWASP ASVS 3.2.1).
func (m *Manager) Start(ctx context.Context, w http.ResponseWriter, r *http.Request, user storage.User, amr []string, acr string) (storage.LoginSession, error) {
	return m.start(ctx, w, r, user, amr, acr, m.cfg.Lifespan, time.Time{}, Origin{})
}

// StartFrom is Start for a sign-in that came through an upstream
// identity provider: the session records origin, so that the upstream's
// logout can end it and ending it can end the upstream's.
func (m *Manager) StartFrom(ctx context.Context, w http.ResponseWriter, r *http.Request, user storage.User, amr []string, acr string, origin Origin) (storage.LoginSession, error) {
	return m.start(ctx, w, r, user, amr, acr, m.cfg.Lifespan, time.Time{}, origin)
}

// Renew gives this browser a new session of the same sign-in as ls: its
// auth_time, methods, level and the upstream it came through, if any.
// It is for a browser that stays signed in after every session of the
// user was ended on purpose (signing out everywhere else, a changed
// password). Nobody authenticated, so the sign-in is no fresher than it
// was: a page or an app asking for a recent sign-in (max_age) still sees
// when the user last did.
func (m *Manager) Renew(ctx context.Context, w http.ResponseWriter, r *http.Request, user storage.User, ls storage.LoginSession) (storage.LoginSession, error) {
	return m.start(ctx, w, r, user, ls.AMR, ls.ACR, m.cfg.Lifespan, ls.AuthTime, OriginOf(ls))
}

// StartPending records that user gave a first factor on this browser
// (the methods of amr: a password, an upstream's sign-in) and must now
// give a second one. The browser is not signed in until Start is called
// after the second factor.
func (m *Manager) StartPending(ctx context.Context, w http.ResponseWriter, r *http.Request, user storage.User, amr []string) (storage.LoginSession, error) {
	return m.start(ctx, w, r, user, amr, acrPending, pendingLifespan, time.Time{}, Origin{})
}

// StartPendingFrom is StartPending for a first factor given at an
// upstream identity provider. The pending session records origin; the
// second step passes it on to StartFrom (OriginOf the pending session),
// so that the full session records it too.
func (m *Manager) StartPendingFrom(ctx context.Context, w http.ResponseWriter, r *http.Request, user storage.User, amr []string, origin Origin) (storage.LoginSession, error) {
	return m.start(ctx, w, r, user, amr, acrPending, pendingLifespan, time.Time{}, origin)
}

// start stores a new session for this browser; authTime is when the user
// authenticated, zero for now.
func (m *Manager) start(ctx context.Context, w http.ResponseWriter, r *http.Request, user storage.User, amr []string, acr string, lifespan time.Duration, authTime time.Time, origin Origin) (storage.LoginSession, error) {
	if err := m.forget(ctx, r); err != nil {
		return storage.LoginSession{}, err
	}
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	now := m.cfg.Now().UTC().Truncate(time.Second)
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	if authTime.IsZero() {
		authTime = now
	}
	ls := storage.LoginSession{
		ID: hashToken(token), UserID: user.ID, AuthTime: authTime, AMR: amr, ACR: acr,
		UserAgent: reqctx.ClipUserAgent(r.UserAgent()), IP: ip,
		CreatedAt: now, ExpiresAt: now.Add(lifespan),
	}
	if origin.Connector != "" {
		ls.Upstream, ls.UpstreamSubject, ls.UpstreamSID = origin.Connector, origin.Subject, origin.SID
		ls.UpstreamAMR = upstreamMethods(nil, origin.AMR)
	}
	if err := m.cfg.Store.CreateLoginSession(ctx, ls); err != nil {
		return storage.LoginSession{}, fmt.Errorf("session: create: %w", err)
	}
	http.SetCookie(w, m.cookie(token, int(lifespan.Seconds())))
	return ls, nil
}

// End signs this browser out: its session is deleted and the cookie
// cleared. Ending a browser that is not signed in is not an error.
func (m *Manager) End(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(m.cookieName); err != nil || c.Value == "" {
		return nil
	}
	if err := m.forget(ctx, r); err != nil {
		return err
	}
	http.SetCookie(w, m.cookie("", -1))
	return nil
}

// forget deletes the stored session the browser's cookie names, if any.
func (m *Manager) forget(ctx context.Context, r *http.Request) error {
	c, err := r.Cookie(m.cookieName)
	if err != nil || c.Value == "" {
		return nil
	}
	if err := m.cfg.Store.DeleteLoginSession(ctx, hashToken(c.Value)); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("session: delete: %w", err)
	}
	return nil
}

func (m *Manager) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: m.cookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: m.cfg.Secure, SameSite: http.SameSiteLaxMode,
	}
}

// Protect wraps a page handler with CSRF protection: safe methods get a
// token (read it with CSRFToken), unsafe ones must send it back in the
// csrf_token form field from this site.
func (m *Manager) Protect(h http.Handler) http.Handler {
	p := nosurf.New(h)
	p.SetBaseCookie(http.Cookie{Name: m.csrfCookie, Path: "/", HttpOnly: true, Secure: m.cfg.Secure, SameSite: http.SameSiteLaxMode, MaxAge: int((12 * time.Hour).Seconds())})
	// Behind a TLS-terminating proxy the request is plain HTTP while the
	// browser's Origin is the https issuer: trust that origin by name.
	p.SetIsAllowedOriginFunc(func(u *url.URL) bool { return u.Scheme == m.origin.Scheme && u.Host == m.origin.Host })
	if m.cfg.OnForgery != nil {
		p.SetFailureHandler(m.cfg.OnForgery)
	}
	return p
}

// CSRFField is the form field that carries the CSRF token back.
const CSRFField = nosurf.FormFieldName

// CSRFToken returns the token a protected handler puts in its forms.
func CSRFToken(r *http.Request) string { return nosurf.Token(r) }

// ForgeryReason tells why a request failed the CSRF check, for the log.
func ForgeryReason(r *http.Request) error { return nosurf.Reason(r) }
