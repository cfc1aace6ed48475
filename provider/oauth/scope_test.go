package oauth_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
)

// OpenID Connect's sign-in scopes a client is not registered for are left
// out of the grant rather than refusing the request (RFC 6749 section 3.3:
// the token response's scope says what was granted); an IM scope the
// client may not have is still invalid_scope.
func TestUnregisteredSignInScopesAreDropped(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newUserHarness(t, hh.store)
		secret := h.addClient(storage.Client{ID: "noemail", Name: "No email", Type: storage.ClientConfidential,
			GrantTypes: []string{"authorization_code"}, Scopes: []string{"openid", "profile"},
			RedirectURIs: []string{"https://noemail.example/cb"}, SkipConsent: true})
		authorize := func(scope string) url.Values {
			q := authParams("noemail", "https://noemail.example/cb")
			q.Set("scope", scope)
			return redirected(t, h.authorize(t, q.Encode()), "https://noemail.example/cb")
		}
		t.Run("openid profile email gets a code for openid profile", func(t *testing.T) {
			cb := authorize("openid profile email")
			if cb.Get("code") == "" {
				t.Fatalf("callback %v", cb)
			}
			r := h.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {cb.Get("code")},
				"redirect_uri": {"https://noemail.example/cb"}, "code_verifier": {pkceVerifier}}, "noemail", secret)
			if r.status != http.StatusOK || r.str("scope") != "openid profile" || r.str("id_token") == "" {
				t.Fatalf("token: %d %s", r.status, r.raw)
			}
		})
		t.Run("offline_access it is not registered for is dropped too", func(t *testing.T) {
			if cb := authorize("openid offline_access"); cb.Get("code") == "" {
				t.Fatalf("callback %v", cb)
			}
		})
		t.Run("an IM scope it may not have is still invalid_scope", func(t *testing.T) {
			if cb := authorize("openid profile email im:messages.read"); cb.Get("error") != "invalid_scope" || cb.Get("code") != "" {
				t.Fatalf("callback %v", cb)
			}
		})
		t.Run("a pushed request drops them too, and the code's token says what was granted", func(t *testing.T) {
			form := authParams("noemail", "https://noemail.example/cb")
			form.Set("scope", "openid profile email")
			form.Del("client_id")
			pushed := h.post("/oauth2/par", form, "noemail", secret)
			if pushed.status != http.StatusCreated {
				t.Fatalf("push: %d %s", pushed.status, pushed.raw)
			}
			q := url.Values{"client_id": {"noemail"}, "request_uri": {pushed.str("request_uri")}}
			cb := redirected(t, h.authorize(t, q.Encode()), "https://noemail.example/cb")
			r := h.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {cb.Get("code")},
				"redirect_uri": {"https://noemail.example/cb"}, "code_verifier": {pkceVerifier}}, "noemail", secret)
			if r.status != http.StatusOK || r.str("scope") != "openid profile" {
				t.Fatalf("token: %d %s", r.status, r.raw)
			}
		})
		t.Run("a pushed IM scope it may not have is still invalid_scope", func(t *testing.T) {
			form := authParams("noemail", "https://noemail.example/cb")
			form.Set("scope", "openid email im:messages.read")
			form.Del("client_id")
			if r := h.post("/oauth2/par", form, "noemail", secret); r.status != http.StatusBadRequest || r.str("error") != "invalid_scope" {
				t.Fatalf("push: %d %s", r.status, r.raw)
			}
		})
		t.Run("openid itself is not dropped", func(t *testing.T) {
			h.addClient(storage.Client{ID: "plain", Name: "Plain", Type: storage.ClientConfidential, GrantTypes: []string{"authorization_code"},
				Scopes: []string{"profile"}, RedirectURIs: []string{"https://plain.example/cb"}, SkipConsent: true})
			q := authParams("plain", "https://plain.example/cb")
			q.Set("scope", "openid profile")
			if cb := redirected(t, h.authorize(t, q.Encode()), "https://plain.example/cb"); cb.Get("error") != "invalid_scope" {
				t.Fatalf("callback %v", cb)
			}
		})
	})
}
