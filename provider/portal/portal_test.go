package portal

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/apikey"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/templates"
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
	store *memory.Store
	mux   *http.ServeMux
}

func newPortal(t *testing.T) *harness {
	t.Helper()
	store := memory.New()
	ring, err := secret.NewKeyring(strings.Repeat("s", 32))
	if err != nil {
		t.Fatal(err)
	}
	pages, err := web.New(web.Config{FS: templates.FS()})
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return t0 }
	h := New(Config{
		Store: store, Sessions: signedIn{storage.User{ID: "u-dev", Role: "developer"}}, Pages: pages, Hasher: secret.NewHasher(ring),
		APIKeys: apikey.Policy{Lifetime: 90 * 24 * time.Hour, Grace: time.Hour}, Scopes: []string{"openid", "im:messages.send"},
		Roles:           []string{"developer"},
		RedirectProblem: func(raw string, native bool) string { return config.RedirectURIProblem(raw, native, false) },
		Audit:           audit.NewRecorder(audit.RecorderConfig{Store: store, Now: now}), Now: now,
	})
	mux := http.NewServeMux()
	h.Mount(mux)
	return &harness{store: store, mux: mux}
}

func (h *harness) post(t *testing.T, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, req)
	return w
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
