package portal

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/apikey"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

var t0 = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

// signedIn signs in the developer u-dev; CSRF is the real middleware's
// business, tested with it.
type signedIn struct{ user storage.User }

func (s signedIn) Current(context.Context, *http.Request) (session.Signed, bool, error) {
	return session.Signed{User: s.user}, true, nil
}

func (signedIn) Protect(h http.Handler) http.Handler { return h }

type harness struct {
	store   *memory.Store
	mux     *http.ServeMux
	handler *Handler
}

func newPortal(t *testing.T) *harness {
	t.Helper()
	store := memory.New()
	ring, err := secret.NewKeyring(strings.Repeat("s", 32))
	if err != nil {
		t.Fatal(err)
	}
	pages := webtest.Pages(t)
	now := func() time.Time { return t0 }
	h := New(Config{
		Store: store, Sessions: signedIn{storage.User{ID: "u-dev", Role: "developer"}}, Pages: pages, Hasher: secret.NewHasher(ring),
		APIKeys: apikey.Policy{Lifetime: 90 * 24 * time.Hour, Grace: time.Hour}, Scopes: []string{"openid", "im:messages.send"},
		Roles: []string{"developer"},
		Audit: audit.NewRecorder(audit.RecorderConfig{Store: store, Now: now}), Now: now,
	})
	mux := http.NewServeMux()
	h.Mount(mux)
	return &harness{store: store, mux: mux, handler: h}
}

func (h *harness) post(t *testing.T, path string, form url.Values, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return webtest.Serve(h.mux, webtest.Post(t, path, form), header...)
}

// created registers an app from form and returns it with the record of
// its creation.
func (h *harness) created(t *testing.T, form url.Values) (storage.Client, storage.AuditRecord) {
	t.Helper()
	if w := h.post(t, "/apps", form); w.Code != http.StatusCreated {
		t.Fatalf("create: status %d:\n%s", w.Code, w.Body)
	}
	recs := h.records(t, audit.AppCreated)
	if len(recs) != 1 {
		t.Fatalf("want one app.created record, have %d", len(recs))
	}
	c, err := h.store.GetClient(t.Context(), recs[0].ClientID)
	if err != nil {
		t.Fatal(err)
	}
	return c, recs[0]
}

func (h *harness) records(t *testing.T, action string) []storage.AuditRecord {
	t.Helper()
	recs, err := h.store.ListAudit(t.Context(), storage.AuditFilter{Actions: []string{action}}, storage.AuditCursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func webApp(extra ...string) url.Values {
	v := url.Values{"name": {"Gateway web"}, "kind": {"web"}, "redirect_uris": {"https://web.example/cb"}, "scope": {"openid"}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

func TestTokenSettingsOnCreate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		form   url.Values
		format storage.AccessTokenFormat
		par    bool
	}{
		{"nothing chosen is opaque, not pushed", webApp(), storage.AccessTokenOpaque, false},
		{"a web app with JWT and pushed requests", webApp("access_token_format", "jwt", "require_par", "true"), storage.AccessTokenJWT, true},
		{"a native app with pushed requests", webApp("kind", "native", "redirect_uris", "com.example.app:/cb", "require_par", "true"), storage.AccessTokenOpaque, true},
		{"a service with JWT", url.Values{"name": {"Bot"}, "kind": {"service"}, "access_token_format": {"jwt"}}, storage.AccessTokenJWT, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newPortal(t)
			c, rec := h.created(t, tc.form)
			if c.AccessTokenFormat != tc.format || c.RequirePAR != tc.par {
				t.Errorf("stored format %q, require PAR %v; want %q, %v", c.AccessTokenFormat, c.RequirePAR, tc.format, tc.par)
			}
			if rec.Detail["access_token_format"] != string(tc.format) || rec.Detail["require_par"] != strconv.FormatBool(tc.par) {
				t.Errorf("app.created detail %v lacks the settings", rec.Detail)
			}
		})
	}
}

func TestTokenSettingsOnEdit(t *testing.T) {
	h := newPortal(t)
	c, _ := h.created(t, webApp())
	edit := webApp("access_token_format", "jwt", "require_par", "true")
	edit.Del("kind")
	if w := h.post(t, "/apps/"+c.ID, edit); w.Code != http.StatusOK {
		t.Fatalf("save: status %d:\n%s", w.Code, w.Body)
	}
	c, _ = h.store.GetClient(t.Context(), c.ID)
	if !c.IssuesJWT() || !c.RequirePAR {
		t.Fatalf("after the save: format %q, require PAR %v", c.AccessTokenFormat, c.RequirePAR)
	}
	recs := h.records(t, audit.AppChanged)
	if len(recs) != 1 || recs[0].ActorID != "u-dev" || recs[0].Detail["access_token_format"] != "jwt" || recs[0].Detail["require_par"] != "true" {
		t.Fatalf("app.changed records %+v, want one by u-dev with both settings", recs)
	}
	// Saved again unchanged: the record names no setting.
	if w := h.post(t, "/apps/"+c.ID, edit); w.Code != http.StatusOK {
		t.Fatalf("save again: status %d", w.Code)
	}
	if d := h.records(t, audit.AppChanged)[0].Detail; d["access_token_format"] != "" || d["require_par"] != "" {
		t.Errorf("an unchanged save records %v", d)
	}
	// The box unticked posts nothing.
	edit.Del("require_par")
	edit.Set("access_token_format", "opaque")
	h.post(t, "/apps/"+c.ID, edit)
	if c, _ = h.store.GetClient(t.Context(), c.ID); c.IssuesJWT() || c.RequirePAR {
		t.Fatalf("after unticking: format %q, require PAR %v", c.AccessTokenFormat, c.RequirePAR)
	}
	if d := h.records(t, audit.AppChanged)[0].Detail; d["access_token_format"] != "opaque" || d["require_par"] != "false" {
		t.Errorf("unticking records %v", d)
	}
}

func TestBadTokenSettingsAreRefused(t *testing.T) {
	h := newPortal(t)
	bot, _ := h.created(t, url.Values{"name": {"Bot"}, "kind": {"service"}})
	for _, tc := range []struct {
		name, path string
		form       url.Values
		want       string
	}{
		{"an unknown format", "/apps", webApp("access_token_format", "paseto"), "Access tokens: choose Opaque or JWT."},
		{"a format in capitals", "/apps", webApp("access_token_format", "JWT"), "Access tokens: choose Opaque or JWT."},
		{"a new service requiring pushed requests", "/apps", url.Values{"name": {"Bot 2"}, "kind": {"service"}, "require_par": {"true"}},
			"Require pushed authorization requests: a service or bot"},
		{"a service's edit requiring pushed requests", "/apps/" + bot.ID, url.Values{"name": {"Bot"}, "require_par": {"true"}},
			"Require pushed authorization requests: a service or bot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := h.post(t, tc.path, tc.form)
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), tc.want) || !strings.Contains(w.Body.String(), `role="alert"`) {
				t.Fatalf("status %d, want 400 with the form saying %q:\n%s", w.Code, tc.want, w.Body)
			}
			if n := len(h.records(t, audit.AppCreated)) + len(h.records(t, audit.AppChanged)); n != 1 {
				t.Fatalf("a refused form left records: %d, want only the bot's creation", n)
			}
		})
	}
	if c, _ := h.store.GetClient(t.Context(), bot.ID); c.RequirePAR {
		t.Fatal("a service requires pushed requests")
	}
}

func browserApp(extra ...string) url.Values {
	v := url.Values{"name": {"Chat in the browser"}, "kind": {"browser"}, "redirect_uris": {"https://spa.example/callback\nhttp://localhost:5173/callback"}, "scope": {"openid"}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

// A browser app is a public client without a secret using the
// authorization code with refresh tokens, called from its redirect URIs'
// origins unless the developer names others, and listed and edited as a
// browser app.
func TestBrowserAppIsRegistered(t *testing.T) {
	t.Run("its origins default to its redirect URIs'", func(t *testing.T) {
		h := newPortal(t)
		w := h.post(t, "/apps", browserApp())
		if w.Code != http.StatusCreated || strings.Contains(w.Body.String(), "tks_") {
			t.Fatalf("create: status %d (a browser app shows no secret):\n%s", w.Code, w.Body)
		}
		recs := h.records(t, audit.AppCreated)
		c, _ := h.store.GetClient(t.Context(), recs[0].ClientID)
		if c.Type != storage.ClientPublic || c.TokenEndpointAuthMethod != "none" || len(c.Secrets) != 0 ||
			!slices.Equal(c.GrantTypes, []string{"authorization_code", "refresh_token"}) || !c.BrowserApp() {
			t.Fatalf("stored %+v", c)
		}
		if !slices.Equal(c.AllowedOrigins, []string{"https://spa.example", "http://localhost:5173"}) {
			t.Fatalf("origins %q, want the redirect URIs' origins", c.AllowedOrigins)
		}
		if recs[0].Detail["kind"] != "browser" || recs[0].Detail["allowed_origins"] != "https://spa.example http://localhost:5173" {
			t.Fatalf("app.created detail %v", recs[0].Detail)
		}
		list := httptest.NewRecorder()
		h.mux.ServeHTTP(list, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/apps", nil))
		if !strings.Contains(list.Body.String(), "Browser app (single-page)") {
			t.Fatalf("the list does not name the kind:\n%s", list.Body)
		}
		page := httptest.NewRecorder()
		h.mux.ServeHTTP(page, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/apps/"+c.ID, nil))
		if body := page.Body.String(); !strings.Contains(body, "https://spa.example\nhttp://localhost:5173</textarea>") || strings.Contains(body, "secrets-heading") {
			t.Fatalf("the app's page:\n%s", body)
		}
	})
	t.Run("with origins and a reuse window of its own", func(t *testing.T) {
		h := newPortal(t)
		c, rec := h.created(t, browserApp("allowed_origins", "https://App.spa.example:443\r\nhttps://spa.example", "refresh_token_reuse_window", "30s"))
		if !slices.Equal(c.AllowedOrigins, []string{"https://app.spa.example", "https://spa.example"}) || c.RefreshReuseWindow == nil || *c.RefreshReuseWindow != 30*time.Second {
			t.Fatalf("origins %q, reuse window %v", c.AllowedOrigins, c.RefreshReuseWindow)
		}
		if rec.Detail["refresh_token_reuse_window"] != "30s" {
			t.Fatalf("app.created detail %v", rec.Detail)
		}
		// Saved with the origins emptied: the redirect URIs' again; the
		// window emptied: the provider's.
		edit := browserApp("allowed_origins", "", "refresh_token_reuse_window", "")
		edit.Del("kind")
		if w := h.post(t, "/apps/"+c.ID, edit); w.Code != http.StatusOK {
			t.Fatalf("save: status %d:\n%s", w.Code, w.Body)
		}
		c, _ = h.store.GetClient(t.Context(), c.ID)
		if !slices.Equal(c.AllowedOrigins, []string{"https://spa.example", "http://localhost:5173"}) || c.RefreshReuseWindow != nil || !c.BrowserApp() {
			t.Fatalf("after the save: origins %q, reuse window %v, browser app %v", c.AllowedOrigins, c.RefreshReuseWindow, c.BrowserApp())
		}
		changed := h.records(t, audit.AppChanged)
		if len(changed) != 1 || changed[0].Detail["allowed_origins"] != "https://spa.example http://localhost:5173" || changed[0].Detail["refresh_token_reuse_window"] != "" {
			t.Fatalf("app.changed records %+v", changed)
		}
	})
	t.Run("a web app may name origins and a native app a reuse window", func(t *testing.T) {
		h := newPortal(t)
		web, _ := h.created(t, webApp("allowed_origins", "https://web.example"))
		if !slices.Equal(web.AllowedOrigins, []string{"https://web.example"}) || web.BrowserApp() {
			t.Fatalf("web app: origins %q, browser app %v", web.AllowedOrigins, web.BrowserApp())
		}
		h = newPortal(t)
		native, _ := h.created(t, webApp("kind", "native", "redirect_uris", "com.example.app:/cb", "refresh_token_reuse_window", "0s"))
		if native.RefreshReuseWindow == nil || *native.RefreshReuseWindow != 0 || native.BrowserApp() {
			t.Fatalf("native app: reuse window %v, browser app %v", native.RefreshReuseWindow, native.BrowserApp())
		}
	})
}

func TestBrowserAppFormIsChecked(t *testing.T) {
	for _, tc := range []struct {
		name   string
		form   url.Values
		en, zh string
	}{
		{"a custom-scheme redirect URI", browserApp("redirect_uris", "com.example.app:/cb"),
			"com.example.app:/cb is not an acceptable redirect URI", "com.example.app:/cb 不是可接受的重定向 URI"},
		{"an http redirect URI on a public host", browserApp("redirect_uris", "http://spa.example/cb"),
			"http://spa.example/cb is not an acceptable redirect URI", "http://spa.example/cb 不是可接受的重定向 URI"},
		{"an origin with a path", browserApp("allowed_origins", "https://spa.example/app"),
			"https://spa.example/app is not an acceptable web origin", "https://spa.example/app 不是可接受的网页来源"},
		{"a wildcard origin", browserApp("allowed_origins", "https://*.spa.example"),
			"https://*.spa.example is not an acceptable web origin", "https://*.spa.example 不是可接受的网页来源"},
		{"the null origin", browserApp("allowed_origins", "null"), "null is not an acceptable web origin", "null 不是可接受的网页来源"},
		{"origins for a native app", webApp("kind", "native", "redirect_uris", "com.example.app:/cb", "allowed_origins", "https://app.example"),
			"Allowed web origins are for browser apps and web apps only", "允许的网页来源仅适用于浏览器应用和网页应用"},
		{"origins for a service", url.Values{"name": {"Bot"}, "kind": {"service"}, "allowed_origins": {"https://bot.example"}},
			"Allowed web origins are for browser apps and web apps only", "允许的网页来源仅适用于浏览器应用和网页应用"},
		{"a reuse window over a minute", browserApp("refresh_token_reuse_window", "2m"),
			"Refresh token reuse window: leave it empty", "刷新令牌复用窗口：留空使用服务默认值"},
		{"a reuse window that is not a duration", browserApp("refresh_token_reuse_window", "soon"),
			"Refresh token reuse window: leave it empty", "刷新令牌复用窗口：留空使用服务默认值"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newPortal(t)
			for lang, want := range map[string]string{"en": tc.en, "zh-CN": tc.zh} {
				w := h.post(t, "/apps", tc.form, "Accept-Language", lang)
				if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), html.EscapeString(want)) {
					t.Fatalf("%s: status %d, want 400 saying %q:\n%s", lang, w.Code, want, w.Body)
				}
			}
			if list, _ := h.store.ListClients(t.Context()); len(list) != 0 {
				t.Fatalf("a refused form registered %d apps", len(list))
			}
		})
	}
}

// An app's logo must be an https address; the list of apps and the app's
// page show it, loading it from its origin alone.
func TestLogo(t *testing.T) {
	h := newPortal(t)
	for _, logo := range []string{"javascript:alert(1)", "http://web.example/logo.png", "data:image/png;base64,iVBORw0KGgo=",
		"https://user:pw@web.example/logo.png", "https://", "//web.example/logo.png"} {
		t.Run("refused: "+logo, func(t *testing.T) {
			w := h.post(t, "/apps", webApp("logo_uri", logo))
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "The logo URL must be an https address.") {
				t.Fatalf("status %d, want 400 saying the logo must be https:\n%s", w.Code, w.Body)
			}
		})
	}
	c, _ := h.created(t, webApp("logo_uri", "https://cdn.web.example/logo.png"))
	for _, path := range []string{"/apps", "/apps/" + c.ID} {
		t.Run("shown on "+path, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.mux.ServeHTTP(w, httptest.NewRequestWithContext(t.Context(), http.MethodGet, path, nil))
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `<img src="https://cdn.web.example/logo.png" alt="Gateway web"`) {
				t.Fatalf("status %d, want the logo shown:\n%s", w.Code, w.Body)
			}
			if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https://cdn.web.example;") {
				t.Fatalf("Content-Security-Policy %q does not allow the logo's origin alone", csp)
			}
		})
	}
}
