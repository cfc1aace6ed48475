package rs_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tokenim/tokenim-auth/rs"
)

// encryptAnswers makes p encrypt its signed answers to pub, named kid,
// with the JWE content type cty ("" for none).
func (p *fakeProvider) encryptAnswers(t *testing.T, alg jose.KeyAlgorithm, pub any, kid, cty string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	signed := p.sign
	p.sign = func(answer map[string]any) string {
		opts := &jose.EncrypterOptions{}
		if cty != "" {
			opts = opts.WithContentType(jose.ContentType(cty))
		}
		enc, err := jose.NewEncrypter(jose.A128CBC_HS256, jose.Recipient{Algorithm: alg, Key: pub, KeyID: kid}, opts)
		if err != nil {
			t.Error(err)
			return ""
		}
		obj, err := enc.Encrypt([]byte(signed(answer)))
		if err != nil {
			t.Error(err)
			return ""
		}
		out, err := obj.CompactSerialize()
		if err != nil {
			t.Error(err)
		}
		return out
	}
}

// With IntrospectionKeys, the Verifier takes only answers encrypted to one
// of its keys (RFC 9701 section 6), then checks the signed JWT inside as
// any signed answer: one in the clear, encrypted to another key, or not a
// nested JWT is a provider fault, as is an encrypted answer to a Verifier
// with no key.
func TestEncryptedIntrospection(t *testing.T) {
	t.Parallel()
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keys := []rs.DecryptionKey{{ID: "ec-1", Key: ecKey}, {ID: "rsa-1", Key: rsaKey}}
	setup := func(t *testing.T) (*fakeProvider, *clock) {
		p, c := newFakeProvider(t), newClock()
		k := newSigningKey(t, "k1")
		p.publish(k)
		p.issue("tok", "user-ann", c.Now().Add(time.Hour), "im:messages.read")
		p.signAnswers(t, k, c.Now, nil)
		return p, c
	}
	for _, tt := range []struct {
		name string
		alg  jose.KeyAlgorithm
		pub  any
		kid  string
	}{
		{"to the EC key", jose.ECDH_ES_A128KW, ecKey.Public(), "ec-1"},
		{"to the RSA key", jose.RSA_OAEP_256, rsaKey.Public(), "rsa-1"},
		{"to a key, naming none", jose.ECDH_ES, ecKey.Public(), ""},
	} {
		t.Run("an answer encrypted "+tt.name+" is read", func(t *testing.T) {
			t.Parallel()
			p, c := setup(t)
			p.encryptAnswers(t, tt.alg, tt.pub, tt.kid, "JWT")
			v := newVerifier(t, p, c, rs.Config{SignedIntrospection: true, IntrospectionKeys: keys, CacheTTL: rs.NoCache})
			tok, err := v.Verify(t.Context(), "tok")
			if err != nil || tok.Subject != "user-ann" {
				t.Fatalf("Verify: %+v, %v", tok, err)
			}
		})
	}
	for _, tt := range []struct {
		name    string
		encrypt func(p *fakeProvider, t *testing.T)
		keys    []rs.DecryptionKey
	}{
		{"an answer in the clear", func(*fakeProvider, *testing.T) {}, keys},
		{"an answer encrypted to another key", func(p *fakeProvider, t *testing.T) {
			p.encryptAnswers(t, jose.ECDH_ES, other.Public(), "ec-1", "JWT")
		}, keys},
		{"an encrypted answer that is not a nested JWT", func(p *fakeProvider, t *testing.T) {
			p.encryptAnswers(t, jose.ECDH_ES, ecKey.Public(), "ec-1", "")
		}, keys},
		{"an encrypted answer to a Verifier without keys", func(p *fakeProvider, t *testing.T) {
			p.encryptAnswers(t, jose.ECDH_ES, ecKey.Public(), "ec-1", "JWT")
		}, nil},
	} {
		t.Run(tt.name+" is a provider fault", func(t *testing.T) {
			t.Parallel()
			p, c := setup(t)
			tt.encrypt(p, t)
			v := newVerifier(t, p, c, rs.Config{SignedIntrospection: true, IntrospectionKeys: tt.keys, CacheTTL: rs.NoCache})
			if _, err := v.Verify(t.Context(), "tok"); !errors.Is(err, rs.ErrUnavailable) {
				t.Fatalf("Verify: %v, want ErrUnavailable", err)
			}
		})
	}
}

// Keys the provider could not encrypt to, or given without signed
// introspection, are a configuration error naming them.
func TestIntrospectionKeysConfig(t *testing.T) {
	t.Parallel()
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	base := rs.Config{Issuer: "https://auth.example.com", ClientID: "im", ClientSecret: "s", SignedIntrospection: true}
	for _, tt := range []struct {
		name   string
		change func(*rs.Config)
		want   string
	}{
		{"keys without signed introspection", func(c *rs.Config) {
			c.SignedIntrospection, c.IntrospectionKeys = false, []rs.DecryptionKey{{ID: "a", Key: ecKey}}
		}, "only with signed introspection"},
		{"a key without an ID", func(c *rs.Config) { c.IntrospectionKeys = []rs.DecryptionKey{{Key: ecKey}} }, "introspection keys[0]: an ID (kid) is required"},
		{"two keys with one ID", func(c *rs.Config) {
			c.IntrospectionKeys = []rs.DecryptionKey{{ID: "a", Key: ecKey}, {ID: "a", Key: ecKey}}
		}, `introspection keys[1]: ID "a" used twice`},
		{"a small RSA key", func(c *rs.Config) { c.IntrospectionKeys = []rs.DecryptionKey{{ID: "a", Key: small}} }, "1024 bits; 2048 or more"},
		{"a public key", func(c *rs.Config) { c.IntrospectionKeys = []rs.DecryptionKey{{ID: "a", Key: ecKey.Public()}} }, "*ecdsa.PublicKey; an *rsa.PrivateKey or *ecdsa.PrivateKey"},
	} {
		c := base
		tt.change(&c)
		if _, err := rs.New(c); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

// PublicKeys publishes the public halves of the keys, for encryption, and
// nothing of the private ones.
func TestPublicKeys(t *testing.T) {
	t.Parallel()
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	h, err := rs.PublicKeys(rs.DecryptionKey{ID: "ec-1", Key: ecKey}, rs.DecryptionKey{ID: "rsa-1", Key: rsaKey})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/jwks.json", nil))
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(w.Body.Bytes(), &set); err != nil || w.Code != http.StatusOK {
		t.Fatalf("%d %s: %v", w.Code, w.Body, err)
	}
	if len(set.Keys) != 2 || !set.Keys[0].IsPublic() || !set.Keys[1].IsPublic() || set.Keys[0].Use != "enc" || set.Keys[1].KeyID != "rsa-1" {
		t.Fatalf("published %+v", set.Keys)
	}
	if strings.Contains(w.Body.String(), `"d"`) {
		t.Fatalf("a private part is published: %s", w.Body)
	}
	if _, err := rs.PublicKeys(rs.DecryptionKey{ID: "x", Key: "not a key"}); err == nil {
		t.Error("PublicKeys took a string as a key")
	}
}
