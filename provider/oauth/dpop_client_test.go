package oauth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
)

// A client that set dpop_bound_access_tokens (RFC 9449 section 5.2) gets
// no token without a DPoP proof, even a confidential client of a kind the
// provider does not require DPoP of; with a proof it gets a bound token.
// A client without the flag still gets a bearer token.
func TestDPoPRequiredByTheClient(t *testing.T) {
	t.Parallel()
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			store := open(t)
			h := newHarness(t, store, withDPoP(store, false))
			secret := h.addClient(storage.Client{ID: "bound", Name: "bound", Type: storage.ClientConfidential,
				GrantTypes: []string{"client_credentials"}, Scopes: []string{"im:messages.send"}, DPoPBoundAccessTokens: true})
			otherSecret := h.bot("bot", "im:messages.send")
			form := url.Values{"grant_type": {"client_credentials"}}

			r := h.post("/oauth2/token", form, "bound", secret)
			wantError(t, r, http.StatusBadRequest, "invalid_dpop_proof")
			if !strings.Contains(r.str("error_description"), "must bind its tokens with DPoP") {
				t.Errorf("description %q does not say the client must use DPoP", r.str("error_description"))
			}

			key := newDPoPKey(t)
			r = h.post("/oauth2/token", form, "bound", secret, key.proof(t, "POST", h.url("/oauth2/token"), "", ""))
			if r.status != http.StatusOK || r.str("token_type") != "DPoP" {
				t.Fatalf("with a proof: %d %s, want token_type DPoP", r.status, r.raw)
			}
			rsSecret := h.resourceServer("im")
			if in := h.introspect(r.str("access_token"), "im", rsSecret); !active(in) || cnfJKT(in) != key.jkt {
				t.Fatalf("introspection %s, want the token bound to %s", in.raw, key.jkt)
			}

			if r := h.post("/oauth2/token", form, "bot", otherSecret); r.status != http.StatusOK || !strings.EqualFold(r.str("token_type"), "bearer") {
				t.Fatalf("a client without the flag: %d %s, want a bearer token", r.status, r.raw)
			}
		})
	}
}

// A client that registered dpop_bound_access_tokens gets no token while
// DPoP is off, with or without a proof: it said it would never use a
// bearer token, and the provider cannot bind one.
func TestDPoPRequiredByTheClientWhileOff(t *testing.T) {
	t.Parallel()
	h := newHarness(t, storageFor(t))
	secret := h.addClient(storage.Client{ID: "bound", Name: "bound", Type: storage.ClientConfidential,
		GrantTypes: []string{"client_credentials"}, Scopes: []string{"im:messages.send"}, DPoPBoundAccessTokens: true})
	form := url.Values{"grant_type": {"client_credentials"}}
	key := newDPoPKey(t)
	for name, proofs := range map[string][]string{"without a proof": nil, "with a proof": {key.proof(t, "POST", h.url("/oauth2/token"), "", "")}} {
		r := h.post("/oauth2/token", form, "bound", secret, proofs...)
		wantError(t, r, http.StatusBadRequest, "invalid_dpop_proof")
		if !strings.Contains(r.str("error_description"), "DPoP is turned off") {
			t.Errorf("%s: description %q does not say DPoP is off", name, r.str("error_description"))
		}
	}
	otherSecret := h.bot("bot", "im:messages.send")
	if r := h.post("/oauth2/token", form, "bot", otherSecret); r.status != http.StatusOK {
		t.Fatalf("a client without the flag while DPoP is off: %d %s", r.status, r.raw)
	}
}
