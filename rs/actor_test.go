package rs_test

import (
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/rs"
)

// A token got by token exchange names its actors (act, RFC 8693 section
// 4.1), from introspection and from the JWT alike, nested for a chain;
// a handler changing the chain changes no cached token.
func TestActorChain(t *testing.T) {
	t.Parallel()
	p, c := newFakeProvider(t), newClock()
	k := newSigningKey(t, "k1")
	p.publish(k)
	act := map[string]any{"sub": "gateway", "client_id": "gateway", "act": map[string]any{"sub": "agent", "client_id": "agent"}}
	answer := map[string]any{"active": true, "sub": "user-ann", "client_id": "gateway", "scope": "im:messages.read", "token_type": "Bearer",
		"token_use": "access_token", "exp": c.Now().Add(time.Hour).Unix(), "iss": p.srv.URL, "act": act}
	p.set("exchanged", answer)
	claims := p.atClaims(c.Now())
	claims["act"] = act
	jwtToken := sign(t, k, "at+jwt", claims)
	v := newVerifier(t, p, c, rs.Config{})
	for name, raw := range map[string]string{"introspected": "exchanged", "jwt": jwtToken} {
		tok, err := v.Verify(t.Context(), raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		chain := tok.Actor.Chain()
		if len(chain) != 2 || chain[0].Subject != "gateway" || chain[1].Subject != "agent" || chain[1].ClientID != "agent" {
			t.Fatalf("%s: chain %+v", name, chain)
		}
		tok.Actor.Subject = "changed"
		again, _ := v.Verify(t.Context(), raw)
		if again.Actor.Subject != "gateway" {
			t.Fatalf("%s: a handler's change reached the cached token", name)
		}
	}
	plain := sign(t, k, "at+jwt", p.atClaims(c.Now()))
	if tok, err := v.Verify(t.Context(), plain); err != nil || tok.Actor != nil || tok.Actor.Chain() != nil {
		t.Fatalf("a token of no exchange: %+v %v", tok.Actor, err)
	}
}
