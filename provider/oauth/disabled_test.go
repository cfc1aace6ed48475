package oauth_test

import (
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/tokenim/tokenim-auth/storage"
)

func TestDisabledClient(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		botSecret := h.bot("bot", "im:messages.send")
		gwSecret := h.resourceServer("gateway")
		cc := clientcredentials.Config{ClientID: "bot", ClientSecret: botSecret, TokenURL: h.url("/oauth2/token")}
		tok, err := cc.Token(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		setDisabled := func(disabled bool) {
			if _, err := h.store.UpdateClient(t.Context(), "bot", func(c storage.Client) (storage.Client, error) {
				c.Disabled = disabled
				return c, nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		setDisabled(true)

		t.Run("a disabled app cannot get a token", func(t *testing.T) {
			r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "bot", botSecret)
			wantError(t, r, http.StatusUnauthorized, "invalid_client")
		})
		t.Run("a disabled app's tokens are not active", func(t *testing.T) {
			if r := h.introspect(tok.AccessToken, "gateway", gwSecret); active(r) {
				t.Fatalf("a token of a disabled app is active: %s", r.raw)
			}
		})
		t.Run("enabled again, the app gets tokens and its token is active again", func(t *testing.T) {
			setDisabled(false)
			if _, err := cc.Token(t.Context()); err != nil {
				t.Fatal(err)
			}
			if r := h.introspect(tok.AccessToken, "gateway", gwSecret); !active(r) {
				t.Fatalf("the token is not active once the app is enabled: %s", r.raw)
			}
		})
	})
}
