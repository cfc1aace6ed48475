package storagetest

import (
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func sampleClient(id string) storage.Client {
	return storage.Client{
		ID:   id,
		Name: "Chat app " + id,
		Type: storage.ClientConfidential,
		Secrets: []storage.ClientSecret{{
			ID:        id + "-s1",
			Hash:      []byte("hash-of-secret-1-" + id),
			Prefix:    "tks_abcd",
			CreatedAt: at(0),
			ExpiresAt: at(90 * 24 * time.Hour),
		}},
		RedirectURIs:            []string{"https://chat.example/callback", "https://chat.example/cb2"},
		PostLogoutRedirectURIs:  []string{"https://chat.example/bye"},
		GrantTypes:              []string{"authorization_code", "refresh_token"},
		Scopes:                  []string{"openid", "im:messages.read", "im:messages.send"},
		TokenEndpointAuthMethod: "client_secret_basic",
		OwnerID:                 "dev-1",
		RequestedScopes:         []string{"im:calls.read"},
		Description:             "Team chat for " + id,
		LogoURI:                 "https://chat.example/logo.png",
		CreatedAt:               at(0),
		UpdatedAt:               at(0),
	}
}

func sampleUser(id, email string) storage.User {
	return storage.User{
		ID:            id,
		Email:         email,
		EmailVerified: true,
		Name:          "User " + id,
		PasswordHash:  "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
		Status:        storage.UserActive,
		Role:          "member",
		CreatedAt:     at(0),
		UpdatedAt:     at(0),
	}
}

func sampleToken(kind storage.TokenKind, sig, requestID, clientID string) storage.Token {
	return storage.Token{
		Kind:        kind,
		Signature:   sig,
		RequestID:   requestID,
		ClientID:    clientID,
		Subject:     "user-1",
		Scopes:      []string{"openid", "im:messages.read"},
		Active:      true,
		RequestedAt: at(0),
		ExpiresAt:   at(time.Hour),
		Session:     []byte(`{"opaque":"session for ` + sig + `"}`),
	}
}

func sampleKey(id string, created time.Time) storage.SigningKey {
	return sampleKeyOf(id, "ES256", created)
}

// sampleKeyOf is sampleKey of algorithm alg.
func sampleKeyOf(id, alg string, created time.Time) storage.SigningKey {
	return storage.SigningKey{
		ID:         id,
		Algorithm:  alg,
		PrivateKey: []byte("sealed private key " + id),
		PublicKey:  []byte(`{"kty":"EC","kid":"` + id + `"}`),
		CreatedAt:  created,
	}
}

// seedClient stores a sample client and returns it.
func seedClient(t *testing.T, s storage.Store, id string) storage.Client {
	t.Helper()
	c := sampleClient(id)
	must(t, s.CreateClient(t.Context(), c), "create client "+id)
	return c
}

// seedUser stores a sample user and returns it.
func seedUser(t *testing.T, s storage.Store, id, email string) storage.User {
	t.Helper()
	u := sampleUser(id, email)
	must(t, s.CreateUser(t.Context(), u), "create user "+id)
	return u
}

// seedToken stores a token of a sample client "app" (created if needed).
func seedToken(t *testing.T, s storage.Store, tok storage.Token) storage.Token {
	t.Helper()
	ctx := t.Context()
	if _, err := s.GetClient(ctx, tok.ClientID); err != nil {
		seedClient(t, s, tok.ClientID)
	}
	must(t, s.CreateToken(ctx, tok), "create token "+tok.Signature)
	return tok
}
