package registration_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/registration"
)

// A client registers how its signed introspection answers are signed and
// encrypted (RFC 9701 section 6), with the jwks_uri on its own host that
// publishes the key to encrypt to: stored, echoed with the default
// content encryption filled in; without a jwks_uri, or with an algorithm
// the provider does not offer, it is refused naming the field.
func TestIntrospectionEncryptionRegistered(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(p *registration.Policy) { p.Open = true })
	meta := botMeta()
	meta["jwks_uri"] = "https://bot.example/jwks.json"
	meta["introspection_signed_response_alg"] = "ES256"
	meta["introspection_encrypted_response_alg"] = "ECDH-ES+A128KW"
	a := f.register(t, "", meta)
	if a.status != http.StatusCreated || a.str("introspection_signed_response_alg") != "ES256" ||
		a.str("introspection_encrypted_response_alg") != "ECDH-ES+A128KW" || a.str("introspection_encrypted_response_enc") != "A128CBC-HS256" {
		t.Fatalf("register: %d %v", a.status, a.body)
	}
	c, err := f.store.GetClient(t.Context(), a.str("client_id"))
	if err != nil || c.JWKSURI != "https://bot.example/jwks.json" || c.IntrospectionAlg() != "ES256" || c.IntrospectionEncryptedResponseAlg != "ECDH-ES+A128KW" {
		t.Fatalf("stored %+v (%v)", c, err)
	}

	for _, tt := range []struct {
		name  string
		set   map[string]any
		field string
	}{
		{"encryption without a jwks_uri", map[string]any{"introspection_encrypted_response_alg": "ECDH-ES"}, "jwks_uri"},
		{"RSA1_5", map[string]any{"introspection_encrypted_response_alg": "RSA1_5", "jwks_uri": "https://bot.example/jwks.json"}, "introspection_encrypted_response_alg"},
		{"a jwks_uri on another host", map[string]any{"introspection_encrypted_response_alg": "ECDH-ES", "jwks_uri": "https://keys.example/jwks.json"}, "jwks_uri"},
		{"a content encryption alone", map[string]any{"introspection_encrypted_response_enc": "A128GCM"}, "introspection_encrypted_response_enc"},
		{"a number for an algorithm", map[string]any{"introspection_signed_response_alg": 256}, "introspection_signed_response_alg"},
	} {
		meta := botMeta()
		for k, v := range tt.set {
			meta[k] = v
		}
		r := f.register(t, "", meta)
		if r.status != http.StatusBadRequest || r.str("error") != "invalid_client_metadata" || !strings.HasPrefix(r.str("error_description"), tt.field) {
			t.Errorf("%s: %d %v; want invalid_client_metadata naming %s", tt.name, r.status, r.body, tt.field)
		}
	}
}
