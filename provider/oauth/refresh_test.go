package oauth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A refresh request's scope narrows the new access token (RFC 6749
// section 6); the new refresh token keeps the original grant; a scope
// the refresh token was not granted is invalid_scope.
func TestRefreshScope(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newUserHarness(t, hh.store)
		refresh := func(t *testing.T, token, scope string) reply {
			t.Helper()
			form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}}
			if scope != "" {
				form.Set("scope", scope)
			}
			return h.post("/oauth2/token", form, "app", h.appSecret)
		}
		introspectedScope := func(t *testing.T, token string) string {
			t.Helper()
			r := h.introspect(token, "app", h.appSecret)
			if !active(r) {
				t.Fatalf("token inactive: %s", r.raw)
			}
			return r.str("scope")
		}
		const all = "openid profile email offline_access"

		t.Run("a narrower scope is applied to the new access token", func(t *testing.T) {
			tok := h.tokens(t, all)
			r := refresh(t, tok.str("refresh_token"), "openid profile")
			if r.status != http.StatusOK || r.str("scope") != "openid profile" {
				t.Fatalf("got %d %s, want scope openid profile", r.status, r.raw)
			}
			if got := introspectedScope(t, r.str("access_token")); got != "openid profile" {
				t.Fatalf("the new access token has scope %q", got)
			}
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, h.url("/userinfo"), nil)
			req.Header.Set("Authorization", "Bearer "+r.str("access_token"))
			if u := h.do(req); u.status != http.StatusOK || u.str("email") != "" || u.str("name") == "" {
				t.Fatalf("userinfo %d %s: want the name but not the email", u.status, u.raw)
			}

			t.Run("the new refresh token keeps the original grant", func(t *testing.T) {
				if got := introspectedScope(t, r.str("refresh_token")); got != all {
					t.Fatalf("the new refresh token has scope %q, want %q", got, all)
				}
				again := refresh(t, r.str("refresh_token"), "")
				if again.status != http.StatusOK || again.str("scope") != all {
					t.Fatalf("a refresh without scope: %d %s, want %q", again.status, again.raw, all)
				}
			})
		})
		t.Run("without openid there is no ID token", func(t *testing.T) {
			tok := h.tokens(t, all)
			r := refresh(t, tok.str("refresh_token"), "email offline_access")
			if r.status != http.StatusOK || r.str("scope") != "email offline_access" || r.str("id_token") != "" {
				t.Fatalf("got %d %s", r.status, r.raw)
			}
		})
		for name, scope := range map[string]string{
			"a scope the client may have but was not granted": "openid im:messages.read",
			"a scope nobody has":                              "openid admin",
		} {
			t.Run(name+" is invalid_scope, and the refresh token still works", func(t *testing.T) {
				tok := h.tokens(t, "openid profile offline_access")
				r := refresh(t, tok.str("refresh_token"), scope)
				wantError(t, r, http.StatusBadRequest, "invalid_scope")
				if !strings.Contains(r.str("error_description"), "not granted") {
					t.Fatalf("description %q", r.str("error_description"))
				}
				if ok := refresh(t, tok.str("refresh_token"), ""); ok.status != http.StatusOK {
					t.Fatalf("the refresh token after a refused widening: %d %s", ok.status, ok.raw)
				}
			})
		}
	})
}
