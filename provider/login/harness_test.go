package login

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/mail"
	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/provider/password/passwordtest"
	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

var t0 = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

const (
	testIssuer = "https://auth.tokenim.example"
	testIP     = "192.0.2.7"
)

// browser is one browser's sign-in state, as the session cookie would
// hold it; CSRF is the real middleware's business, tested with it.
type browser struct {
	store storage.Users

	mu sync.Mutex
	// The signed-in and the pending sessions (UserID empty: none).
	current, pending storage.LoginSession
}

func (b *browser) signed(ctx context.Context, ls storage.LoginSession) (session.Signed, bool, error) {
	if ls.UserID == "" {
		return session.Signed{}, false, nil
	}
	u, err := b.store.GetUser(ctx, ls.UserID)
	return session.Signed{User: u, Session: ls}, err == nil, err
}

func (b *browser) Current(ctx context.Context, _ *http.Request) (session.Signed, bool, error) {
	b.mu.Lock()
	ls := b.current
	b.mu.Unlock()
	return b.signed(ctx, ls)
}

func (b *browser) Pending(ctx context.Context, _ *http.Request) (session.Signed, bool, error) {
	b.mu.Lock()
	ls := b.pending
	b.mu.Unlock()
	return b.signed(ctx, ls)
}

func (b *browser) StartFrom(_ context.Context, _ http.ResponseWriter, _ *http.Request, u storage.User, amr []string, acr string, o session.Origin) (storage.LoginSession, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.current = storage.LoginSession{ID: uuid.NewString(), UserID: u.ID, AMR: amr, ACR: acr, AuthTime: t0,
		Upstream: o.Connector, UpstreamSubject: o.Subject, UpstreamSID: o.SID, UpstreamAMR: o.AMR}
	b.pending = storage.LoginSession{}
	return b.current, nil
}

func (b *browser) StartPendingFrom(_ context.Context, _ http.ResponseWriter, _ *http.Request, u storage.User, amr []string, o session.Origin) (storage.LoginSession, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending = storage.LoginSession{ID: uuid.NewString(), UserID: u.ID, AMR: amr, ACR: "pending", AuthTime: t0,
		Upstream: o.Connector, UpstreamSubject: o.Subject, UpstreamSID: o.SID, UpstreamAMR: o.AMR}
	b.current = storage.LoginSession{}
	return b.pending, nil
}

func (b *browser) End(context.Context, http.ResponseWriter, *http.Request) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.current, b.pending = storage.LoginSession{}, storage.LoginSession{}
	return nil
}

func (*browser) Protect(h http.Handler) http.Handler { return h }

// countingHasher counts the password work asked of the pool.
type countingHasher struct {
	PasswordHasher
	hashes, verifies atomic.Int32
}

func (c *countingHasher) Hash(ctx context.Context, pw string) (string, error) {
	c.hashes.Add(1)
	return c.PasswordHasher.Hash(ctx, pw)
}

func (c *countingHasher) Verify(ctx context.Context, pw, hash string) (bool, error) {
	c.verifies.Add(1)
	return c.PasswordHasher.Verify(ctx, pw, hash)
}

func (c *countingHasher) VerifyNothing(ctx context.Context, pw string) error {
	c.verifies.Add(1)
	return c.PasswordHasher.VerifyNothing(ctx, pw)
}

// outbox keeps the mail sent.
type outbox struct {
	mu   sync.Mutex
	sent []mail.Message
}

func (o *outbox) Send(_ context.Context, m mail.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, m)
	return nil
}

func (o *outbox) take() []mail.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := o.sent
	o.sent = nil
	return out
}

type harness struct {
	store   *memory.Store
	browser *browser
	hasher  *countingHasher
	mail    *outbox
	handler *Handler
	mux     *http.ServeMux
	sealer  secret.Sealer
	// now is the clock of the handler and its throttles.
	mu  sync.Mutex
	now time.Time
}

// accountPolicy gives an account three free failures, then waits from
// 30 s up to 5 min.
var accountPolicy = throttle.Policy{Free: 3, Base: 30 * time.Second, Max: 5 * time.Minute, ForgetAfter: time.Hour}

// newHarness builds the sign-in handler over the memory store, the real
// pages and mail composer, a real password pool (counted) and mail kept
// in memory. change, when given, adjusts the configuration.
func newHarness(t *testing.T, change ...func(*Config)) *harness {
	t.Helper()
	store := memory.New()
	ring, err := secret.NewKeyring(strings.Repeat("s", 32))
	if err != nil {
		t.Fatal(err)
	}
	pages := webtest.Pages(t)
	composer, err := mail.NewComposer()
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := secret.NewSealer(ring.Derive(secret.PurposeTOTP))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{store: store, browser: &browser{store: store}, mail: &outbox{}, sealer: sealer, now: t0,
		hasher: &countingHasher{PasswordHasher: password.NewPool(2, 4)}}
	now := func() time.Time {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.now
	}
	cfg := Config{
		Store: store, Sessions: h.browser, Pages: pages,
		Accounts:      throttle.New(store, accountPolicy, now),
		IPs:           throttle.New(store, throttle.Policy{Free: 100, Base: time.Second, Max: time.Minute, ForgetAfter: time.Hour}, now),
		Registrations: throttle.New(store, throttle.Policy{Free: 2, Base: time.Minute, Max: time.Hour, ForgetAfter: 24 * time.Hour}, now),
		Sealer:        sealer, RecoveryHasher: secret.NewHasherFor(ring, secret.PurposeRecoveryCodes),
		Links: secret.NewHasherFor(ring, secret.PurposeOneTimeLinks),
		Mail:  h.mail, Composer: composer, Registration: true,
		Issuer: testIssuer, ActivationLink: 24 * time.Hour, ResetLink: 30 * time.Minute,
		Passwords: password.NewPolicy(), Hasher: h.hasher,
		Audit: audit.NewRecorder(audit.RecorderConfig{Store: store, Now: now}), Now: now,
	}
	for _, c := range change {
		c(&cfg)
	}
	h.handler = New(cfg)
	h.mux = http.NewServeMux()
	h.handler.Mount(h.mux)
	return h
}

// advance moves the clock on.
func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = h.now.Add(d)
}

func (h *harness) serve(t *testing.T, req *http.Request, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return webtest.Serve(h.mux, req.WithContext(reqctx.With(req.Context(), "req-1", testIP, "test")), header...)
}

func (h *harness) get(t *testing.T, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return h.serve(t, webtest.Get(t, path), header...)
}

func (h *harness) post(t *testing.T, path string, form url.Values, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return h.serve(t, postRequest(t, path, form), header...)
}

// postRequest is a form post to path.
func postRequest(t *testing.T, path string, form url.Values) *http.Request {
	return webtest.Post(t, path, form)
}

// addUser stores an active user with the password, hashed outside the
// counted pool.
func (h *harness) addUser(t *testing.T, email, pw string, change ...func(*storage.User)) storage.User {
	t.Helper()
	hash := passwordtest.Hash(t, pw)
	u := storage.User{ID: uuid.NewString(), Email: email, Name: "Ann", PasswordHash: hash, Status: storage.UserActive, EmailVerified: true, Role: "member", CreatedAt: t0, UpdatedAt: t0}
	for _, c := range change {
		c(&u)
	}
	if err := h.store.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

// addLink stores a live one-time link for the user and returns its token.
func (h *harness) addLink(t *testing.T, userID string, purpose storage.LinkPurpose) string {
	t.Helper()
	token, err := h.handler.links.Token(t.Context(), userID, purpose, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// wantPage checks a response's status and that its body says each of
// want (webtest.WantPage).
var wantPage = webtest.WantPage

// tokenOf returns the token of the link to path in a mail's text.
func tokenOf(t *testing.T, m mail.Message, path string) string {
	t.Helper()
	for line := range strings.Lines(m.Text) {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, testIssuer+path+"?") {
			u, err := url.Parse(line)
			if err != nil {
				t.Fatal(err)
			}
			return u.Query().Get("token")
		}
	}
	t.Fatalf("no link to %s in the mail:\n%s", path, m.Text)
	return ""
}
