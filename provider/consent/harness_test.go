package consent_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

var t0 = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

const (
	// chat is the app asking for consent.
	chat = "chat-web"
	// lifespan is how long a remembered decision lasts.
	lifespan = 90 * 24 * time.Hour
)

// browser is who the session cookie says is signed in; CSRF is the real
// middleware's business, tested with it.
type browser struct {
	mu   sync.Mutex
	user *storage.User
}

func (b *browser) Current(context.Context, *http.Request) (session.Signed, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.user == nil {
		return session.Signed{}, false, nil
	}
	return session.Signed{User: *b.user}, true, nil
}

func (*browser) Protect(h http.Handler) http.Handler { return h }

func (b *browser) signIn(u storage.User) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.user = &u
}

type harness struct {
	store   *memory.Store
	browser *browser
	mux     *http.ServeMux
	now     time.Time
	// ann is a member, gus a guest.
	ann, gus storage.User
}

// newHarness builds the consent page over the memory store and the real
// pages, with the app TokenIM Web, Ann signed in. change, when given,
// adjusts the configuration.
func newHarness(t *testing.T, change ...func(*consent.Config)) *harness {
	t.Helper()
	store := memory.New()
	pages := webtest.Pages(t)
	h := &harness{store: store, browser: &browser{}, now: t0}
	if err := store.CreateClient(t.Context(), storage.Client{
		ID: chat, Name: "TokenIM Web", Type: storage.ClientConfidential, RedirectURIs: []string{"https://chat.example/cb"},
		GrantTypes: []string{"authorization_code"}, Scopes: []string{"openid", "profile", "im:messages.read", "im:calls.read"},
		CreatedAt: t0, UpdatedAt: t0,
	}); err != nil {
		t.Fatal(err)
	}
	h.ann = h.addUser(t, "ann@example.com", "member")
	h.gus = h.addUser(t, "gus@example.com", "guest")
	h.browser.signIn(h.ann)
	now := func() time.Time { return h.now }
	cfg := consent.Config{
		Store: store, Sessions: h.browser, Pages: pages, Lifespan: lifespan,
		RoleScopes: map[string][]string{
			"member": {"openid", "profile", "im:messages.read", "im:calls.read"},
			"guest":  {"openid", "im:messages.read"},
		},
		Audit: audit.NewRecorder(audit.RecorderConfig{Store: store, Now: now}), Now: now,
	}
	for _, c := range change {
		c(&cfg)
	}
	h.mux = http.NewServeMux()
	consent.New(cfg).Mount(h.mux)
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

// flow parks an authorization request of TokenIM Web with the given
// parameters (scope, ui_locales, ...), signed in by Ann, good for ten
// minutes, and returns its ID.
func (h *harness) flow(t *testing.T, params ...string) string {
	t.Helper()
	q := url.Values{"client_id": {chat}, "response_type": {"code"}, "redirect_uri": {"https://chat.example/cb"}}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	f := storage.Flow{ID: uuid.NewString(), ClientID: chat, Query: q.Encode(), UserID: h.ann.ID, AuthTime: t0, AMR: []string{"pwd"},
		CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute)}
	if err := h.store.CreateFlow(t.Context(), f); err != nil {
		t.Fatal(err)
	}
	return f.ID
}

// stored returns the flow as the authorization endpoint finds it on
// resuming.
func (h *harness) stored(t *testing.T, id string) storage.Flow {
	t.Helper()
	f, err := h.store.GetFlow(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// records returns the consent records, newest first.
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

func (h *harness) show(t *testing.T, flow string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return h.serve(webtest.Get(t, "/consent?"+url.Values{"flow": {flow}}.Encode()), header...)
}

func (h *harness) post(t *testing.T, form url.Values, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return h.serve(webtest.Post(t, "/consent", form), header...)
}

// decide is the consent form sent back; remember ticks the box.
func decide(flow, decision string, remember bool) url.Values {
	v := url.Values{"flow": {flow}, "decision": {decision}}
	if remember {
		v.Set("remember", "1")
	}
	return v
}

// wantPage checks a response's status and that its body says each of
// want (webtest.WantPage).
var wantPage = webtest.WantPage

// wantResume checks that the browser goes back to the authorization
// endpoint with the flow.
func wantResume(t *testing.T, w *httptest.ResponseRecorder, flow string) {
	t.Helper()
	want := "/oauth2/auth?" + url.Values{"flow": {flow}}.Encode()
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != want {
		t.Fatalf("status %d to %q, want 303 to %q:\n%s", w.Code, w.Header().Get("Location"), want, w.Body)
	}
}
