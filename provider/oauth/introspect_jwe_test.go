package oauth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/storage"
)

// keySet is a resource server's published key set, which a test changes.
type keySet struct {
	mu     sync.Mutex
	keys   []jose.JSONWebKey
	status int
	reads  atomic.Int32
}

func (s *keySet) set(status int, keys ...jose.JSONWebKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.keys = status, keys
}

// serve publishes the set and returns its URL.
func (s *keySet) serve(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.reads.Add(1)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.status != http.StatusOK {
			http.Error(w, "down", s.status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: s.keys})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// encryptingServer registers a resource server whose introspection answers
// are signed with sign and encrypted with alg and enc to a key of jwksURI.
func (h *harness) encryptingServer(id, jwksURI, sign, alg, enc string) string {
	return h.addClient(storage.Client{ID: id, Name: id, Type: storage.ClientResourceServer, GrantTypes: []string{"client_credentials"},
		JWKSURI: jwksURI, IntrospectionSignedResponseAlg: sign, IntrospectionEncryptedResponseAlg: alg, IntrospectionEncryptedResponseEnc: enc})
}

// openAnswer decrypts an encrypted introspection answer with key and
// returns its JWE header and the signed JWT inside.
func openAnswer(t *testing.T, raw string, key any) (jose.Header, string) {
	t.Helper()
	if n := strings.Count(raw, "."); n != 4 {
		t.Fatalf("answer %q has %d dots, want a compact JWE (4)", raw, n)
	}
	obj, err := jose.ParseEncryptedCompact(raw, []jose.KeyAlgorithm{jose.RSA_OAEP_256, jose.ECDH_ES, jose.ECDH_ES_A128KW, jose.ECDH_ES_A256KW},
		[]jose.ContentEncryption{jose.A128CBC_HS256, jose.A256CBC_HS512, jose.A128GCM, jose.A256GCM})
	if err != nil {
		t.Fatalf("answer %q: %v", raw, err)
	}
	inner, err := obj.Decrypt(key)
	if err != nil {
		t.Fatalf("decrypt with the resource server's key: %v", err)
	}
	return obj.Header, string(inner)
}

// A resource server that registered introspection_encrypted_response_alg
// gets its signed answers encrypted to the key it publishes at its
// jwks_uri (RFC 9701 section 6): a nested JWT, signed with the algorithm
// it registered, that only its private key opens. A key set without a key
// for the algorithm, or that cannot be read, is the resource server's
// error, and the answer is never sent in the clear instead.
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
	signing, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	eachBackend(t, func(t *testing.T, h *harness) {
		var published keySet
		published.set(http.StatusOK,
			jose.JSONWebKey{Key: signing.Public(), KeyID: "sig-1", Use: "sig", Algorithm: "ES256"},
			jose.JSONWebKey{Key: ecKey.Public(), KeyID: "enc-ec", Use: "enc"},
			jose.JSONWebKey{Key: rsaKey.Public(), KeyID: "enc-rsa"})
		jwks := published.serve(t)
		botSecret := h.bot("bot", "im:messages.send")
		token := h.clientCredentials("bot", botSecret, nil)

		ecSecret := h.encryptingServer("im-ec", jwks, "ES256", "ECDH-ES+A128KW", "A256GCM")
		r := h.introspectAccept(token, "im-ec", ecSecret, "application/token-introspection+jwt")
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/token-introspection+jwt" {
			t.Fatalf("%d %v %s", r.status, r.header, r.raw)
		}
		hdr, inner := openAnswer(t, r.raw, ecKey)
		if hdr.KeyID != "enc-ec" || hdr.Algorithm != "ECDH-ES+A128KW" || hdr.ExtraHeaders["enc"] != "A256GCM" || hdr.ExtraHeaders[jose.HeaderContentType] != "JWT" {
			t.Errorf("JWE header %+v, want kid enc-ec, ECDH-ES+A128KW, A256GCM, cty JWT", hdr)
		}
		var c signedIntrospection
		h.verifyJWT(inner, "token-introspection+jwt", &c)
		if alg := jwtAlg(t, inner); alg != "ES256" {
			t.Errorf("inner JWT signed with %s, want the registered ES256", alg)
		}
		if c.Audience != "im-ec" || c.Answer["active"] != true || c.Answer["client_id"] != "bot" {
			t.Errorf("claims %+v", c)
		}

		rsaSecret := h.encryptingServer("im-rsa", jwks, "", "RSA-OAEP-256", "")
		r = h.introspectAccept(token, "im-rsa", rsaSecret, "application/token-introspection+jwt")
		hdr, inner = openAnswer(t, r.raw, rsaKey)
		if hdr.KeyID != "enc-rsa" || hdr.ExtraHeaders["enc"] != "A128CBC-HS256" {
			t.Errorf("JWE header %+v, want kid enc-rsa and the default A128CBC-HS256", hdr)
		}
		if alg := jwtAlg(t, inner); alg != "RS256" {
			t.Errorf("inner JWT signed with %s, want the default RS256", alg)
		}
		// JSON is still JSON: encryption is of the JWT answer.
		if r := h.introspectAccept(token, "im-rsa", rsaSecret, "application/json"); r.status != http.StatusOK || r.body["active"] != true {
			t.Errorf("a JSON request: %d %s", r.status, r.raw)
		}

		var sigOnly keySet
		sigOnly.set(http.StatusOK, jose.JSONWebKey{Key: signing.Public(), KeyID: "sig-1", Use: "sig"})
		noKeySecret := h.encryptingServer("im-nokey", sigOnly.serve(t), "", "ECDH-ES", "")
		r = h.introspectAccept(token, "im-nokey", noKeySecret, "application/token-introspection+jwt")
		wantError(t, r, http.StatusBadRequest, "invalid_request")
		if !strings.Contains(r.str("error_description"), "publishes no public key for it") || strings.Contains(r.raw, "bot") {
			t.Errorf("no key to encrypt to: %s", r.raw)
		}

		var down keySet
		down.set(http.StatusNotFound)
		downSecret := h.encryptingServer("im-down", down.serve(t), "", "ECDH-ES", "")
		r = h.introspectAccept(token, "im-down", downSecret, "application/token-introspection+jwt")
		wantError(t, r, http.StatusBadRequest, "invalid_request")
		if !strings.Contains(r.str("error_description"), "could not be read") {
			t.Errorf("unreadable keys: %s", r.raw)
		}
	})
}

// A resource server that adds a key after the provider cached its key set
// is read again, at most once every 30 seconds however often it asks, so
// that a misconfigured one does not make the provider fetch its keys on
// every introspection.
func TestEncryptedIntrospectionRereadsKeys(t *testing.T) {
	t.Parallel()
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			now := time.Now()
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			h := newHarness(t, open(t), func(c *oauth.Config) { c.Now = clock })
			var published keySet
			published.set(http.StatusOK)
			secret := h.encryptingServer("im", published.serve(t), "", "ECDH-ES", "")
			token := h.clientCredentials("bot", h.bot("bot", "im:messages.send"), nil)

			for range 3 {
				wantError(t, h.introspectAccept(token, "im", secret, "application/token-introspection+jwt"), http.StatusBadRequest, "invalid_request")
			}
			if n := published.reads.Load(); n != 2 {
				t.Errorf("the key set was read %d times for three introspections, want 2 (cached, then once again)", n)
			}
			published.set(http.StatusOK, jose.JSONWebKey{Key: ecKey.Public(), KeyID: "new", Use: "enc"})
			wantError(t, h.introspectAccept(token, "im", secret, "application/token-introspection+jwt"), http.StatusBadRequest, "invalid_request")
			mu.Lock()
			now = now.Add(31 * time.Second)
			mu.Unlock()
			r := h.introspectAccept(token, "im", secret, "application/token-introspection+jwt")
			if hdr, _ := openAnswer(t, r.raw, ecKey); hdr.KeyID != "new" {
				t.Errorf("encrypted to %q, want the new key", hdr.KeyID)
			}
		})
	}
}
