package cors_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/cors"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

const (
	issuer    = "https://auth.example.com"
	spaOrigin = "https://spa.example"
	evil      = "https://evil.example"
)

// clients counts the loads and can fail them.
type clients struct {
	storage.Clients
	loads atomic.Int32
	fail  atomic.Bool
}

func (c *clients) ListClients(ctx context.Context) ([]storage.Client, error) {
	c.loads.Add(1)
	if c.fail.Load() {
		return nil, errors.New("store down")
	}
	return c.Clients.ListClients(ctx)
}

// fixture is a store with a browser app, a native app, a confidential
// web app listing an origin and a disabled browser app.
func fixture(t *testing.T) (storage.Store, *clients) {
	t.Helper()
	s := memory.New()
	for _, c := range []storage.Client{
		{ID: "spa", Type: storage.ClientPublic, RedirectURIs: []string{spaOrigin + "/callback"}, AllowedOrigins: []string{spaOrigin, "http://localhost:5173"}},
		{ID: "native", Type: storage.ClientPublic, RedirectURIs: []string{"https://native.example/app-link", "com.example.native:/cb"}},
		{ID: "web", Type: storage.ClientConfidential, RedirectURIs: []string{"https://web.example/cb"}, AllowedOrigins: []string{"https://portal.web.example"}},
		{ID: "off", Type: storage.ClientPublic, Disabled: true, AllowedOrigins: []string{"https://off.example"}},
	} {
		if err := s.CreateClient(t.Context(), c); err != nil {
			t.Fatal(err)
		}
	}
	return s, &clients{Clients: s}
}

// clock is a settable time.
type clock struct{ now atomic.Pointer[time.Time] }

func newClock() *clock {
	c := &clock{}
	c.set(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	return c
}

func (c *clock) set(t time.Time)     { c.now.Store(&t) }
func (c *clock) Now() time.Time      { return *c.now.Load() }
func (c *clock) add(d time.Duration) { c.set(c.Now().Add(d)) }
func newOrigins(cl cors.Clients, c *clock) *cors.Origins {
	return cors.New(cors.Config{Clients: cl, Issuer: issuer, Refresh: time.Minute, MaxAge: 10 * time.Minute, Now: c.Now})
}

// endpoint is the token endpoint as provider/oauth mounts it: it answers
// 200 "issued", so a test sees whether the request reached it.
func endpoint(o *cors.Origins) http.Handler {
	mux := http.NewServeMux()
	h := o.Endpoint([]string{http.MethodPost}, []string{"Authorization", "Content-Type"}, []string{"DPoP-Nonce"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("issued"))
	}))
	mux.Handle("POST /oauth2/token", h)
	mux.Handle("OPTIONS /oauth2/token", h)
	return mux
}

func preflight(origin, method, headers string) *http.Request {
	r := httptest.NewRequest(http.MethodOptions, "/oauth2/token", nil)
	r.Header.Set("Origin", origin)
	r.Header.Set("Access-Control-Request-Method", method)
	if headers != "" {
		r.Header.Set("Access-Control-Request-Headers", headers)
	}
	return r
}

func post(origin string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader("grant_type=authorization_code"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		r.Header.Set("Origin", origin)
	}
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// noCredentials fails when a response allows credentials mode.
func noCredentials(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if v, ok := w.Header()["Access-Control-Allow-Credentials"]; ok {
		t.Errorf("Access-Control-Allow-Credentials: %q; credentials mode is never allowed", v)
	}
}

func varies(w *httptest.ResponseRecorder) bool {
	for _, v := range w.Header().Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.TrimSpace(f) == "Origin" {
				return true
			}
		}
	}
	return false
}

func TestPreflight(t *testing.T) {
	t.Parallel()
	_, cl := fixture(t)
	h := endpoint(newOrigins(cl, newClock()))
	tests := []struct {
		name    string
		req     *http.Request
		allowed bool
	}{
		{"a browser app's listed origin", preflight(spaOrigin, "POST", "content-type"), true},
		{"a browser app's loopback origin", preflight("http://localhost:5173", "POST", ""), true},
		{"a public client's redirect URI's origin", preflight("https://native.example", "POST", "content-type"), true},
		{"a confidential client's listed origin asking for Authorization", preflight("https://portal.web.example", "POST", "authorization,content-type"), true},
		{"a confidential client's redirect URI's origin, not listed", preflight("https://web.example", "POST", "content-type"), false},
		{"a disabled client's origin", preflight("https://off.example", "POST", ""), false},
		{"an origin no client has", preflight(evil, "POST", "content-type"), false},
		{"the null origin", preflight("null", "POST", ""), false},
		{"an allowed origin with another port", preflight(spaOrigin+":8443", "POST", ""), false},
		{"an allowed origin asking for a method the endpoint lacks", preflight(spaOrigin, "DELETE", ""), false},
		{"an allowed origin asking for a header the endpoint does not take", preflight(spaOrigin, "POST", "x-debug"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(h, tt.req)
			if w.Code != http.StatusNoContent {
				t.Fatalf("status %d, want 204 (a preflight needs no authentication and is never an error)", w.Code)
			}
			noCredentials(t, w)
			if !varies(w) {
				t.Errorf("Vary %q lacks Origin", w.Header().Values("Vary"))
			}
			acao := w.Header().Get("Access-Control-Allow-Origin")
			if !tt.allowed {
				for k := range w.Header() {
					if strings.HasPrefix(k, "Access-Control-Allow-") || k == "Access-Control-Max-Age" {
						t.Errorf("refused preflight answered %s: %q", k, w.Header().Values(k))
					}
				}
				return
			}
			if acao != tt.req.Header.Get("Origin") {
				t.Errorf("Access-Control-Allow-Origin %q, want the request's origin %q", acao, tt.req.Header.Get("Origin"))
			}
			if got := w.Header().Get("Access-Control-Allow-Methods"); got != "POST" {
				t.Errorf("Access-Control-Allow-Methods %q, want POST", got)
			}
			if want := tt.req.Header.Get("Access-Control-Request-Headers"); w.Header().Get("Access-Control-Allow-Headers") != want {
				t.Errorf("Access-Control-Allow-Headers %q, want %q", w.Header().Get("Access-Control-Allow-Headers"), want)
			}
			if got := w.Header().Get("Access-Control-Max-Age"); got != "600" {
				t.Errorf("Access-Control-Max-Age %q, want 600", got)
			}
		})
	}
}

func TestActualRequest(t *testing.T) {
	t.Parallel()
	_, cl := fixture(t)
	h := endpoint(newOrigins(cl, newClock()))
	t.Run("from an allowed origin: reflected, with Vary", func(t *testing.T) {
		w := serve(h, post(spaOrigin))
		if w.Code != http.StatusOK || w.Body.String() != "issued" {
			t.Fatalf("status %d %q: the request did not reach the endpoint", w.Code, w.Body)
		}
		if got := w.Header().Get("Access-Control-Allow-Origin"); got != spaOrigin {
			t.Errorf("Access-Control-Allow-Origin %q, want %q", got, spaOrigin)
		}
		// The script may read the DPoP nonce the endpoint sends.
		if got := w.Header().Get("Access-Control-Expose-Headers"); !strings.EqualFold(got, "DPoP-Nonce") {
			t.Errorf("Access-Control-Expose-Headers %q, want DPoP-Nonce", got)
		}
		if !varies(w) {
			t.Errorf("Vary %q lacks Origin", w.Header().Values("Vary"))
		}
		noCredentials(t, w)
	})
	t.Run("from another origin: no CORS header, the endpoint still answers", func(t *testing.T) {
		w := serve(h, post(evil))
		if w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
		if got := w.Header().Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("Access-Control-Allow-Origin %q for an origin no client has", got)
		}
		if !varies(w) {
			t.Errorf("Vary %q lacks Origin", w.Header().Values("Vary"))
		}
		noCredentials(t, w)
	})
	t.Run("without an origin: no CORS header", func(t *testing.T) {
		w := serve(h, post(""))
		if w.Code != http.StatusOK || w.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("status %d, Access-Control-Allow-Origin %q", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
		}
	})
	t.Run("an OPTIONS request that is not a preflight gets the methods", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodOptions, "/oauth2/token", nil)
		w := serve(h, r)
		if w.Code != http.StatusNoContent || w.Header().Get("Allow") != "POST, OPTIONS" {
			t.Fatalf("status %d, Allow %q", w.Code, w.Header().Get("Allow"))
		}
	})
}

func TestPublic(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	doc := cors.Public(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("{}")) }))
	mux.Handle("GET /.well-known/openid-configuration", doc)
	mux.Handle("OPTIONS /.well-known/openid-configuration", doc)
	get := httptest.NewRequest(http.MethodGet, "/.well-known/openid-configuration", nil)
	get.Header.Set("Origin", evil)
	w := serve(mux, get)
	if w.Code != http.StatusOK || w.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("status %d, Access-Control-Allow-Origin %q, want * for a public document", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
	}
	noCredentials(t, w)
	pre := httptest.NewRequest(http.MethodOptions, "/.well-known/openid-configuration", nil)
	pre.Header.Set("Origin", evil)
	pre.Header.Set("Access-Control-Request-Method", "GET")
	w = serve(mux, pre)
	if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Origin") != "*" || w.Header().Get("Access-Control-Allow-Methods") != "GET" {
		t.Fatalf("preflight: status %d, headers %v", w.Code, w.Header())
	}
	noCredentials(t, w)
}

func TestPermits(t *testing.T) {
	t.Parallel()
	_, cl := fixture(t)
	o := newOrigins(cl, newClock())
	tests := []struct {
		name, origin, client string
		want                 bool
	}{
		{"no Origin header (not a browser)", "", "spa", true},
		{"the provider's own origin", issuer, "web", true},
		{"a browser app from its origin", spaOrigin, "spa", true},
		{"a public client from its redirect URI's origin", "https://native.example", "native", true},
		{"another client from a browser app's origin", spaOrigin, "native", false},
		{"a browser app from another client's origin", "https://portal.web.example", "spa", false},
		{"a browser app from an unknown origin", evil, "spa", false},
		{"a disabled client from its origin", "https://off.example", "off", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(tt.origin)
			if got := o.Permits(r, tt.client); got != tt.want {
				t.Fatalf("Permits(%q, %q) = %v, want %v", tt.origin, tt.client, got, tt.want)
			}
		})
	}
}

// A client's origin stops being allowed once its change is told
// (Invalidate, here through Watch), and the origins are loaded once for
// many requests, not per request.
func TestChangesAreSeenAfterInvalidation(t *testing.T) {
	t.Parallel()
	store, cl := fixture(t)
	o := newOrigins(cl, newClock())
	watched := o.Watch(store)
	h := endpoint(o)
	allowed := func(origin string) bool {
		return serve(h, preflight(origin, "POST", "")).Header().Get("Access-Control-Allow-Origin") == origin
	}
	for range 20 {
		if !allowed(spaOrigin) {
			t.Fatal("the browser app's origin is refused")
		}
	}
	if n := cl.loads.Load(); n != 1 {
		t.Fatalf("%d loads for 20 requests, want 1", n)
	}

	if _, err := watched.UpdateClient(t.Context(), "spa", func(c storage.Client) (storage.Client, error) {
		c.AllowedOrigins, c.RedirectURIs = []string{"https://new.spa.example"}, []string{"https://new.spa.example/callback"}
		return c, nil
	}); err != nil {
		t.Fatal(err)
	}
	if allowed(spaOrigin) || !allowed("https://new.spa.example") {
		t.Fatal("after the change the old origin is still allowed or the new one is not")
	}

	if err := watched.DeleteClient(t.Context(), "native"); err != nil {
		t.Fatal(err)
	}
	if allowed("https://native.example") {
		t.Fatal("a deleted client's origin is still allowed")
	}

	if err := watched.CreateClient(t.Context(), storage.Client{ID: "spa2", Type: storage.ClientPublic, AllowedOrigins: []string{"https://spa2.example"}}); err != nil {
		t.Fatal(err)
	}
	if !allowed("https://spa2.example") {
		t.Fatal("a new client's origin is not allowed")
	}

	ctx, err := watched.BeginTx(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := watched.DeleteClient(ctx, "spa2"); err != nil {
		t.Fatal(err)
	}
	if err := watched.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if allowed("https://spa2.example") {
		t.Fatal("a client deleted in a transaction is still allowed after the commit")
	}
}

// A change no one told (another node without Redis, a command) is seen
// once Config.Refresh has passed; a failed load keeps the origins known.
func TestRefreshAndFailures(t *testing.T) {
	t.Parallel()
	store, cl := fixture(t)
	c := newClock()
	o := newOrigins(cl, c)
	if !o.Allowed(t.Context(), spaOrigin) {
		t.Fatal("the browser app's origin is refused")
	}
	if err := store.DeleteClient(t.Context(), "spa"); err != nil {
		t.Fatal(err)
	}
	c.add(59 * time.Second)
	if !o.Allowed(t.Context(), spaOrigin) {
		t.Fatal("the origins were loaded again before Refresh passed")
	}
	c.add(2 * time.Second)
	if o.Allowed(t.Context(), spaOrigin) {
		t.Fatal("a deleted client's origin is still allowed once Refresh passed")
	}

	cl.fail.Store(true)
	o.Invalidate()
	if !o.Allowed(t.Context(), "https://native.example") {
		t.Fatal("a failed load forgot the origins known")
	}
	loads := cl.loads.Load()
	for range 10 {
		o.Allowed(t.Context(), "https://native.example")
	}
	if n := cl.loads.Load(); n != loads {
		t.Fatalf("%d loads tried within a second of a failure, want none", n-loads)
	}
	cl.fail.Store(false)
	c.add(2 * time.Second)
	if err := store.DeleteClient(t.Context(), "native"); err != nil {
		t.Fatal(err)
	}
	if o.Allowed(t.Context(), "https://native.example") {
		t.Fatal("origins not loaded again once the store came back")
	}
}

func TestFirstLoadFailingAllowsNothing(t *testing.T) {
	t.Parallel()
	_, cl := fixture(t)
	cl.fail.Store(true)
	h := endpoint(newOrigins(cl, newClock()))
	w := serve(h, preflight(spaOrigin, "POST", ""))
	if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("with the store down: status %d, Access-Control-Allow-Origin %q; want 204 and none", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
	}
}
