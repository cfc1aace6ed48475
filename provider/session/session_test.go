package session_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func setup(t *testing.T, secure bool) (*session.Manager, *memory.Store, *clock, storage.User) {
	t.Helper()
	store := memory.New()
	c := &clock{time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	u := storage.User{ID: "u1", Email: "ann@example.com", PasswordHash: "x", Status: storage.UserActive}
	if err := store.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	issuer := "http://127.0.0.1:8080"
	if secure {
		issuer = "https://auth.example.com"
	}
	m, err := session.New(session.Config{Store: store, Issuer: issuer, Secure: secure, Lifespan: time.Hour, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return m, store, c, u
}

// signIn starts a session and returns the cookie the browser got.
func signIn(t *testing.T, m *session.Manager, u storage.User, r *http.Request) *http.Cookie {
	t.Helper()
	rec := httptest.NewRecorder()
	if _, err := m.Start(t.Context(), rec, r, u, []string{"pwd"}, "1"); err != nil {
		t.Fatal(err)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("%d cookies set", len(cookies))
	}
	return cookies[0]
}

func withCookie(c *http.Cookie) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if c != nil {
		r.AddCookie(c)
	}
	return r
}

func TestSessions(t *testing.T) {
	t.Run("a signed-in browser is recognised until the session expires", func(t *testing.T) {
		m, _, c, u := setup(t, false)
		cookie := signIn(t, m, u, withCookie(nil))
		s, ok, err := m.Current(t.Context(), withCookie(cookie))
		if err != nil || !ok || s.User.ID != "u1" || s.Session.AMR[0] != "pwd" {
			t.Fatalf("current = %+v %v %v", s, ok, err)
		}
		c.t = c.t.Add(2 * time.Hour)
		if _, ok, _ := m.Current(t.Context(), withCookie(cookie)); ok {
			t.Fatal("expired session still recognised")
		}
	})
	t.Run("the cookie is HttpOnly, SameSite=Lax, and only the hash is stored", func(t *testing.T) {
		m, store, _, u := setup(t, false)
		cookie := signIn(t, m, u, withCookie(nil))
		if !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Secure {
			t.Fatalf("cookie %+v", cookie)
		}
		list, _ := store.ListLoginSessions(t.Context(), "u1")
		if len(list) != 1 || list[0].ID == cookie.Value || strings.Contains(list[0].ID, cookie.Value) {
			t.Fatalf("stored session %+v for cookie %q", list, cookie.Value)
		}
	})
	t.Run("outside dev the cookie is Secure with the __Host- prefix", func(t *testing.T) {
		m, _, _, u := setup(t, true)
		cookie := signIn(t, m, u, withCookie(nil))
		if !cookie.Secure || !strings.HasPrefix(cookie.Name, "__Host-") || cookie.Path != "/" || cookie.Domain != "" {
			t.Fatalf("cookie %+v", cookie)
		}
	})
	t.Run("a forged or unknown cookie is nobody", func(t *testing.T) {
		m, _, _, _ := setup(t, false)
		if _, ok, err := m.Current(t.Context(), withCookie(&http.Cookie{Name: "tokenim_session", Value: "forged"})); ok || err != nil {
			t.Fatalf("forged cookie: %v %v", ok, err)
		}
	})
	t.Run("a disabled account is signed out", func(t *testing.T) {
		m, store, _, u := setup(t, false)
		cookie := signIn(t, m, u, withCookie(nil))
		if _, err := store.UpdateUser(t.Context(), "u1", func(u storage.User) (storage.User, error) {
			u.Status = storage.UserDisabled
			return u, nil
		}); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := m.Current(t.Context(), withCookie(cookie)); ok {
			t.Fatal("disabled user still signed in")
		}
	})
	t.Run("signing in again replaces the browser's previous session", func(t *testing.T) {
		m, store, _, u := setup(t, false)
		first := signIn(t, m, u, withCookie(nil))
		second := signIn(t, m, u, withCookie(first))
		if first.Value == second.Value {
			t.Fatal("session ID not renewed at sign-in")
		}
		if _, ok, _ := m.Current(t.Context(), withCookie(first)); ok {
			t.Fatal("the pre-sign-in session still works")
		}
		list, _ := store.ListLoginSessions(t.Context(), "u1")
		if len(list) != 1 {
			t.Fatalf("%d sessions stored, want 1", len(list))
		}
	})
	t.Run("Renew gives a new cookie for the same sign-in, no fresher", func(t *testing.T) {
		m, store, c, u := setup(t, false)
		rec := httptest.NewRecorder()
		first, err := m.Start(t.Context(), rec, withCookie(nil), u, []string{"pwd", "otp", "mfa"}, "2")
		if err != nil {
			t.Fatal(err)
		}
		c.t = c.t.Add(20 * time.Minute)
		if _, err := store.DeleteUserLoginSessions(t.Context(), u.ID); err != nil {
			t.Fatal(err)
		}
		rec2 := httptest.NewRecorder()
		renewed, err := m.Renew(t.Context(), rec2, withCookie(rec.Result().Cookies()[0]), u, first)
		if err != nil {
			t.Fatal(err)
		}
		s, ok, err := m.Current(t.Context(), withCookie(rec2.Result().Cookies()[0]))
		if err != nil || !ok || s.Session.ID != renewed.ID || renewed.ID == first.ID {
			t.Fatalf("renewed session not recognised: %+v %v %v", s, ok, err)
		}
		if !s.Session.AuthTime.Equal(first.AuthTime) || s.Session.ACR != "2" || strings.Join(s.Session.AMR, " ") != "pwd otp mfa" {
			t.Fatalf("renewed: auth_time %v (want %v), acr %q, amr %v", s.Session.AuthTime, first.AuthTime, s.Session.ACR, s.Session.AMR)
		}
		if !s.Session.ExpiresAt.Equal(c.t.Add(time.Hour)) {
			t.Fatalf("renewed session expires %v, want a full lifespan from now", s.Session.ExpiresAt)
		}
	})
	t.Run("End deletes the session and clears the cookie", func(t *testing.T) {
		m, _, _, u := setup(t, false)
		cookie := signIn(t, m, u, withCookie(nil))
		rec := httptest.NewRecorder()
		if err := m.End(t.Context(), rec, withCookie(cookie)); err != nil {
			t.Fatal(err)
		}
		cleared := rec.Result().Cookies()
		if len(cleared) != 1 || cleared[0].MaxAge >= 0 {
			t.Fatalf("cookie not cleared: %+v", cleared)
		}
		if _, ok, _ := m.Current(t.Context(), withCookie(cookie)); ok {
			t.Fatal("session survives End")
		}
		if err := m.End(t.Context(), httptest.NewRecorder(), withCookie(nil)); err != nil {
			t.Fatalf("End without a session: %v", err)
		}
	})
}

func TestProtect(t *testing.T) {
	var forged bool
	m2, err := session.New(session.Config{Store: memory.New(), Issuer: "http://127.0.0.1:8080", Lifespan: time.Hour,
		OnForgery: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { forged = true; w.WriteHeader(http.StatusForbidden) })})
	if err != nil {
		t.Fatal(err)
	}
	var token string
	h := m2.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { token = session.CSRFToken(r) }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/login", nil))
	csrfCookie := rec.Result().Cookies()[0]
	post := func(tok, origin string) int {
		forged = false
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/login", strings.NewReader(url.Values{"csrf_token": {tok}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", origin)
		r.AddCookie(csrfCookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if forged {
			return http.StatusForbidden
		}
		return rec.Code
	}
	if token == "" {
		t.Fatal("no token handed to the page")
	}
	if got := post(token, "http://127.0.0.1:8080"); got != http.StatusOK {
		t.Fatalf("same-site post with the token: %d", got)
	}
	if got := post("wrong", "http://127.0.0.1:8080"); got != http.StatusForbidden {
		t.Fatalf("post with a wrong token: %d", got)
	}
	if got := post(token, "https://evil.example"); got != http.StatusForbidden {
		t.Fatalf("cross-site post: %d", got)
	}
}

func TestPendingSecondFactor(t *testing.T) {
	m, _, _, u := setup(t, false)
	rec := httptest.NewRecorder()
	if _, err := m.StartPending(t.Context(), rec, withCookie(nil), u, session.AMR(session.AMRPassword)); err != nil {
		t.Fatal(err)
	}
	pending := rec.Result().Cookies()[0]
	t.Run("a password without its second factor signs nobody in", func(t *testing.T) {
		if _, ok, _ := m.Current(t.Context(), withCookie(pending)); ok {
			t.Fatal("pending sign-in counts as signed in")
		}
		s, ok, err := m.Pending(t.Context(), withCookie(pending))
		if err != nil || !ok || s.User.ID != "u1" {
			t.Fatalf("pending = %+v %v %v", s, ok, err)
		}
	})
	t.Run("the second factor replaces the pending session with a signed-in one", func(t *testing.T) {
		full := signIn(t, m, u, withCookie(pending))
		if full.Value == pending.Value {
			t.Fatal("session ID not renewed")
		}
		if _, ok, _ := m.Pending(t.Context(), withCookie(pending)); ok {
			t.Fatal("the pending session survives the sign-in")
		}
		if _, ok, _ := m.Pending(t.Context(), withCookie(full)); ok {
			t.Fatal("a signed-in session is reported pending")
		}
		if _, ok, _ := m.Current(t.Context(), withCookie(full)); !ok {
			t.Fatal("not signed in after the second factor")
		}
	})
}
