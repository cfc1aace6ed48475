package rs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/dpop"
	"github.com/tokenim/tokenim-auth/dpop/dpoptest"
	"github.com/tokenim/tokenim-auth/rs"
)

// holder is a client's DPoP key.
type holder struct {
	dpoptest.Key
	jkt string
}

func newHolder(t *testing.T) holder {
	k := dpoptest.NewKey(t)
	return holder{Key: k, jkt: k.JKT}
}

// proof is a DPoP proof by h for method and u at iat, presenting
// accessToken ("" for none), with nonce when not empty.
func (h holder) proof(t *testing.T, method, u, accessToken, nonce string, iat time.Time) string {
	t.Helper()
	return h.Proof(t, method, u, accessToken, nonce, iat)
}

// issueBound makes token an active DPoP-bound token of jkt.
func (p *fakeProvider) issueBound(token, jkt string, exp time.Time, scope string) {
	p.set(token, map[string]any{
		"active": true, "sub": "user-ann", "client_id": "chat-desktop", "scope": scope, "token_type": "DPoP",
		"token_use": "access_token", "exp": exp.Unix(), "iat": exp.Add(-time.Hour).Unix(), "iss": p.srv.URL,
		"cnf": map[string]any{"jkt": jkt},
	})
}

// messagesURL is the URL of the service's /messages as httptest requests
// address it.
const messagesURL = "http://example.com/messages"

// dpopCall sends method /messages with an Authorization header and DPoP
// proofs, and returns the answer with its DPoP-Nonce and every challenge.
func dpopCall(t *testing.T, h http.Handler, method, authorization string, proofs ...string) (answer, http.Header) {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), method, "/messages", nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	for _, p := range proofs {
		req.Header.Add(dpop.Header, p)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return answer{status: rec.Code, challenge: rec.Header().Get("WWW-Authenticate"), text: rec.Body.String()}, rec.Header()
}

// A bound token works only as "Authorization: DPoP" with a fresh proof of
// its key for this request (RFC 9449 section 7); each way of getting it
// wrong is a 401 with a DPoP challenge.
func TestDPoPBoundTokens(t *testing.T) {
	t.Parallel()
	p, c := newFakeProvider(t), newClock()
	h := service(newVerifier(t, p, c, rs.Config{}))
	key, other := newHolder(t), newHolder(t)
	p.issueBound("bound-token", key.jkt, c.Now().Add(time.Hour), "im:messages.read")
	p.issue("bearer-token", "user-bo", c.Now().Add(time.Hour), "im:messages.read")

	ok, _ := dpopCall(t, h, "GET", "DPoP bound-token", key.proof(t, "GET", messagesURL, "bound-token", "", c.Now()))
	if ok.status != http.StatusOK || !strings.HasPrefix(ok.text, "user-ann") {
		t.Fatalf("with a proof of its key: %d %s", ok.status, ok.text)
	}

	replayed := key.proof(t, "GET", messagesURL, "bound-token", "", c.Now())
	if a, _ := dpopCall(t, h, "GET", "DPoP bound-token", replayed); a.status != http.StatusOK {
		t.Fatalf("first use: %d %s", a.status, a.text)
	}
	for _, tt := range []struct {
		name, authorization, code string
		proofs                    []string
	}{
		{"as a bearer token", "Bearer bound-token", "invalid_token", nil},
		{"without a proof", "DPoP bound-token", "invalid_dpop_proof", nil},
		{"a replayed proof", "DPoP bound-token", "invalid_dpop_proof", []string{replayed}},
		{"a proof of another key", "DPoP bound-token", "invalid_dpop_proof", []string{other.proof(t, "GET", messagesURL, "bound-token", "", c.Now())}},
		{"a proof for another method", "DPoP bound-token", "invalid_dpop_proof", []string{key.proof(t, "POST", messagesURL, "bound-token", "", c.Now())}},
		{"a proof for another URL", "DPoP bound-token", "invalid_dpop_proof", []string{key.proof(t, "GET", "http://example.com/contacts", "bound-token", "", c.Now())}},
		{"a proof without ath", "DPoP bound-token", "invalid_dpop_proof", []string{key.proof(t, "GET", messagesURL, "", "", c.Now())}},
		{"a proof for another token", "DPoP bound-token", "invalid_dpop_proof", []string{key.proof(t, "GET", messagesURL, "bearer-token", "", c.Now())}},
		{"an old proof", "DPoP bound-token", "invalid_dpop_proof", []string{key.proof(t, "GET", messagesURL, "bound-token", "", c.Now().Add(-time.Hour))}},
		{"two proofs", "DPoP bound-token", "invalid_dpop_proof", []string{key.proof(t, "GET", messagesURL, "bound-token", "", c.Now()), key.proof(t, "GET", messagesURL, "bound-token", "", c.Now())}},
		{"an unbound token as DPoP", "DPoP bearer-token", "invalid_token", []string{key.proof(t, "GET", messagesURL, "bearer-token", "", c.Now())}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := dpopCall(t, h, "GET", tt.authorization, tt.proofs...)
			if a.status != http.StatusUnauthorized || !strings.HasPrefix(a.challenge, `DPoP algs="ES256 `) || !strings.Contains(a.challenge, `error="`+tt.code+`"`) {
				t.Fatalf("got %d %q %s, want 401 with a DPoP %s challenge", a.status, a.challenge, a.text, tt.code)
			}
		})
	}

	t.Run("a bearer token still works as one", func(t *testing.T) {
		if a, _ := dpopCall(t, h, "GET", "Bearer bearer-token"); a.status != http.StatusOK {
			t.Fatalf("%d %s", a.status, a.text)
		}
	})
	t.Run("a guard's refusal after a DPoP request is a DPoP challenge", func(t *testing.T) {
		a, _ := dpopCall(t, h, "POST", "DPoP bound-token", key.proof(t, "POST", messagesURL, "bound-token", "", c.Now()))
		if a.status != http.StatusForbidden || !strings.HasPrefix(a.challenge, "DPoP ") || !strings.Contains(a.challenge, `error="insufficient_scope"`) {
			t.Fatalf("got %d %q", a.status, a.challenge)
		}
	})
	t.Run("no token: both schemes are offered", func(t *testing.T) {
		_, hdr := dpopCall(t, h, "GET", "")
		got := hdr.Values("WWW-Authenticate")
		if len(got) != 2 || !strings.HasPrefix(got[0], "Bearer ") || !strings.HasPrefix(got[1], "DPoP algs=") {
			t.Fatalf("challenges %q, want a Bearer then a DPoP one", got)
		}
	})
}

// A JWT access token's cnf.jkt binds it as introspection's does.
func TestDPoPBoundJWT(t *testing.T) {
	t.Parallel()
	p, c := newFakeProvider(t), newClock()
	k := newSigningKey(t, "k1")
	p.publish(k)
	h := service(newVerifier(t, p, c, rs.Config{}))
	key := newHolder(t)
	claims := p.atClaims(c.Now())
	claims["cnf"] = map[string]any{"jkt": key.jkt}
	token := sign(t, k, "at+jwt", claims)

	if a, _ := dpopCall(t, h, "GET", "Bearer "+token); a.status != http.StatusUnauthorized || !strings.Contains(a.challenge, `error="invalid_token"`) {
		t.Fatalf("as a bearer token: %d %q", a.status, a.challenge)
	}
	if a, _ := dpopCall(t, h, "GET", "DPoP "+token, key.proof(t, "GET", messagesURL, token, "", c.Now())); a.status != http.StatusOK {
		t.Fatalf("with its proof: %d %s", a.status, a.text)
	}
}

// DPoP.Required refuses bearer tokens and offers the DPoP scheme alone;
// the metadata says so.
func TestDPoPRequired(t *testing.T) {
	t.Parallel()
	p, c := newFakeProvider(t), newClock()
	v := newVerifier(t, p, c, rs.Config{Resource: "https://im.example.com", DPoP: rs.DPoP{Required: true}})
	h := service(v)
	p.issue("bearer-token", "user-bo", c.Now().Add(time.Hour), "im:messages.read")
	a, _ := dpopCall(t, h, "GET", "Bearer bearer-token")
	if a.status != http.StatusUnauthorized || !strings.HasPrefix(a.challenge, "DPoP ") || !strings.Contains(a.text, "DPoP-bound access tokens only") {
		t.Fatalf("a bearer token: %d %q %s", a.status, a.challenge, a.text)
	}
	_, hdr := dpopCall(t, h, "GET", "")
	if got := hdr.Values("WWW-Authenticate"); len(got) != 1 || !strings.HasPrefix(got[0], "DPoP ") {
		t.Fatalf("no token: challenges %q, want the DPoP one alone", got)
	}
	rec := httptest.NewRecorder()
	v.MetadataHandler().ServeHTTP(rec, httptest.NewRequest("GET", v.MetadataPath(), nil))
	if !strings.Contains(rec.Body.String(), `"dpop_bound_access_tokens_required":true`) {
		t.Fatalf("metadata %s", rec.Body)
	}

	// With a Resource, htu is the resource's origin with the request's
	// path, whatever Host the request came with.
	key := newHolder(t)
	p.issueBound("bound-token", key.jkt, c.Now().Add(time.Hour), "im:messages.read")
	if a, _ := dpopCall(t, h, "GET", "DPoP bound-token", key.proof(t, "GET", "https://im.example.com/messages", "bound-token", "", c.Now())); a.status != http.StatusOK {
		t.Fatalf("a proof for the resource's URL: %d %s", a.status, a.text)
	}
	if a, _ := dpopCall(t, h, "GET", "DPoP bound-token", key.proof(t, "GET", messagesURL, "bound-token", "", c.Now())); a.status != http.StatusUnauthorized {
		t.Fatalf("a proof for the Host header's URL: %d %s", a.status, a.text)
	}
}

// With Nonces, a proof without the current nonce is answered 401
// use_dpop_nonce with the nonce in DPoP-Nonce (RFC 9449 section 9).
func TestDPoPResourceNonce(t *testing.T) {
	t.Parallel()
	p, c := newFakeProvider(t), newClock()
	h := service(newVerifier(t, p, c, rs.Config{DPoP: rs.DPoP{Nonces: dpop.NewNonces([]byte(strings.Repeat("k", 32)), 0)}}))
	key := newHolder(t)
	p.issueBound("bound-token", key.jkt, c.Now().Add(time.Hour), "im:messages.read")
	a, hdr := dpopCall(t, h, "GET", "DPoP bound-token", key.proof(t, "GET", messagesURL, "bound-token", "", c.Now()))
	nonce := hdr.Get(dpop.NonceHeader)
	if a.status != http.StatusUnauthorized || !strings.Contains(a.challenge, `error="use_dpop_nonce"`) || nonce == "" {
		t.Fatalf("without a nonce: %d %q, DPoP-Nonce %q", a.status, a.challenge, nonce)
	}
	if a, _ := dpopCall(t, h, "GET", "DPoP bound-token", key.proof(t, "GET", messagesURL, "bound-token", nonce, c.Now())); a.status != http.StatusOK {
		t.Fatalf("with the nonce: %d %s", a.status, a.text)
	}
}

// sharedReplays is a replay store several Verifiers share, as instances
// of a service share one in Redis.
type sharedReplays struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

func (s *sharedReplays) Use(_ context.Context, key string, until time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seen[key]; ok {
		return false, nil
	}
	s.seen[key] = until
	return true, nil
}

// Two instances of a service sharing a replay store: a proof one accepted
// is refused by the other.
func TestDPoPReplayAcrossInstances(t *testing.T) {
	t.Parallel()
	p, c := newFakeProvider(t), newClock()
	shared := &sharedReplays{seen: map[string]time.Time{}}
	a := service(newVerifier(t, p, c, rs.Config{DPoP: rs.DPoP{Replays: shared}}))
	b := service(newVerifier(t, p, c, rs.Config{DPoP: rs.DPoP{Replays: shared}}))
	key := newHolder(t)
	p.issueBound("bound-token", key.jkt, c.Now().Add(time.Hour), "im:messages.read")
	proof := key.proof(t, "GET", messagesURL, "bound-token", "", c.Now())
	if r, _ := dpopCall(t, a, "GET", "DPoP bound-token", proof); r.status != http.StatusOK {
		t.Fatalf("instance A: %d %s", r.status, r.text)
	}
	if r, _ := dpopCall(t, b, "GET", "DPoP bound-token", proof); r.status != http.StatusUnauthorized || !strings.Contains(r.challenge, "invalid_dpop_proof") {
		t.Fatalf("instance B took a proof A had used: %d %q", r.status, r.challenge)
	}
}

// A Config with a shared-secret DPoP algorithm is refused.
func TestDPoPConfigRefused(t *testing.T) {
	t.Parallel()
	_, err := rs.New(rs.Config{Issuer: "https://auth.example.com", ClientID: "a", ClientSecret: "b", DPoP: rs.DPoP{Algs: []string{"HS256"}}})
	if err == nil || !strings.Contains(err.Error(), "HS256") {
		t.Fatalf("err %v", err)
	}
}
