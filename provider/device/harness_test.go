package device_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/device"
	"github.com/tokenim/tokenim-auth/provider/devicecode"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

var t0 = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

const (
	testIssuer = "https://auth.tokenim.example"
	// desktop is the app the device requests are made for.
	desktop = "chat-desktop"
	// consentLifespan is how long an approval is remembered.
	consentLifespan = 30 * 24 * time.Hour
)

// clock is the handler's and its throttle's time.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// browser is who the session cookie says is signed in; CSRF is the real
// middleware's business, tested with it.
type browser struct {
	mu     sync.Mutex
	signed *session.Signed
}

func (b *browser) Current(context.Context, *http.Request) (session.Signed, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.signed == nil {
		return session.Signed{}, false, nil
	}
	return *b.signed, true, nil
}

func (*browser) Protect(h http.Handler) http.Handler { return h }

type harness struct {
	store   *memory.Store
	clock   *clock
	browser *browser
	codes   devicecode.Keyed
	mux     *http.ServeMux
	// ann is a member, gus a guest, ada an admin (who needs a second
	// factor).
	ann, gus, ada storage.User
}

// newHarness builds the device page over the memory store, the real pages,
// a real throttle (three wrong codes free, then 30 s doubling) and the
// app TokenIM Desktop. change, when given, adjusts the configuration.
func newHarness(t *testing.T, change ...func(*device.Config)) *harness {
	t.Helper()
	store := memory.New()
	pages := webtest.Pages(t)
	codes, err := devicecode.NewKeyed([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{store: store, clock: &clock{now: t0}, browser: &browser{}, codes: codes}
	ctx := t.Context()
	if err := store.CreateClient(ctx, storage.Client{
		ID: desktop, Name: "TokenIM Desktop", Type: storage.ClientPublic, TokenEndpointAuthMethod: "none",
		GrantTypes:           []string{"urn:ietf:params:oauth:grant-type:device_code", "refresh_token"},
		Scopes:               []string{"openid", "offline_access", "im:messages.read", "im:calls.read"},
		BackchannelLogoutURI: "https://desktop.example/logout", CreatedAt: t0, UpdatedAt: t0,
	}); err != nil {
		t.Fatal(err)
	}
	h.ann = h.addUser(t, "ann@example.com", "member")
	h.gus = h.addUser(t, "gus@example.com", "guest")
	h.ada = h.addUser(t, "ada@example.com", "admin")
	cfg := device.Config{
		Issuer: testIssuer, Store: store, Sessions: h.browser, Pages: pages, Codes: codes,
		Throttle: throttle.New(store, throttle.Policy{Free: 3, Base: 30 * time.Second, Max: 5 * time.Minute, ForgetAfter: time.Hour}, h.clock.Now),
		RoleScopes: map[string][]string{
			"member": {"openid", "offline_access", "im:messages.read", "im:calls.read"},
			"guest":  {"openid", "im:messages.read"},
			"admin":  {"openid", "offline_access", "im:messages.read", "im:calls.read"},
		},
		MFARoles: []string{"admin"}, ConsentLifespan: consentLifespan,
		Audit: audit.NewRecorder(audit.RecorderConfig{Store: store, Now: h.clock.Now}), Now: h.clock.Now,
	}
	for _, c := range change {
		c(&cfg)
	}
	h.mux = http.NewServeMux()
	device.New(cfg).Mount(h.mux)
	return h
}

func (h *harness) addUser(t *testing.T, email, role string) storage.User {
	t.Helper()
	u := storage.User{ID: uuid.NewString(), Email: email, Name: "Ann", PasswordHash: "x", Status: storage.UserActive, EmailVerified: true, Role: role, CreatedAt: t0, UpdatedAt: t0}
	if err := h.store.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

// signIn signs u in to the browser with a stored login session of level
// acr, and returns it.
func (h *harness) signIn(t *testing.T, u storage.User, acr string) storage.LoginSession {
	t.Helper()
	amr := []string{"pwd"}
	if acr == session.ACRTwoFactor {
		amr = append(amr, "otp")
	}
	ls := storage.LoginSession{ID: uuid.NewString(), UserID: u.ID, AuthTime: t0, AMR: amr, ACR: acr, CreatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour)}
	if err := h.store.CreateLoginSession(t.Context(), ls); err != nil {
		t.Fatal(err)
	}
	h.browser.mu.Lock()
	defer h.browser.mu.Unlock()
	h.browser.signed = &session.Signed{Session: ls, User: u}
	return ls
}

// request stores a device authorization request of TokenIM Desktop for
// scopes, made two minutes ago and good for ten, and returns its user code
// as the device shows it and its device code's signature.
func (h *harness) request(t *testing.T, scopes ...string) (userCode, signature string) {
	t.Helper()
	return h.requestFor(t, "", scopes...)
}

// requestFor is request naming the workspace workspaceID (its
// organization parameter), or none.
func (h *harness) requestFor(t *testing.T, workspaceID string, scopes ...string) (userCode, signature string) {
	t.Helper()
	code := devicecode.NewUserCode()
	d := storage.DeviceAuthorization{
		DeviceCodeSignature: h.codes.DeviceCode(devicecode.NewDeviceCode()), UserCodeSignature: h.codes.UserCode(code),
		RequestID: uuid.NewString(), ClientID: desktop, Scopes: scopes, WorkspaceID: workspaceID, ClientIP: "198.51.100.23", UserAgent: "TokenIM-Desktop/3.1 (Windows)",
		Status: storage.DevicePending, Interval: 5 * time.Second, CreatedAt: t0.Add(-2 * time.Minute), ExpiresAt: t0.Add(8 * time.Minute),
	}
	if err := h.store.CreateDeviceAuthorization(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	return devicecode.Format(code), d.DeviceCodeSignature
}

// stored returns the device request as the token endpoint would find it.
func (h *harness) stored(t *testing.T, signature string) storage.DeviceAuthorization {
	t.Helper()
	d, err := h.store.GetDeviceAuthorization(t.Context(), signature)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// records returns the consent records.
func (h *harness) records(t *testing.T) []storage.AuditRecord {
	t.Helper()
	recs, err := h.store.ListAudit(t.Context(), storage.AuditFilter{Actions: []string{audit.ConsentGranted}}, storage.AuditCursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func (h *harness) serve(req *http.Request, header ...string) *httptest.ResponseRecorder {
	return webtest.Serve(h.mux, req, header...)
}

func (h *harness) get(t *testing.T, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return h.serve(webtest.Get(t, path), header...)
}

func (h *harness) post(t *testing.T, form url.Values, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return h.serve(webtest.Post(t, "/device", form), header...)
}

// show is the page for a user code.
func show(code string) string { return "/device?" + url.Values{"user_code": {code}}.Encode() }

// decide is the confirmation form sent back with a decision.
func decide(code, decision string) url.Values {
	return url.Values{"user_code": {code}, "decision": {decision}}
}

// wantPage checks a response's status and that its body says each of
// want (webtest.WantPage).
var wantPage = webtest.WantPage

// wantSignIn checks that the browser is sent to sign in and back to next.
func wantSignIn(t *testing.T, w *httptest.ResponseRecorder, next string) {
	t.Helper()
	want := "/login?" + url.Values{"next": {next}}.Encode()
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != want {
		t.Fatalf("status %d to %q, want 303 to %q", w.Code, w.Header().Get("Location"), want)
	}
}
