package admin

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// testCSRF is the token fakeSessions.Protect wants in every unsafe
// request's form.
const testCSRF = "csrf-ok"

// fakeSessions signs in whoever the test says, and refuses an unsafe
// request whose form lacks testCSRF, as the real middleware would.
type fakeSessions struct {
	signed session.Signed
	ok     bool
}

func (f *fakeSessions) Current(context.Context, *http.Request) (session.Signed, bool, error) {
	return f.signed, f.ok, nil
}

func (f *fakeSessions) Protect(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.PostFormValue("csrf_token") != testCSRF {
			http.Error(w, "csrf", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

type consoleHarness struct {
	api      *API
	store    *memory.Store
	sessions *fakeSessions
	mux      *http.ServeMux
}

// newConsole serves the console over the fixture, signed in as u-admin
// with a second factor.
func newConsole(t *testing.T) *consoleHarness {
	t.Helper()
	a, store := fixture(t)
	pages := webtest.Pages(t)
	admin, err := store.GetUser(t.Context(), "u-admin")
	if err != nil {
		t.Fatal(err)
	}
	fs := &fakeSessions{ok: true, signed: session.Signed{User: admin, Session: storage.LoginSession{UserID: admin.ID, ACR: session.ACRTwoFactor}}}
	c := NewConsole(a, ConsoleConfig{Store: store, Sessions: fs, Pages: pages, AdminRole: "admin", MFARoles: []string{"admin"}})
	mux := http.NewServeMux()
	c.Mount(mux)
	return &consoleHarness{api: a, store: store, sessions: fs, mux: mux}
}

func (h *consoleHarness) get(t *testing.T, path string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, httptest.NewRequestWithContext(t.Context(), http.MethodGet, path, nil))
	return w
}

func (h *consoleHarness) post(t *testing.T, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	if form.Get("csrf_token") == "" {
		form.Set("csrf_token", testCSRF)
	}
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, req)
	return w
}

func TestConsoleIsForAdminsWithASecondFactor(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  func(f *fakeSessions)
		status int
		want   string
	}{
		{"nobody signed in is sent to sign in", func(f *fakeSessions) { f.ok = false }, http.StatusSeeOther, "/login?next=%2Fadmin%2Frecords%3Faction%3Dsignin"},
		{"a member is refused", func(f *fakeSessions) { f.signed.User.Role = "member" }, http.StatusForbidden, "for administrators only"},
		{"an admin signed in with a password alone is told to use a second factor", func(f *fakeSessions) { f.signed.Session.ACR = session.ACRPassword },
			http.StatusForbidden, "two-step verification"},
		{"an admin signed in with a second factor gets the records", func(*fakeSessions) {}, http.StatusOK, "Authorization records"},
		{"an admin signed in with a passkey that verified them gets the records", func(f *fakeSessions) {
			f.signed.Session.AMR = session.AMR(session.AMRSoftwareKey, session.AMRUser, session.AMRPIN)
			f.signed.Session.ACR = session.ACR(f.signed.Session.AMR)
		}, http.StatusOK, "Authorization records"},
		{"an admin signed in with a passkey that did not verify them is told to use a second factor", func(f *fakeSessions) {
			f.signed.Session.AMR = session.AMR(session.AMRHardwareKey, session.AMRUser)
			f.signed.Session.ACR = session.ACR(f.signed.Session.AMR)
		}, http.StatusForbidden, "two-step verification"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newConsole(t)
			tc.setup(h.sessions)
			w := h.get(t, "/admin/records?action=signin")
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			if got := w.Header().Get("Location") + w.Body.String(); !strings.Contains(got, tc.want) {
				t.Errorf("response lacks %q:\n%s", tc.want, got)
			}
		})
	}
}

// TestConsoleChangesAreConfirmedAndRecorded: each change shows a
// confirmation page (GET) whose form posts it; the POST makes it, lands
// in one record with the administrator as actor, and redirects.
func TestConsoleChangesAreConfirmedAndRecorded(t *testing.T) {
	for _, tc := range []struct {
		name, confirm, action string
		form                  url.Values
		status                int
		to                    string
		want                  storage.AuditRecord
	}{
		{"change role", "/admin/users/u-ann/role?role=guest", "/admin/users/u-ann/role", url.Values{"role": {"guest"}}, 303, "/admin/users/u-ann?done=role",
			storage.AuditRecord{Action: audit.RoleChanged, Subject: "u-ann"}},
		{"disable", "/admin/users/u-ann/disable", "/admin/users/u-ann/disable", url.Values{}, 303, "/admin/users/u-ann?done=disable",
			storage.AuditRecord{Action: audit.UserDisabled, Subject: "u-ann"}},
		{"reset MFA", "/admin/users/u-ann/reset-mfa", "/admin/users/u-ann/reset-mfa", url.Values{}, 303, "/admin/users/u-ann?done=reset-mfa",
			storage.AuditRecord{Action: audit.MFAReset, Subject: "u-ann"}},
		{"sign out everywhere", "/admin/users/u-ann/signout", "/admin/users/u-ann/signout", url.Values{}, 303, "/admin/users/u-ann?done=signout",
			storage.AuditRecord{Action: audit.SignOutEverywhere, Subject: "u-ann"}},
		{"approve a requested scope", "/admin/apps/bot/scopes?scope=im:calls.read", "/admin/apps/bot/scopes", url.Values{"scope": {"im:calls.read"}}, 303,
			"/admin/apps/bot?done=scopes", storage.AuditRecord{Action: audit.AppChanged, ClientID: "bot", Scopes: []string{"im:calls.read"}}},
		{"change an app's token settings", "/admin/apps/chat/options?access_token_format=jwt&require_par=true", "/admin/apps/chat/options",
			url.Values{"access_token_format": {"jwt"}, "require_par": {"true"}}, 303, "/admin/apps/chat?done=options",
			storage.AuditRecord{Action: audit.AppChanged, ClientID: "chat"}},
		{"disable an app", "/admin/apps/chat/disable", "/admin/apps/chat/disable", url.Values{}, 303, "/admin/apps/chat?done=app-disabled",
			storage.AuditRecord{Action: audit.AppChanged, ClientID: "chat"}},
		{"rotate a secret", "/admin/apps/chat/rotate", "/admin/apps/chat/rotate", url.Values{}, 201, "",
			storage.AuditRecord{Action: audit.SecretRotated, ClientID: "chat"}},
		{"revoke a grant", "/admin/grants/u-ann/chat/revoke", "/admin/grants/u-ann/chat/revoke", url.Values{}, 303, "/admin/users/u-ann?done=grant-revoked",
			storage.AuditRecord{Action: audit.ConsentWithdrawn, Subject: "u-ann", ClientID: "chat", Scopes: []string{"openid", "im:calls.read"}}},
		{"revoke a grant from the app's page", "/admin/grants/u-ann/chat/revoke?from=app", "/admin/grants/u-ann/chat/revoke", url.Values{"from": {"app"}}, 303,
			"/admin/apps/chat?done=grant-revoked", storage.AuditRecord{Action: audit.ConsentWithdrawn, Subject: "u-ann", ClientID: "chat", Scopes: []string{"openid", "im:calls.read"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newConsole(t)
			c := h.get(t, tc.confirm)
			if c.Code != http.StatusOK || !strings.Contains(c.Body.String(), `action="`+tc.action+`"`) {
				t.Fatalf("confirmation: status %d, no form posting to %s:\n%s", c.Code, tc.action, c.Body)
			}
			if recs := records(t, h.store); len(recs) != 0 {
				t.Fatalf("the confirmation page changed something: %+v", recs)
			}
			if w := h.post(t, tc.action, url.Values{"csrf_token": {"forged"}}); w.Code != http.StatusForbidden {
				t.Fatalf("a post without the CSRF token: status %d", w.Code)
			}
			w := h.post(t, tc.action, tc.form)
			if w.Code != tc.status || w.Header().Get("Location") != tc.to {
				t.Fatalf("status %d to %q, want %d to %q:\n%s", w.Code, w.Header().Get("Location"), tc.status, tc.to, w.Body)
			}
			recs := records(t, h.store)
			if len(recs) != 1 {
				t.Fatalf("want one record, have %d: %+v", len(recs), recs)
			}
			r := recs[0]
			if r.Action != tc.want.Action || r.ActorType != audit.ActorUser || r.ActorID != "u-admin" || r.Subject != tc.want.Subject ||
				r.ClientID != tc.want.ClientID || strings.Join(r.Scopes, " ") != strings.Join(tc.want.Scopes, " ") || r.Outcome != audit.Success {
				t.Errorf("record %+v, want %+v by user u-admin", r, tc.want)
			}
		})
	}
}

func TestConsoleDisablesAndEnablesAnApp(t *testing.T) {
	h := newConsole(t)
	for _, step := range []struct {
		path     string
		disabled bool
		detail   string
	}{{"/admin/apps/chat/disable", true, "true"}, {"/admin/apps/chat/enable", false, "false"}} {
		if w := h.post(t, step.path, url.Values{}); w.Code != http.StatusSeeOther {
			t.Fatalf("%s: status %d", step.path, w.Code)
		}
		if c, _ := h.store.GetClient(t.Context(), "chat"); c.Disabled != step.disabled {
			t.Fatalf("after %s the app's disabled is %v", step.path, c.Disabled)
		}
		if r := records(t, h.store)[0]; r.Action != audit.AppChanged || r.Detail["disabled"] != step.detail {
			t.Fatalf("after %s the record is %+v", step.path, r)
		}
	}
}

// TestConsoleSetsTokenSettings: the console sets an app's access token
// format and pushed authorization requests through SetAppOptions, so the
// record is the API's, with the administrator as actor.
func TestConsoleSetsTokenSettings(t *testing.T) {
	h := newConsole(t)
	page := h.get(t, "/admin/apps/chat").Body.String()
	for _, want := range []string{`action="/admin/apps/chat/options"`, `name="access_token_format" value="opaque" required aria-describedby="format-opaque-hint" checked`,
		`name="require_par" value="true"`, "<dd>Not required</dd>"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the app's page lacks %q:\n%s", want, page)
		}
	}
	c := h.get(t, "/admin/apps/chat/options?access_token_format=jwt&require_par=true").Body.String()
	for _, want := range []string{"access_token_format: jwt", "require_pushed_authorization_requests: true",
		`name="access_token_format" value="jwt"`, `name="require_par" value="true"`} {
		if !strings.Contains(c, want) {
			t.Fatalf("the confirmation lacks %q:\n%s", want, c)
		}
	}
	if w := h.post(t, "/admin/apps/chat/options", url.Values{"access_token_format": {"jwt"}, "require_par": {"true"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("set: status %d:\n%s", w.Code, w.Body)
	}
	if a, _ := h.store.GetClient(t.Context(), "chat"); !a.IssuesJWT() || !a.RequirePAR {
		t.Fatalf("the app's settings: format %q, require PAR %v", a.AccessTokenFormat, a.RequirePAR)
	}
	recs := records(t, h.store)
	if len(recs) != 1 || recs[0].ActorType != audit.ActorUser || recs[0].ActorID != "u-admin" ||
		recs[0].Detail["access_token_format"] != "jwt" || recs[0].Detail["require_par"] != "true" {
		t.Fatalf("records %+v, want one app.changed by u-admin with both settings", recs)
	}
	if page := h.get(t, "/admin/apps/chat?done=options").Body.String(); !strings.Contains(page, "token settings were saved") ||
		!strings.Contains(page, "<dd>Required</dd>") || !strings.Contains(page, `value="jwt" required aria-describedby="format-jwt-hint" checked`) {
		t.Fatalf("the app's page after the change:\n%s", page)
	}
	// Unticking the box posts no require_par: pushing is no longer required.
	if w := h.post(t, "/admin/apps/chat/options", url.Values{"access_token_format": {"opaque"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("unset: status %d", w.Code)
	}
	if a, _ := h.store.GetClient(t.Context(), "chat"); a.IssuesJWT() || a.RequirePAR {
		t.Fatalf("after unsetting: format %q, require PAR %v", a.AccessTokenFormat, a.RequirePAR)
	}
}

// TestConsoleSetsOriginsAndReuseWindow: the options form sets an app's
// allowed origins (normalised) and its own refresh token reuse window, and
// an empty window gives it the provider's again.
func TestConsoleSetsOriginsAndReuseWindow(t *testing.T) {
	h := newConsole(t)
	page := h.get(t, "/admin/apps/chat").Body.String()
	for _, want := range []string{`<textarea id="allowed_origins" name="allowed_origins"`, `name="refresh_token_reuse_window" value=""`,
		"<dd>None listed</dd>", "<dd>The provider’s default</dd>"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the app's page lacks %q:\n%s", want, page)
		}
	}
	form := url.Values{"access_token_format": {"opaque"}, "allowed_origins": {"https://Chat.example:443\r\nhttp://localhost:5173"}, "refresh_token_reuse_window": {"30s"}}
	c := h.get(t, "/admin/apps/chat/options?"+form.Encode()).Body.String()
	for _, want := range []string{"allowed_origins: https://chat.example http://localhost:5173", "refresh_token_reuse_window: 30s",
		`name="allowed_origins" value="https://chat.example http://localhost:5173"`, `name="refresh_token_reuse_window" value="30s"`} {
		if !strings.Contains(c, want) {
			t.Fatalf("the confirmation lacks %q:\n%s", want, c)
		}
	}
	posted := url.Values{"access_token_format": {"opaque"}, "allowed_origins": {"https://chat.example http://localhost:5173"}, "refresh_token_reuse_window": {"30s"}}
	if w := h.post(t, "/admin/apps/chat/options", posted); w.Code != http.StatusSeeOther {
		t.Fatalf("set: status %d:\n%s", w.Code, w.Body)
	}
	a, _ := h.store.GetClient(t.Context(), "chat")
	if !slices.Equal(a.AllowedOrigins, []string{"https://chat.example", "http://localhost:5173"}) || a.RefreshReuseWindow == nil || *a.RefreshReuseWindow != 30*time.Second {
		t.Fatalf("the app's origins %q, reuse window %v", a.AllowedOrigins, a.RefreshReuseWindow)
	}
	if recs := records(t, h.store); len(recs) != 1 || recs[0].ActorID != "u-admin" || recs[0].Detail["allowed_origins"] != "https://chat.example http://localhost:5173" ||
		recs[0].Detail["refresh_token_reuse_window"] != "30s" {
		t.Fatalf("records %+v", recs)
	}
	page = h.get(t, "/admin/apps/chat?done=options").Body.String()
	for _, want := range []string{"<code>https://chat.example</code>", `name="refresh_token_reuse_window" value="30s"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("the app's page after the change lacks %q:\n%s", want, page)
		}
	}
	if w := h.post(t, "/admin/apps/chat/options", url.Values{"access_token_format": {"opaque"}, "allowed_origins": {""}, "refresh_token_reuse_window": {""}}); w.Code != http.StatusSeeOther {
		t.Fatalf("clear: status %d", w.Code)
	}
	if a, _ := h.store.GetClient(t.Context(), "chat"); len(a.AllowedOrigins) != 0 || a.RefreshReuseWindow != nil {
		t.Fatalf("after clearing: origins %q, reuse window %v", a.AllowedOrigins, a.RefreshReuseWindow)
	}
}

// TestConsoleSetsIntrospectionEncryption: the options form of an app that
// introspects sets the key set URL and how its signed introspection answers
// are signed and encrypted, shown on the confirmation and the app's page,
// and choosing no encryption clears it.
func TestConsoleSetsIntrospectionEncryption(t *testing.T) {
	h := newConsole(t)
	page := h.get(t, "/admin/apps/bot").Body.String()
	for _, want := range []string{`<select id="introspection_encrypted_response_alg"`, `<option value="" selected>Not encrypted</option>`, `name="jwks_uri" value=""`} {
		if !strings.Contains(page, want) {
			t.Fatalf("the app's page lacks %q:\n%s", want, page)
		}
	}
	form := url.Values{"access_token_format": {"opaque"}, "jwks_uri": {" https://bot.example/jwks.json "}, "introspection_signed_response_alg": {"ES256"},
		"introspection_encrypted_response_alg": {"ECDH-ES+A128KW"}, "introspection_encrypted_response_enc": {"A256GCM"}}
	c := h.get(t, "/admin/apps/bot/options?"+form.Encode()).Body.String()
	for _, want := range []string{"jwks_uri: https://bot.example/jwks.json", "introspection_encrypted_response_alg: ECDH-ES&#43;A128KW",
		`name="introspection_encrypted_response_enc" value="A256GCM"`} {
		if !strings.Contains(c, want) {
			t.Fatalf("the confirmation lacks %q:\n%s", want, c)
		}
	}
	if w := h.post(t, "/admin/apps/bot/options", form); w.Code != http.StatusSeeOther {
		t.Fatalf("set: status %d:\n%s", w.Code, w.Body)
	}
	a, _ := h.store.GetClient(t.Context(), "bot")
	if a.JWKSURI != "https://bot.example/jwks.json" || a.IntrospectionAlg() != "ES256" || a.IntrospectionEncryptedResponseAlg != "ECDH-ES+A128KW" || a.IntrospectionEnc() != "A256GCM" {
		t.Fatalf("stored keys %q, introspection %s %s %s", a.JWKSURI, a.IntrospectionAlg(), a.IntrospectionEncryptedResponseAlg, a.IntrospectionEnc())
	}
	page = h.get(t, "/admin/apps/bot?done=options").Body.String()
	if !strings.Contains(page, "encrypted with <code>ECDH-ES&#43;A128KW</code> <code>A256GCM</code>") {
		t.Fatalf("the app's page after the change does not say how answers are encrypted:\n%s", page)
	}
	off := url.Values{"access_token_format": {"opaque"}, "jwks_uri": {""}, "introspection_signed_response_alg": {"RS256"},
		"introspection_encrypted_response_alg": {""}, "introspection_encrypted_response_enc": {"A128CBC-HS256"}}
	if w := h.post(t, "/admin/apps/bot/options", off); w.Code != http.StatusSeeOther {
		t.Fatalf("turn off: status %d:\n%s", w.Code, w.Body)
	}
	if a, _ := h.store.GetClient(t.Context(), "bot"); a.JWKSURI != "" || a.IntrospectionEnc() != "" {
		t.Fatalf("after turning encryption off: keys %q, encryption %q", a.JWKSURI, a.IntrospectionEnc())
	}
}

func TestConsoleRefusesBadTokenSettings(t *testing.T) {
	for _, tc := range []struct {
		name, app string
		form      url.Values
		want      string
	}{
		{"an unknown format", "chat", url.Values{"access_token_format": {"paseto"}}, "Access tokens: choose Opaque or JWT."},
		{"no format", "chat", url.Values{"require_par": {"true"}}, "Access tokens: choose Opaque or JWT."},
		{"pushed requests for a service", "bot", url.Values{"access_token_format": {"jwt"}, "require_par": {"true"}}, "does not use the authorization code grant"},
		{"an origin with a path", "chat", url.Values{"access_token_format": {"opaque"}, "allowed_origins": {"https://chat.example/app"}}, "Allowed web origins: give each as"},
		{"a wildcard origin", "chat", url.Values{"access_token_format": {"opaque"}, "allowed_origins": {"https://*.chat.example"}}, "Allowed web origins: give each as"},
		{"a reuse window over a minute", "chat", url.Values{"access_token_format": {"opaque"}, "refresh_token_reuse_window": {"5m"}}, "Refresh token reuse window: leave it empty"},
		{"encrypted introspection answers without keys", "bot", url.Values{"access_token_format": {"opaque"}, "introspection_encrypted_response_alg": {"ECDH-ES"},
			"introspection_encrypted_response_enc": {"A128GCM"}, "jwks_uri": {""}}, "Key set URL: give the https URL"},
		{"keys over plain http", "bot", url.Values{"access_token_format": {"opaque"}, "introspection_encrypted_response_alg": {"ECDH-ES"},
			"jwks_uri": {"http://bot.example/jwks.json"}}, "Key set URL: give the https URL"},
		{"RSA1_5", "bot", url.Values{"access_token_format": {"opaque"}, "introspection_encrypted_response_alg": {"RSA1_5"},
			"jwks_uri": {"https://bot.example/jwks.json"}}, "Signed introspection answers: choose one of the algorithms listed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newConsole(t)
			path := "/admin/apps/" + tc.app + "/options"
			if w := h.get(t, path+"?"+tc.form.Encode()); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), tc.want) {
				t.Fatalf("confirmation: status %d, want 400 saying %q:\n%s", w.Code, tc.want, w.Body)
			}
			if w := h.post(t, path, tc.form); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), tc.want) {
				t.Fatalf("post: status %d, want 400 saying %q:\n%s", w.Code, tc.want, w.Body)
			}
			if recs := records(t, h.store); len(recs) != 0 {
				t.Fatalf("a refused change left records: %+v", recs)
			}
			if a, _ := h.store.GetClient(t.Context(), tc.app); a.IssuesJWT() || a.RequirePAR || len(a.AllowedOrigins) != 0 || a.RefreshReuseWindow != nil {
				t.Fatalf("a refused change was stored: format %q, require PAR %v, origins %q, reuse window %v", a.AccessTokenFormat, a.RequirePAR, a.AllowedOrigins, a.RefreshReuseWindow)
			}
		})
	}
}

func TestConsoleRotateShowsTheSecretOnce(t *testing.T) {
	h := newConsole(t)
	w := h.post(t, "/admin/apps/chat/rotate", url.Values{})
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `id="client-secret"`) {
		t.Fatalf("status %d, no secret shown:\n%s", w.Code, w.Body)
	}
	if again := h.get(t, "/admin/apps/chat"); strings.Contains(again.Body.String(), `id="client-secret"`) {
		t.Errorf("the app's page shows a secret again")
	}
}

func TestConsoleRecordsPagesAndFilters(t *testing.T) {
	h := newConsole(t)
	ctx := t.Context()
	rec := audit.NewRecorder(audit.RecorderConfig{Store: h.store, Now: func() time.Time { return t0 }})
	for i := range 120 {
		action := audit.SignIn
		if i%2 == 1 {
			action = audit.TokenIssued
		}
		if err := rec.Record(ctx, audit.Event{Action: action, Subject: "u-ann", ClientID: "chat", Reason: fmt.Sprintf("n%03d", i)}.ByUser("u-ann")); err != nil {
			t.Fatal(err)
		}
	}
	w := h.get(t, "/admin/records?user=ann%40example.com&action=signin")
	body := w.Body.String()
	if w.Code != http.StatusOK || strings.Count(body, "<code>signin</code>") != recordsPage || strings.Contains(body, "token.issued</code>") {
		t.Fatalf("first page: status %d, %d sign-ins", w.Code, strings.Count(body, "<code>signin</code>"))
	}
	if !strings.Contains(body, "n118") || strings.Contains(body, "n018") {
		t.Errorf("the first page is not the newest records")
	}
	i := strings.Index(body, `rel="next"`)
	j := strings.LastIndex(body[:i], `href="`)
	if i < 0 || j < 0 {
		t.Fatal("no Older link")
	}
	older := strings.ReplaceAll(body[j+len(`href="`):strings.Index(body[j+6:], `"`)+j+6], "&amp;", "&")
	w = h.get(t, older)
	body = w.Body.String()
	if strings.Count(body, "<code>signin</code>") != 10 || !strings.Contains(body, "n018") || !strings.Contains(body, "Newest") || strings.Contains(body, `rel="next"`) {
		t.Errorf("second page (%s) wrong: %d sign-ins", older, strings.Count(body, "<code>signin</code>"))
	}
	if w := h.get(t, "/admin/records?from=yesterday"); w.Code != http.StatusBadRequest {
		t.Errorf("an unreadable time: status %d", w.Code)
	}
}

func TestConsoleExport(t *testing.T) {
	h := newConsole(t)
	if err := h.api.RevokeGrant(t.Context(), ByClient("ops-bot"), "u-ann", "chat"); err != nil {
		t.Fatal(err)
	}
	w := h.post(t, "/admin/records/export", url.Values{"format": {"csv"}, "user": {"u-ann"}})
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Disposition"), `attachment; filename="authorization-records-`) ||
		!strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("status %d, headers %v", w.Code, w.Header())
	}
	body, _ := io.ReadAll(w.Body)
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	// The header, the export's own record (recorded first, concerning the
	// filtered user) and the revocation.
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "id,time,action") || !strings.Contains(lines[1], audit.AuditExported) || !strings.Contains(lines[2], audit.ConsentWithdrawn) {
		t.Errorf("export:\n%s", body)
	}
	recs := records(t, h.store)
	if recs[0].Action != audit.AuditExported || recs[0].ActorID != "u-admin" || recs[0].Detail["format"] != "csv" {
		t.Errorf("the export is not recorded: %+v", recs[0])
	}
	if w := h.post(t, "/admin/records/export", url.Values{"format": {"xml"}}); w.Code != http.StatusBadRequest {
		t.Errorf("an unknown format: status %d", w.Code)
	}
}

func TestConsoleLookups(t *testing.T) {
	h := newConsole(t)
	for _, tc := range []struct {
		name, path string
		status     int
		want, not  string
	}{
		{"a search by email prefix finds the user", "/admin/users?q=AN", 200, "ann@example.com", "root@example.com"},
		{"a search by ID finds the user", "/admin/users?q=u-admin", 200, "root@example.com", "ann@example.com"},
		{"a search that matches nobody says so", "/admin/users?q=zed", 200, "No user matches", "ann@example.com"},
		{"a user's page lists their grants", "/admin/users/u-ann", 200, "/admin/grants/u-ann/chat/revoke", "client-secret"},
		{"an app's page shows its secrets' state and grants", "/admin/apps/chat", 200, "Live", "tks_"},
		{"a scope's page lists the grants holding it", "/admin/scopes?scope=im%3Acalls.read", 200, "ann@example.com", "root@example.com"},
		{"an unknown user is not found", "/admin/users/ghost", 404, "no such user", ""},
		{"the apps page lists the apps", "/admin/apps", 200, "/admin/apps/bot", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := h.get(t, tc.path)
			body := w.Body.String()
			if w.Code != tc.status || !strings.Contains(body, tc.want) || (tc.not != "" && strings.Contains(body, tc.not)) {
				t.Errorf("status %d (want %d); want %q, not %q:\n%s", w.Code, tc.status, tc.want, tc.not, body)
			}
		})
	}
}
