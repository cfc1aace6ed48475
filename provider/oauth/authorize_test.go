package oauth_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
)

// pageKey reads the error page errorKeys rendered, checking it is one and
// that nothing was redirected.
func pageKey(t *testing.T, resp *http.Response, status int) string {
	t.Helper()
	if resp.StatusCode != status || resp.Header.Get("Location") != "" {
		t.Fatalf("got %d to %q, want the error page with %d", resp.StatusCode, resp.Header.Get("Location"), status)
	}
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

func TestAuthorizeRequestChecks(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newUserHarness(t, hh.store)
		h.addClient(storage.Client{ID: "loopweb", Name: "Loop web", Type: storage.ClientConfidential, GrantTypes: []string{"authorization_code"},
			Scopes: []string{"openid", "profile"}, RedirectURIs: []string{"http://127.0.0.1:5555/callback"}, SkipConsent: true})
		good := func() url.Values { return authParams("app", h.appRedirect) }
		set := func(q url.Values, k, v string) url.Values { q.Set(k, v); return q }

		t.Run("a good request gets a code by query, with iss", func(t *testing.T) {
			cb := redirected(t, h.authorize(t, good().Encode()), h.appRedirect)
			if cb.Get("code") == "" || cb.Get("iss") != h.srv.URL || cb.Get("state") != "state-0123456789" {
				t.Fatalf("callback %v", cb)
			}
		})

		t.Run("a repeated parameter goes back as invalid_request", func(t *testing.T) {
			cb := redirected(t, h.authorize(t, good().Encode()+"&scope=openid+email"), h.appRedirect)
			if cb.Get("error") != "invalid_request" || cb.Get("code") != "" || !strings.Contains(cb.Get("error_description"), "scope") {
				t.Fatalf("callback %v", cb)
			}
		})
		for _, name := range []string{"redirect_uri", "client_id", "state", "response_mode"} {
			t.Run("a repeated "+name+" ends on the error page", func(t *testing.T) {
				q := set(good(), "response_mode", "query").Encode() + "&" + url.Values{name: {"https://evil.example/cb"}}.Encode()
				if key := pageKey(t, h.authorize(t, q), http.StatusBadRequest); key != "error.invalid_request" {
					t.Fatalf("page %q", key)
				}
			})
		}

		t.Run("an unknown client_id ends on the unknown-app page, not the redirect URI one", func(t *testing.T) {
			if key := pageKey(t, h.authorize(t, authParams("ghost", h.appRedirect).Encode()), http.StatusBadRequest); key != "error.unknown_client" {
				t.Fatalf("page %q", key)
			}
		})
		t.Run("a request without a client_id ends on the unknown-app page", func(t *testing.T) {
			q := good()
			q.Del("client_id")
			if key := pageKey(t, h.authorize(t, q.Encode()), http.StatusBadRequest); key != "error.unknown_client" {
				t.Fatalf("page %q", key)
			}
		})

		t.Run("a huge scope is refused on a page, not echoed into a redirect", func(t *testing.T) {
			q := set(good(), "scope", "openid "+strings.Repeat("s", 64<<10))
			if key := pageKey(t, h.authorize(t, q.Encode()), http.StatusBadRequest); key != "error.request_too_large" {
				t.Fatalf("page %q", key)
			}
		})
		t.Run("an oversized state is refused on a page", func(t *testing.T) {
			q := set(good(), "state", strings.Repeat("s", 2049))
			if key := pageKey(t, h.authorize(t, q.Encode()), http.StatusBadRequest); key != "error.request_too_large" {
				t.Fatalf("page %q", key)
			}
		})
		t.Run("a query over 8 KiB is refused on a page", func(t *testing.T) {
			q := good()
			for _, k := range []string{"a", "b", "c", "d", "e"} {
				q.Set(k, strings.Repeat("x", 2000))
			}
			if key := pageKey(t, h.authorize(t, q.Encode()), http.StatusBadRequest); key != "error.request_too_large" {
				t.Fatalf("page %q", key)
			}
		})
		t.Run("a state of 2 KiB still works", func(t *testing.T) {
			q := set(good(), "state", strings.Repeat("s", 2048))
			if cb := redirected(t, h.authorize(t, q.Encode()), h.appRedirect); cb.Get("code") == "" {
				t.Fatalf("callback %v", cb)
			}
		})
		t.Run("an error description echoed into the redirect is bounded", func(t *testing.T) {
			q := set(good(), "scope", "openid "+strings.Repeat("s", 2000))
			resp := h.authorize(t, q.Encode())
			cb := redirected(t, resp, h.appRedirect)
			if cb.Get("error") != "invalid_scope" || len(cb.Get("error_description")) > 600 {
				t.Fatalf("error %q, description of %d bytes", cb.Get("error"), len(cb.Get("error_description")))
			}
		})

		t.Run("response_mode=query is supported", func(t *testing.T) {
			if cb := redirected(t, h.authorize(t, set(good(), "response_mode", "query").Encode()), h.appRedirect); cb.Get("code") == "" || cb.Get("iss") != h.srv.URL {
				t.Fatalf("callback %v", cb)
			}
		})
		t.Run("an unknown response_mode with a bad redirect URI ends on the error page", func(t *testing.T) {
			q := set(authParams("app", "https://evil.example/cb"), "response_mode", "jwt")
			pageKey(t, h.authorize(t, q.Encode()), http.StatusBadRequest)
		})

		desktop := func(redirect string) url.Values { return authParams("desktop", redirect) }
		for _, redirect := range []string{"http://127.0.0.1:49152/callback", "http://[::1]:49152/callback", "http://127.0.0.1/callback"} {
			t.Run("a native app's loopback redirect URI may change its port: "+redirect, func(t *testing.T) {
				if cb := redirected(t, h.authorize(t, desktop(redirect).Encode()), redirect); cb.Get("code") == "" {
					t.Fatalf("callback %v", cb)
				}
			})
		}
		for name, q := range map[string]url.Values{
			"a native app's loopback URI with a user name":      desktop("http://evil@127.0.0.1:49152/callback"),
			"a native app's loopback URI on another path":       desktop("http://127.0.0.1:49152/other"),
			"a native app's loopback URI on another IP":         desktop("http://127.0.0.2:49152/callback"),
			"localhost for a native app's loopback IP":          desktop("http://localhost:49152/callback"),
			"a web app's loopback URI on another port":          authParams("loopweb", "http://127.0.0.1:5556/callback"),
			"a web app's loopback URI with a user name":         authParams("loopweb", "http://evil@127.0.0.1:5555/callback"),
			"a bad URI even when the request has another error": set(authParams("loopweb", "http://127.0.0.1:5556/callback"), "scope", "openid nope"),
		} {
			t.Run(name+" ends on the error page", func(t *testing.T) {
				if key := pageKey(t, h.authorize(t, q.Encode()), http.StatusBadRequest); key != "error.redirect_uri" {
					t.Fatalf("page %q", key)
				}
			})
		}
		t.Run("a web app's exact loopback URI works", func(t *testing.T) {
			if cb := redirected(t, h.authorize(t, authParams("loopweb", "http://127.0.0.1:5555/callback").Encode()), "http://127.0.0.1:5555/callback"); cb.Get("code") == "" {
				t.Fatalf("callback %v", cb)
			}
		})
	})
}

func mustGet(t *testing.T, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
