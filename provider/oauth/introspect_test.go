package oauth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tokenim/tokenim-auth/storage"
)

func TestIntrospectionAndRevocation(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		rsSecret := h.resourceServer("im-gateway")
		botSecret := h.bot("bot", "im:messages.send")
		otherSecret := h.bot("other-bot", "im:messages.read")
		token := func(id, s string) string {
			t.Helper()
			cc := clientcredentials.Config{ClientID: id, ClientSecret: s, TokenURL: h.url("/oauth2/token"), AuthStyle: oauth2.AuthStyleInHeader}
			tok, err := cc.Token(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			return tok.AccessToken
		}

		t.Run("a resource server sees any active token with its scope and client", func(t *testing.T) {
			r := h.introspect(token("bot", botSecret), "im-gateway", rsSecret)
			if !active(r) {
				t.Fatalf("token inactive: %s", r.raw)
			}
			if r.str("scope") != "im:messages.send" || r.str("client_id") != "bot" || r.str("token_type") != "Bearer" || r.str("token_use") != "access_token" || r.str("iss") != h.srv.URL {
				t.Fatalf("introspection = %s", r.raw)
			}
			if _, ok := r.body["sub"]; ok {
				t.Fatalf("a client-credentials token has a subject, so it could pass for a user's: %s", r.raw)
			}
			if _, ok := r.body["exp"].(float64); !ok {
				t.Fatalf("no exp in %s", r.raw)
			}
			if r.header.Get("Cache-Control") != "no-store" {
				t.Fatalf("Cache-Control = %q", r.header.Get("Cache-Control"))
			}
		})

		t.Run("a client sees its own token but not another client's", func(t *testing.T) {
			own := token("bot", botSecret)
			if r := h.introspect(own, "bot", botSecret); !active(r) {
				t.Fatalf("own token inactive: %s", r.raw)
			}
			if r := h.introspect(own, "other-bot", otherSecret); active(r) || r.status != http.StatusOK {
				t.Fatalf("another client learned about the token: %d %s", r.status, r.raw)
			}
		})

		t.Run("introspection without client authentication is 401", func(t *testing.T) {
			r := h.introspect(token("bot", botSecret), "", "")
			wantError(t, r, http.StatusUnauthorized, "invalid_client")
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic") {
				t.Fatalf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
			}
		})

		t.Run("introspection with a wrong secret is 401", func(t *testing.T) {
			r := h.introspect(token("bot", botSecret), "im-gateway", rsSecret+"x")
			wantError(t, r, http.StatusUnauthorized, "invalid_client")
		})

		t.Run("a public client cannot introspect", func(t *testing.T) {
			h.addClient(storage.Client{ID: "native", Name: "native", Type: storage.ClientPublic, GrantTypes: []string{"authorization_code"}, RedirectURIs: []string{"com.example.im:/cb"}})
			r := h.post("/oauth2/introspect", url.Values{"token": {"x"}, "client_id": {"native"}}, "", "")
			wantError(t, r, http.StatusUnauthorized, "invalid_client")
		})

		t.Run("unknown and garbage tokens are inactive", func(t *testing.T) {
			for _, tok := range []string{"tkm_at_nope.nope", "garbage", strings.Repeat("a", 500)} {
				if r := h.introspect(tok, "im-gateway", rsSecret); active(r) || r.status != http.StatusOK {
					t.Errorf("%q: %d %s", tok, r.status, r.raw)
				}
			}
		})

		t.Run("a missing token parameter is 400 invalid_request", func(t *testing.T) {
			r := h.post("/oauth2/introspect", url.Values{"token_type_hint": {"access_token"}}, "im-gateway", rsSecret)
			wantError(t, r, http.StatusBadRequest, "invalid_request")
		})

		t.Run("a revoked token is inactive at once", func(t *testing.T) {
			tok := token("bot", botSecret)
			r := h.post("/oauth2/revoke", url.Values{"token": {tok}, "token_type_hint": {"access_token"}}, "bot", botSecret)
			if r.status != http.StatusOK {
				t.Fatalf("revoke: %d %s", r.status, r.raw)
			}
			if r := h.introspect(tok, "im-gateway", rsSecret); active(r) {
				t.Fatalf("revoked token still active: %s", r.raw)
			}
		})

		t.Run("revoking an unknown token succeeds (RFC 7009 section 2.2)", func(t *testing.T) {
			r := h.post("/oauth2/revoke", url.Values{"token": {"tkm_at_unknown.token"}}, "bot", botSecret)
			if r.status != http.StatusOK {
				t.Fatalf("revoke unknown: %d %s", r.status, r.raw)
			}
		})

		t.Run("a client cannot revoke another client's token", func(t *testing.T) {
			tok := token("bot", botSecret)
			r := h.post("/oauth2/revoke", url.Values{"token": {tok}}, "other-bot", otherSecret)
			wantError(t, r, http.StatusBadRequest, "unauthorized_client")
			if r := h.introspect(tok, "im-gateway", rsSecret); !active(r) {
				t.Fatal("another client's revocation took effect")
			}
		})

		t.Run("revocation without client authentication is 401", func(t *testing.T) {
			r := h.post("/oauth2/revoke", url.Values{"token": {token("bot", botSecret)}}, "", "")
			wantError(t, r, http.StatusUnauthorized, "invalid_client")
		})
	})
}
