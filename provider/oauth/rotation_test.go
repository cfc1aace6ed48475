package oauth_test

import (
	"net/url"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/provider/secret"
)

const newSystemSecret = "the-new-system-secret-0123456789abcdef"

// underSecret makes a harness's provider use the system secret system,
// still accepting previous.
func underSecret(t *testing.T, system string, previous ...string) func(*oauth.Config) {
	ring, err := secret.NewKeyring(system)
	if err != nil {
		t.Fatal(err)
	}
	if ring, err = ring.WithPrevious(previous...); err != nil {
		t.Fatal(err)
	}
	return func(c *oauth.Config) {
		c.TokenKey = ring.Derive(secret.PurposeTokens)
		c.PreviousTokenKeys = ring.DerivePrevious(secret.PurposeTokens)
		c.Hasher = secret.NewHasher(ring)
	}
}

// While the system secret is rotated, tokens issued and client secrets
// hashed under the previous secret still work; a client secret presented
// is hashed again under the new secret, so it keeps working once the
// previous secret is dropped, while one not used meanwhile does not.
func TestSystemSecretRotation(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, old *harness) {
		used := old.bot("used", "im:messages.send")
		idle := old.bot("idle", "im:messages.send")
		token := old.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "used", used).str("access_token")
		if token == "" {
			t.Fatal("no token under the old secret")
		}

		during := newHarness(t, old.store, underSecret(t, newSystemSecret, systemSecret))
		during.hasher = secret.NewHasher(mustRing(t, newSystemSecret))
		rsSecret := during.resourceServer("rs")
		if r := during.introspect(token, "rs", rsSecret); !active(r) {
			t.Fatalf("a token issued under the previous secret is not active during the rotation: %s", r.raw)
		}
		if r := during.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "used", used); r.str("access_token") == "" {
			t.Fatalf("a client secret hashed under the previous secret is refused during the rotation: %s", r.raw)
		}
		c, err := old.store.GetClient(t.Context(), "used")
		if err != nil {
			t.Fatal(err)
		}
		if !during.hasher.UnderCurrent(c.Secrets[0].Hash) {
			t.Fatal("the client secret used during the rotation is still hashed under the previous secret")
		}

		after := newHarness(t, old.store, underSecret(t, newSystemSecret))
		if r := after.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "used", used); r.str("access_token") == "" {
			t.Fatalf("the client secret used during the rotation is refused after it: %s", r.raw)
		}
		wantError(t, after.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "idle", idle), 401, "invalid_client")
		if r := after.introspect(token, "rs", rsSecret); active(r) {
			t.Fatal("a token issued under the dropped secret is still active")
		}
	})
}

func mustRing(t *testing.T, system string) secret.Keyring {
	t.Helper()
	r, err := secret.NewKeyring(system)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
