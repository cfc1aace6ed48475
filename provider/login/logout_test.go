package login

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
)

const (
	chatBye  = "https://chat.example.com/signed-out"
	evilSite = "https://evil.example"
)

// csrfSessions is the fake browser behind the real CSRF middleware.
type csrfSessions struct {
	Sessions
	m *session.Manager
}

func (c csrfSessions) Protect(h http.Handler) http.Handler { return c.m.Protect(h) }

// realCSRF puts the real CSRF middleware in front of the pages, refusing
// a forgery with 403 as serve does.
func realCSRF(t *testing.T) func(*Config) {
	return func(c *Config) {
		m, err := session.New(session.Config{Issuer: testIssuer, OnForgery: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "forbidden", http.StatusForbidden)
		})})
		if err != nil {
			t.Fatal(err)
		}
		c.Sessions = csrfSessions{Sessions: c.Sessions, m: m}
	}
}

// signedInWithApp returns a harness whose browser is signed in, with an
// app that may be returned to after logout.
func signedInWithApp(t *testing.T, change ...func(*Config)) *harness {
	t.Helper()
	h := newHarness(t, change...)
	u := h.addUser(t, "ann@example.com", "correct horse battery")
	h.browser.current = storage.LoginSession{ID: "s1", UserID: u.ID, AMR: []string{"pwd"}, ACR: "1", AuthTime: t0}
	c := storage.Client{ID: "chat-web", Name: "Acme Chat", Type: storage.ClientPublic, PostLogoutRedirectURIs: []string{chatBye}, CreatedAt: t0, UpdatedAt: t0}
	if err := h.store.CreateClient(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) signedIn(t *testing.T) bool {
	t.Helper()
	_, ok, err := h.browser.Current(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func logoutForm(locale string) url.Values {
	return url.Values{
		"client_id": {"chat-web"}, "post_logout_redirect_uri": {chatBye}, "state": {"st-42"},
		"ui_locales": {locale}, "logout_hint": {"ann@example.com"},
	}
}

// An app's logout request by POST (form serialization) gets the page the
// same request by GET gets, and signs nobody out by itself.
func TestLogoutByPostAsksLikeGet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ locale, heading string }{
		{"en", "Acme Chat asked to sign you out."},
		{"zh-CN", "Acme Chat 请求将您退出登录。"},
	} {
		t.Run(tc.locale, func(t *testing.T) {
			t.Parallel()
			h := signedInWithApp(t)
			form := logoutForm(tc.locale)
			byGet := h.get(t, "/oauth2/logout?"+form.Encode())
			wantPage(t, byGet, http.StatusOK, tc.heading)

			w := h.post(t, "/oauth2/logout", form, "Origin", "https://chat.example.com")
			if w.Code != http.StatusSeeOther {
				t.Fatalf("status %d, want 303:\n%s", w.Code, w.Body)
			}
			byPost := h.get(t, w.Header().Get("Location"))
			wantPage(t, byPost, http.StatusOK, tc.heading)
			if byPost.Body.String() != byGet.Body.String() {
				t.Errorf("the page by POST differs from the page by GET:\n%s\n---\n%s", byPost.Body, byGet.Body)
			}
			if !h.signedIn(t) {
				t.Error("the app's request signed the user out without asking")
			}
		})
	}
}

// With nobody signed in, a POST ends where the same GET does: back at the
// app with its state.
func TestLogoutByPostSignedOutReturnsToApp(t *testing.T) {
	t.Parallel()
	h := signedInWithApp(t)
	h.browser.current = storage.LoginSession{}
	w := h.post(t, "/oauth2/logout", logoutForm("en"))
	if w.Code != http.StatusSeeOther {
		t.Fatalf("status %d, want 303:\n%s", w.Code, w.Body)
	}
	w = h.get(t, w.Header().Get("Location"))
	if got := w.Header().Get("Location"); w.Code != http.StatusSeeOther || got != chatBye+"?state=st-42" {
		t.Fatalf("status %d to %q, want 303 to the app:\n%s", w.Code, got, w.Body)
	}
}

// A parameter sent twice, in the body or in both the query and the body,
// is refused as it is by GET; so it is in the confirmation form.
func TestLogoutByPostRepeatedParameters(t *testing.T) {
	t.Parallel()
	twice := logoutForm("en")
	twice.Add("post_logout_redirect_uri", evilSite+"/")
	confirmed := logoutForm("en")
	confirmed.Add("post_logout_redirect_uri", evilSite+"/")
	confirmed.Set(session.CSRFField, "")
	for _, tc := range []struct {
		name, path string
		form       url.Values
	}{
		{"in the body", "/oauth2/logout", twice},
		{"in the query and the body", "/oauth2/logout?client_id=chat-web", logoutForm("en")},
		{"in the confirmation form", "/oauth2/logout", confirmed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := signedInWithApp(t)
			w := h.post(t, tc.path, tc.form)
			if w.Code == http.StatusSeeOther {
				w = h.get(t, w.Header().Get("Location"))
			}
			wantPage(t, w, http.StatusBadRequest)
			if loc := w.Header().Get("Location"); loc != "" {
				t.Errorf("sent on to %q", loc)
			}
			if !h.signedIn(t) {
				t.Error("signed out by a refused request")
			}
		})
	}
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// Behind the real CSRF check: a forged confirmation from another site is
// refused and ends nothing; one without our field is only an app's
// request; the page's own form still signs out and returns to the app.
func TestLogoutConfirmationKeepsCSRF(t *testing.T) {
	t.Parallel()
	h := signedInWithApp(t, realCSRF(t))
	form := logoutForm("en")

	for name, token := range map[string][]string{"no token": {""}, "a made-up token": {"bm90IG91ciB0b2tlbg=="}} {
		forged := logoutForm("en")
		forged[session.CSRFField] = token
		w := h.post(t, "/oauth2/logout", forged, "Origin", evilSite)
		if w.Code != http.StatusForbidden {
			t.Fatalf("%s: status %d, want 403:\n%s", name, w.Code, w.Body)
		}
		if !h.signedIn(t) {
			t.Fatalf("%s: a forged confirmation signed the user out", name)
		}
	}
	if w := h.post(t, "/oauth2/logout", form, "Origin", evilSite); w.Code != http.StatusSeeOther || !h.signedIn(t) {
		t.Fatalf("an app's POST: status %d, signed in %v; want 303 and still signed in", w.Code, h.signedIn(t))
	}

	page := h.get(t, "/oauth2/logout?"+form.Encode())
	wantPage(t, page, http.StatusOK, "Acme Chat asked to sign you out.")
	m := csrfInput.FindStringSubmatch(page.Body.String())
	if m == nil {
		t.Fatalf("no CSRF token on the page:\n%s", page.Body)
	}
	confirmed := logoutForm("en")
	confirmed.Set(session.CSRFField, html.UnescapeString(m[1]))
	req := postRequest(t, "/oauth2/logout", confirmed)
	for _, c := range page.Result().Cookies() {
		req.AddCookie(c)
	}
	w := h.serve(t, req, "Origin", testIssuer)
	if got := w.Header().Get("Location"); w.Code != http.StatusSeeOther || got != chatBye+"?state=st-42" {
		t.Fatalf("confirmed: status %d to %q, want 303 to the app:\n%s", w.Code, got, w.Body)
	}
	if h.signedIn(t) {
		t.Error("the confirmed form did not sign out")
	}
}
