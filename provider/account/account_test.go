package account

import (
	"cmp"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/mfa"
	"github.com/tokenim/tokenim-auth/provider/passkey"
	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/provider/password/passwordtest"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

var t0 = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

const (
	totpSecret  = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	annPassword = "violet-harbour-42"
)

// signedIn signs in the user with the ID, as stored, with the session ls
// (whose ID is "session-0123456789" when it has none); CSRF is the real
// middleware's business, tested with it.
type signedIn struct {
	store  storage.Users
	userID string
	ls     storage.LoginSession
}

func (s signedIn) Current(ctx context.Context, _ *http.Request) (session.Signed, bool, error) {
	u, err := s.store.GetUser(ctx, s.userID)
	ls := s.ls
	ls.ID, ls.UserID = cmp.Or(ls.ID, "session-0123456789"), u.ID
	return session.Signed{User: u, Session: ls}, err == nil, err
}

// Renew is session.Manager.Renew: the same sign-in, a new session.
func (signedIn) Renew(_ context.Context, _ http.ResponseWriter, _ *http.Request, u storage.User, ls storage.LoginSession) (storage.LoginSession, error) {
	return storage.LoginSession{ID: "session-9876543210", UserID: u.ID, AuthTime: ls.AuthTime, AMR: ls.AMR, ACR: ls.ACR}, nil
}

// signedInWith signs Ann in with the session ls.
func signedInWith(ls storage.LoginSession) func(*Config) {
	return func(c *Config) { c.Sessions = signedIn{c.Store.(storage.Users), "u-ann", ls} }
}

// A sign-in a minute before t0 with a password and a code; the same an
// hour before; with a password alone a minute before.
var (
	freshTwoFactor = storage.LoginSession{AuthTime: t0.Add(-time.Minute), AMR: session.AMR(session.AMRPassword, session.AMROTP), ACR: session.ACRTwoFactor}
	staleTwoFactor = storage.LoginSession{AuthTime: t0.Add(-time.Hour), AMR: session.AMR(session.AMRPassword, session.AMROTP), ACR: session.ACRTwoFactor}
	freshPassword  = storage.LoginSession{AuthTime: t0.Add(-time.Minute), AMR: session.AMR(session.AMRPassword), ACR: session.ACRPassword}
)

func (signedIn) Protect(h http.Handler) http.Handler { return h }

// fullPool is a password pool with no room left.
type fullPool struct{}

func (fullPool) Verify(context.Context, string, string) (bool, error) { return false, password.ErrBusy }
func (fullPool) Hash(context.Context, string) (string, error)         { return "", password.ErrBusy }

type harness struct {
	store    storage.Store
	mux      *http.ServeMux
	throttle *throttle.Throttle
	user     storage.User
	sealer   secret.Sealer
	recovery secret.Hasher
	mu       sync.Mutex
	now      time.Time
}

// policy gives three free failures, then waits from 30 s.
var policy = throttle.Policy{Free: 3, Base: 30 * time.Second, Max: 5 * time.Minute, ForgetAfter: time.Hour}

// newHarness serves the account page of Ann, who has two-step
// verification on, over the memory store and the real pages; change, if
// given, changes the handler's configuration first.
func newHarness(t testing.TB, hasher PasswordHasher, change ...func(*Config)) *harness {
	t.Helper()
	return newHarnessOn(t, memory.New(), hasher, change...)
}

// stores are the backends the handler tests that write run on: memory,
// and Postgres (a schema of the test's own; skipped when it cannot be
// reached, unless CI=true).
func stores() map[string]func(t *testing.T) storage.Store {
	return map[string]func(t *testing.T) storage.Store{
		"memory":   func(*testing.T) storage.Store { return memory.New() },
		"postgres": func(t *testing.T) storage.Store { return pgtest.Open(t) },
	}
}

// newHarnessOn is newHarness over store.
func newHarnessOn(t testing.TB, store storage.Store, hasher PasswordHasher, change ...func(*Config)) *harness {
	t.Helper()
	ring, err := secret.NewKeyring(strings.Repeat("s", 32))
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := secret.NewSealer(ring.Derive(secret.PurposeTOTP))
	if err != nil {
		t.Fatal(err)
	}
	pages := webtest.Pages(t)
	hash := passwordtest.Hash(t, annPassword)
	h := &harness{store: store, now: t0}
	now := func() time.Time {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.now
	}
	h.user = storage.User{ID: "u-ann", Email: "ann@example.com", PasswordHash: hash, Status: storage.UserActive, Role: "member",
		TOTPEnabled: true, TOTPSecret: mfa.SealSecret(sealer, "u-ann", totpSecret), CreatedAt: t0, UpdatedAt: t0}
	if err := store.CreateUser(t.Context(), h.user); err != nil {
		t.Fatal(err)
	}
	h.throttle = throttle.New(store, policy, now)
	h.sealer, h.recovery = sealer, secret.NewHasherFor(ring, secret.PurposeRecoveryCodes)
	cfg := Config{
		Store: store, Sessions: signedIn{store: store, userID: h.user.ID}, Pages: pages, Sealer: sealer,
		RecoveryHasher: h.recovery, Throttle: h.throttle, Hasher: hasher, Passwords: password.NewPolicy(),
		Issuer: "TokenIM", Audit: audit.NewRecorder(audit.RecorderConfig{Store: store, Now: now}), Now: now,
	}
	pk, err := passkey.New(passkey.Config{RPID: "auth.tokenim.example", Origins: []string{testOrigin}, Store: store, Sealer: sealer, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Passkeys = pk
	for _, f := range change {
		f(&cfg)
	}
	handler := New(cfg)
	h.mux = http.NewServeMux()
	handler.Mount(h.mux)
	return h
}

// post sends form to path, with header's name and value pairs.
func (h *harness) post(t *testing.T, path string, form url.Values, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return webtest.Serve(h.mux, webtest.Post(t, path, form), header...)
}

func (h *harness) enabled(t *testing.T) bool {
	t.Helper()
	u, err := h.store.GetUser(t.Context(), h.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u.TOTPEnabled
}

func TestDisableCountsWrongCodesOnTheSecondFactorKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t, password.NewPool(1, 1))
	wrong := url.Values{"password": {annPassword}, "code": {"000000"}}
	for range policy.Free {
		if w := h.post(t, "/account/mfa/disable", wrong); w.Code != http.StatusUnauthorized {
			t.Fatalf("a wrong code: %d", w.Code)
		}
	}
	right, _ := totp.GenerateCode(totpSecret, t0)
	w := h.post(t, "/account/mfa/disable", url.Values{"password": {annPassword}, "code": {right}})
	if w.Code != http.StatusTooManyRequests || !h.enabled(t) {
		t.Fatalf("the right password and code during the wait: %d, two-step verification on: %v", w.Code, h.enabled(t))
	}
	// The wait is the second factor's, which sign-in shares: it is on the
	// account's second-factor key.
	if wait, _ := h.throttle.Wait(t.Context(), throttle.SecondFactorKey(h.user.ID)); wait == 0 {
		t.Fatal("the wrong codes were not counted on the second-factor key")
	}
}

func TestSignInCodeGuessesHoldTheAccountPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t, password.NewPool(1, 1))
	for range policy.Free {
		if _, err := h.throttle.Fail(t.Context(), throttle.SecondFactorKey(h.user.ID)); err != nil {
			t.Fatal(err)
		}
	}
	right, _ := totp.GenerateCode(totpSecret, t0)
	if w := h.post(t, "/account/mfa/disable", url.Values{"password": {annPassword}, "code": {right}}); w.Code != http.StatusTooManyRequests || !h.enabled(t) {
		t.Fatalf("during the second factor's wait: %d", w.Code)
	}
	h.mu.Lock()
	h.now = h.now.Add(30 * time.Second)
	h.mu.Unlock()
	right, _ = totp.GenerateCode(totpSecret, t0.Add(30*time.Second))
	if w := h.post(t, "/account/mfa/disable", url.Values{"password": {annPassword}, "code": {right}}); w.Code != http.StatusOK || h.enabled(t) {
		t.Fatalf("after the wait: %d\n%s", w.Code, w.Body)
	}
	if wait, _ := h.throttle.Wait(t.Context(), throttle.SecondFactorKey(h.user.ID)); wait != 0 {
		t.Fatal("the right code did not clear the second factor's count")
	}
}

func TestConfirmCountsWrongCodesOnTheSecondFactorKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t, password.NewPool(1, 1))
	if _, err := h.store.UpdateUser(t.Context(), h.user.ID, func(u storage.User) (storage.User, error) {
		u.TOTPEnabled = false // enrolled, not yet confirmed
		return u, nil
	}); err != nil {
		t.Fatal(err)
	}
	for range policy.Free {
		if w := h.post(t, "/account/mfa/confirm", url.Values{"code": {"000000"}}); w.Code != http.StatusUnauthorized {
			t.Fatalf("a wrong code: %d", w.Code)
		}
	}
	right, _ := totp.GenerateCode(totpSecret, t0)
	if w := h.post(t, "/account/mfa/confirm", url.Values{"code": {right}}); w.Code != http.StatusTooManyRequests || h.enabled(t) {
		t.Fatalf("the right code during the wait: %d", w.Code)
	}
}

func TestDisableWhenThePoolIsFull(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fullPool{})
	right, _ := totp.GenerateCode(totpSecret, t0)
	w := h.post(t, "/account/mfa/disable", url.Values{"password": {annPassword}, "code": {right}})
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "2" || !strings.Contains(w.Body.String(), "Too many people are signing in") {
		t.Fatalf("status %d, Retry-After %q:\n%s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	if !h.enabled(t) {
		t.Fatal("two-step verification was turned off unchecked")
	}
	if wait, _ := h.throttle.Wait(t.Context(), throttle.EmailKey(h.user.Email)); wait != 0 {
		t.Fatal("a refused check counted as a wrong password")
	}
}
