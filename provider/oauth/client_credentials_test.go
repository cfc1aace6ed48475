package oauth_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

func TestClientCredentials(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		botSecret := h.bot("bot", "im:messages.send", "im:presence.read", "openid")

		t.Run("a bot gets an opaque bearer token with the scopes it asked for", func(t *testing.T) {
			cc := clientcredentials.Config{ClientID: "bot", ClientSecret: botSecret, TokenURL: h.url("/oauth2/token"), Scopes: []string{"im:messages.send"}}
			tok, err := cc.Token(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(tok.AccessToken, "tkm_at_") || tok.TokenType != "bearer" {
				t.Fatalf("token %q type %q: want an opaque tkm_at_ bearer token", tok.AccessToken, tok.TokenType)
			}
			if tok.RefreshToken != "" {
				t.Fatal("client credentials issued a refresh token")
			}
			if got := tok.Extra("scope"); got != "im:messages.send" {
				t.Fatalf("granted scope %q, want im:messages.send", got)
			}
			if d := time.Until(tok.Expiry); d < 55*time.Minute || d > 61*time.Minute {
				t.Fatalf("token expires in %v, want about the 1h access-token lifespan", d)
			}
		})

		t.Run("without a scope a bot gets its allowed scopes that are not about a user", func(t *testing.T) {
			cc := clientcredentials.Config{ClientID: "bot", ClientSecret: botSecret, TokenURL: h.url("/oauth2/token")}
			tok, err := cc.Token(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if got := tok.Extra("scope"); got != "im:messages.send im:presence.read" {
				t.Fatalf("granted scope %q, want im:messages.send im:presence.read", got)
			}
		})

		t.Run("a client with a secret may send it by either method, whichever it registered, but not both at once", func(t *testing.T) {
			for _, registered := range []string{"client_secret_post", "client_secret_basic"} {
				id := "sends-" + registered
				s := h.addClient(storage.Client{ID: id, Name: id, Type: storage.ClientConfidential, GrantTypes: []string{"client_credentials"}, Scopes: []string{"im:contacts.read"}, TokenEndpointAuthMethod: registered})
				for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInParams, oauth2.AuthStyleInHeader} {
					cc := clientcredentials.Config{ClientID: id, ClientSecret: s, TokenURL: h.url("/oauth2/token"), AuthStyle: style}
					if _, err := cc.Token(t.Context()); err != nil {
						t.Fatalf("registered %s, sent with auth style %d: %v", registered, style, err)
					}
				}
				// RFC 6749 section 2.3: one method per request.
				r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {s}}, id, s)
				wantError(t, r, http.StatusUnauthorized, "invalid_client")
				// A wrong secret in the other place is still wrong.
				wantError(t, h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {s + "x"}}, "", ""),
					http.StatusUnauthorized, "invalid_client")
			}
		})

		t.Run("a wrong secret is 401 invalid_client", func(t *testing.T) {
			r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "bot", botSecret+"x")
			wantError(t, r, http.StatusUnauthorized, "invalid_client")
		})

		t.Run("an unknown client is 401 invalid_client", func(t *testing.T) {
			r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "ghost", botSecret)
			wantError(t, r, http.StatusUnauthorized, "invalid_client")
		})

		t.Run("an expired secret is invalid_client", func(t *testing.T) {
			s := h.bot("expiring", "im:messages.send")
			if _, err := h.store.UpdateClient(t.Context(), "expiring", func(c storage.Client) (storage.Client, error) {
				c.Secrets[0].ExpiresAt = time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
				return c, nil
			}); err != nil {
				t.Fatal(err)
			}
			r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "expiring", s)
			wantError(t, r, http.StatusUnauthorized, "invalid_client")
			if d := r.str("error_description"); !strings.Contains(d, "expired at") || !strings.Contains(d, secret.Prefix(s)) {
				t.Fatalf("description %q: want it to say which secret expired, and when", d)
			}
			// A wrong secret does not claim to be expired.
			if r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "expiring", s+"x"); strings.Contains(r.str("error_description"), "expired") {
				t.Fatalf("a wrong secret is described as expired: %s", r.raw)
			}
		})

		t.Run("during a rotation both live secrets work", func(t *testing.T) {
			oldSecret := h.bot("rotating", "im:messages.send")
			newSecret := secret.NewClientSecret()
			if _, err := h.store.UpdateClient(t.Context(), "rotating", func(c storage.Client) (storage.Client, error) {
				c.Secrets[0].ExpiresAt = time.Now().Add(time.Hour).UTC().Truncate(time.Second)
				c.Secrets = append(c.Secrets, storage.ClientSecret{ID: "rotating-2", Hash: h.hasher.Hash(newSecret), Prefix: secret.Prefix(newSecret), CreatedAt: time.Now().UTC().Truncate(time.Second)})
				return c, nil
			}); err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{oldSecret, newSecret} {
				if r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "rotating", s); r.status != http.StatusOK {
					t.Fatalf("secret %s…: %d %s", secret.Prefix(s), r.status, r.raw)
				}
			}
		})

		t.Run("a token request records when the secret was used", func(t *testing.T) {
			s := h.bot("tracked", "im:messages.send")
			if r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "tracked", s); r.status != http.StatusOK {
				t.Fatalf("token: %d", r.status)
			}
			c, _ := h.store.GetClient(t.Context(), "tracked")
			if c.Secrets[0].LastUsedAt.IsZero() || time.Since(c.Secrets[0].LastUsedAt) > time.Minute {
				t.Fatalf("last used %v", c.Secrets[0].LastUsedAt)
			}
		})

		t.Run("a scope outside the client's list is refused", func(t *testing.T) {
			cc := clientcredentials.Config{ClientID: "bot", ClientSecret: botSecret, TokenURL: h.url("/oauth2/token"), Scopes: []string{"im:calls.read"}, AuthStyle: oauth2.AuthStyleInHeader}
			_, err := cc.Token(t.Context())
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.ErrorCode != "invalid_scope" {
				t.Fatalf("got %v, want invalid_scope", err)
			}
		})

		t.Run("a resource server with no scope gets no token with an empty scope", func(t *testing.T) {
			s := h.resourceServer("gateway")
			r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "gateway", s)
			wantError(t, r, http.StatusBadRequest, "invalid_scope")
			if !strings.Contains(r.str("error_description"), "no scope") {
				t.Fatalf("description %q does not say why", r.str("error_description"))
			}
		})
		t.Run("a bot allowed only sign-in scopes gets no token with an empty scope", func(t *testing.T) {
			s := h.bot("signin-only", "openid", "profile")
			wantError(t, h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "signin-only", s), http.StatusBadRequest, "invalid_scope")
		})
		// A service registered in the portal: what its developer asked
		// for waits in RequestedScopes until an administrator approves it.
		waiting := h.addClient(storage.Client{ID: "waiting", Name: "waiting", Type: storage.ClientConfidential, OwnerID: "u-dev",
			GrantTypes: []string{"client_credentials"}, RequestedScopes: []string{"im:calls.read", "im:messages.send"}})
		t.Run("a service none of whose requested scopes is approved gets no token with an empty scope", func(t *testing.T) {
			r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "waiting", waiting)
			wantError(t, r, http.StatusBadRequest, "invalid_scope")
			if d := r.str("error_description"); !strings.Contains(d, "no scope is approved") || !strings.Contains(d, "waiting for an administrator's approval") ||
				!strings.Contains(d, "im:calls.read im:messages.send") {
				t.Fatalf("description %q: want it to say no scope is approved yet, and which wait", d)
			}
		})
		t.Run("a service asking for a scope waiting for approval is told so", func(t *testing.T) {
			s := h.addClient(storage.Client{ID: "half-approved", Name: "half-approved", Type: storage.ClientConfidential, OwnerID: "u-dev",
				GrantTypes: []string{"client_credentials"}, Scopes: []string{"im:presence.read"}, RequestedScopes: []string{"im:calls.read"}})
			for _, scope := range []string{"im:calls.read", "im:presence.read im:calls.read"} {
				r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}, "half-approved", s)
				wantError(t, r, http.StatusBadRequest, "invalid_scope")
				if d := r.str("error_description"); !strings.Contains(d, "'im:calls.read' is waiting for an administrator's approval") {
					t.Fatalf("scope %q: description %q does not say the scope waits for approval", scope, d)
				}
			}
			// A scope it never asked for is refused as before.
			r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"im:contacts.read im:calls.read"}}, "half-approved", s)
			wantError(t, r, http.StatusBadRequest, "invalid_scope")
			if d := r.str("error_description"); strings.Contains(d, "approval") || !strings.Contains(d, "im:contacts.read") {
				t.Fatalf("description %q: want fosite's refusal of im:contacts.read", d)
			}
			// The approved scope is granted.
			if r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "half-approved", s); r.status != http.StatusOK || r.str("scope") != "im:presence.read" {
				t.Fatalf("the approved scope: %d %s", r.status, r.raw)
			}
		})
		t.Run("a resource server with a scope of its own gets it", func(t *testing.T) {
			s := h.addClient(storage.Client{ID: "gw-caller", Name: "gw-caller", Type: storage.ClientResourceServer, GrantTypes: []string{"client_credentials"}, Scopes: []string{"im:presence.read"}})
			if r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "gw-caller", s); r.status != http.StatusOK || r.str("scope") != "im:presence.read" {
				t.Fatalf("got %d %s", r.status, r.raw)
			}
		})
		t.Run("a client not registered for the grant is refused", func(t *testing.T) {
			s := h.addClient(storage.Client{ID: "webapp", Name: "webapp", Type: storage.ClientConfidential, GrantTypes: []string{"authorization_code"}, Scopes: []string{"openid"}, RedirectURIs: []string{"https://app.example/cb"}})
			r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "webapp", s)
			wantError(t, r, http.StatusBadRequest, "unauthorized_client")
		})

		t.Run("password and implicit grants do not exist", func(t *testing.T) {
			r := h.post("/oauth2/token", url.Values{"grant_type": {"password"}, "username": {"a"}, "password": {"b"}}, "bot", botSecret)
			wantError(t, r, http.StatusBadRequest, "unsupported_grant_type")
		})

		t.Run("malformed bodies are 400 with an RFC 6749 error", func(t *testing.T) {
			for name, body := range map[string]string{
				"no grant type":   "",
				"broken encoding": "grant_type=%zz",
			} {
				req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, h.url("/oauth2/token"), strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth("bot", botSecret)
				r := h.do(req)
				if r.status != http.StatusBadRequest || r.str("error") == "" {
					t.Errorf("%s: got %d %s, want 400 with an error", name, r.status, r.raw)
				}
			}
		})

		t.Run("GET is 405 with an RFC 6749 error", func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, h.url("/oauth2/token"), nil)
			r := h.do(req)
			wantError(t, r, http.StatusMethodNotAllowed, "invalid_request")
			if r.header.Get("Allow") != "POST" {
				t.Fatalf("Allow = %q", r.header.Get("Allow"))
			}
		})
	})
}
