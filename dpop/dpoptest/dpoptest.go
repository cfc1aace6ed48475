// Package dpoptest makes DPoP proofs (RFC 9449) for tests of the token
// endpoint and of resource servers: a client's key pair, and proofs of it
// signed with go-jose as a client library would make them.
package dpoptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tokenim/tokenim-auth/dpop"
)

// Key is a client's DPoP key pair (ES256).
type Key struct {
	priv *ecdsa.PrivateKey
	// JKT is the key's thumbprint, the cnf.jkt of tokens bound to it.
	JKT string
}

// NewKey makes a key pair.
func NewKey(t testing.TB) Key {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jkt, err := dpop.Thumbprint(&jose.JSONWebKey{Key: priv.Public()})
	if err != nil {
		t.Fatal(err)
	}
	return Key{priv: priv, JKT: jkt}
}

// Proof is a proof by k for a request of method to u, made at iat, with a
// fresh jti; it presents accessToken (its ath) and carries nonce when they
// are not empty.
func (k Key) Proof(t testing.TB, method, u, accessToken, nonce string, iat time.Time) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k.priv}, (&jose.SignerOptions{EmbedJWK: true}).WithType(dpop.Typ))
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{"jti": rand.Text(), "htm": method, "htu": u, "iat": iat.Unix()}
	if accessToken != "" {
		claims["ath"] = dpop.AccessTokenHash(accessToken)
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
