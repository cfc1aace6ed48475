package oauth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestUserinfo(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newUserHarness(t, hh.store)
		tok := h.tokens(t, "openid profile email offline_access")
		access, refresh := tok.str("access_token"), tok.str("refresh_token")
		if refresh == "" {
			t.Fatalf("no refresh token: %s", tok.raw)
		}
		get := func(t *testing.T, query string, header string) reply {
			t.Helper()
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, h.url("/userinfo"+query), nil)
			if header != "" {
				req.Header.Set("Authorization", header)
			}
			return h.do(req)
		}
		post := func(t *testing.T, form url.Values, header string) reply {
			t.Helper()
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, h.url("/userinfo"), strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if header != "" {
				req.Header.Set("Authorization", header)
			}
			return h.do(req)
		}
		wantBearerError := func(t *testing.T, r reply, status int, code string) {
			t.Helper()
			wantError(t, r, status, code)
			if c := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(c, "Bearer ") || !strings.Contains(c, `error="`+code+`"`) {
				t.Fatalf("WWW-Authenticate %q, want a Bearer challenge with error=%q (RFC 6750 section 3)", c, code)
			}
		}

		t.Run("an access token in the Authorization header gets the user's claims", func(t *testing.T) {
			r := get(t, "", "Bearer "+access)
			if r.status != http.StatusOK || r.str("sub") != "ann" || r.str("email") != "ann@example.com" {
				t.Fatalf("got %d %s", r.status, r.raw)
			}
		})
		t.Run("an access token in a POST form body is accepted (RFC 6750 section 2.2)", func(t *testing.T) {
			if r := post(t, url.Values{"access_token": {access}}, ""); r.status != http.StatusOK || r.str("sub") != "ann" {
				t.Fatalf("got %d %s", r.status, r.raw)
			}
		})
		t.Run("a refresh token is not an access token", func(t *testing.T) {
			wantBearerError(t, get(t, "", "Bearer "+refresh), http.StatusUnauthorized, "invalid_token")
			wantBearerError(t, post(t, url.Values{"access_token": {refresh}}, ""), http.StatusUnauthorized, "invalid_token")
		})
		t.Run("a refresh token does not open the provider's own APIs", func(t *testing.T) {
			if _, _, _, err := h.p.Bearer(t.Context(), refresh); err == nil {
				t.Fatal("Bearer accepted a refresh token")
			}
			if client, sub, _, err := h.p.Bearer(t.Context(), access); err != nil || client != "app" || sub != "ann" {
				t.Fatalf("Bearer(access token) = %q %q %v", client, sub, err)
			}
		})
		t.Run("a token in the query string is refused, even a good one", func(t *testing.T) {
			wantBearerError(t, get(t, "?access_token="+url.QueryEscape(access), ""), http.StatusBadRequest, "invalid_request")
			wantBearerError(t, get(t, "?access_token="+url.QueryEscape(access), "Bearer "+access), http.StatusBadRequest, "invalid_request")
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, h.url("/userinfo?access_token="+url.QueryEscape(access)), nil)
			wantBearerError(t, h.do(req), http.StatusBadRequest, "invalid_request")
		})
		t.Run("a token sent two ways at once is refused", func(t *testing.T) {
			wantBearerError(t, post(t, url.Values{"access_token": {access}}, "Bearer "+access), http.StatusBadRequest, "invalid_request")
		})
		t.Run("no token is 401 with a bare challenge", func(t *testing.T) {
			r := get(t, "", "")
			if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ") {
				t.Fatalf("got %d %q", r.status, r.header.Get("WWW-Authenticate"))
			}
		})
	})
}
