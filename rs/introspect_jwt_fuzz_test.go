package rs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// FuzzOpenSignedIntrospection: whatever the provider (or something in its
// place) answers, a signed introspection answer is opened without a panic
// and yields a JSON object only when it is a JWT of the provider's key for
// this resource server, encrypted to its key when it has one
// (IntrospectionKeys); the seeds hold a valid answer of each kind, which
// opens.
func FuzzOpenSignedIntrospection(f *testing.F) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.well-known/openid-configuration" {
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": "http://" + r.Host, "jwks_uri": "http://" + r.Host + "/jwks"})
			return
		}
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: priv.Public(), KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	}))
	f.Cleanup(srv.Close)
	now := time.Now()
	v, err := New(Config{Issuer: srv.URL, ClientID: "im", ClientSecret: "s", Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: priv, KeyID: "k1"}}, (&jose.SignerOptions{}).WithType(introspectionJWTType))
	if err != nil {
		f.Fatal(err)
	}
	valid, err := jwt.Signed(signer).Claims(map[string]any{"iss": srv.URL, "aud": "im", "iat": now.Unix(),
		"token_introspection": map[string]any{"active": true, "sub": "u"}}).Serialize()
	if err != nil {
		f.Fatal(err)
	}
	if _, err := v.openSignedIntrospection(f.Context(), introspectionJWTMedia, []byte(valid)); err != nil {
		f.Fatalf("the valid seed does not open: %v", err)
	}
	encKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	ve, err := New(Config{Issuer: srv.URL, ClientID: "im", ClientSecret: "s", Now: func() time.Time { return now },
		SignedIntrospection: true, IntrospectionKeys: []DecryptionKey{{ID: "e1", Key: encKey}}})
	if err != nil {
		f.Fatal(err)
	}
	encrypter, err := jose.NewEncrypter(jose.A128CBC_HS256, jose.Recipient{Algorithm: jose.ECDH_ES_A128KW, Key: encKey.Public(), KeyID: "e1"}, (&jose.EncrypterOptions{}).WithContentType("JWT"))
	if err != nil {
		f.Fatal(err)
	}
	obj, err := encrypter.Encrypt([]byte(valid))
	if err != nil {
		f.Fatal(err)
	}
	encrypted, err := obj.CompactSerialize()
	if err != nil {
		f.Fatal(err)
	}
	if _, err := ve.openSignedIntrospection(f.Context(), introspectionJWTMedia, []byte(encrypted)); err != nil {
		f.Fatalf("the valid encrypted seed does not open: %v", err)
	}
	f.Add(introspectionJWTMedia, valid)
	f.Add(introspectionJWTMedia, encrypted)
	f.Add(introspectionJWTMedia, strings.Replace(encrypted, ".", "..", 1))
	f.Add("application/json", `{"active":true}`)
	f.Add(introspectionJWTMedia, strings.Replace(valid, ".", "..", 1))
	f.Add(introspectionJWTMedia+"; charset=utf-8", valid+"x")
	f.Fuzz(func(t *testing.T, contentType, body string) {
		out, err := v.openSignedIntrospection(t.Context(), contentType, []byte(body))
		if err != nil {
			// The same body, to a resource server taking only answers
			// encrypted to its key.
			if out, err = ve.openSignedIntrospection(t.Context(), contentType, []byte(body)); err != nil {
				return
			}
			if strings.Count(strings.TrimSpace(body), ".") != 4 {
				t.Fatalf("opened %q, which is not encrypted, with IntrospectionKeys", body)
			}
		}
		var m map[string]any
		if json.Unmarshal(out, &m) != nil {
			t.Fatalf("opened %q to %q, not a JSON object", body, out)
		}
		if !strings.Contains(body, ".") {
			t.Fatalf("opened %q, which is no JWT", body)
		}
	})
}
