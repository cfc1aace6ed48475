package oauth_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// FuzzTokenExchangeRequest: whatever a client with a token exchange
// policy sends as subject_token, actor_token, scope, resource and DPoP
// header, the token endpoint answers 200 with a token, or a client's
// error with an RFC 6749 (RFC 8707, RFC 9449) code: never a server error.
// The seeds hold a valid exchange.
func FuzzTokenExchangeRequest(f *testing.F) {
	store := memory.New()
	h := newHarness(f, store, withResources, withDPoP(store, false), func(c *oauth.Config) {
		c.Exchange = oauth.ExchangePolicyMap{"gateway": {Resources: []string{searchResource}}}
	})
	botSecret := h.bot("bot", "im:messages.read")
	gatewaySecret := h.addClient(storage.Client{ID: "gateway", Name: "gateway", Type: storage.ClientConfidential,
		GrantTypes: []string{"client_credentials"}, Scopes: []string{"im:messages.read"}})
	subject := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "bot", botSecret).str("access_token")
	actor := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "gateway", gatewaySecret).str("access_token")
	if subject == "" || actor == "" {
		f.Fatal("no seed tokens")
	}
	f.Add(subject, "", "", searchResource, "")
	f.Add(subject, actor, "im:messages.read", "", "")
	f.Add(subject, actor, "im:messages.send", imResource, "not-a-proof")
	f.Add("\xff\xfe", "\x00", "a\tb", "https://x/#\xff", "a.b.c")
	codes := append(slices.Clone(tokenErrors), "invalid_target", "invalid_dpop_proof", "use_dpop_nonce")
	f.Fuzz(func(t *testing.T, subjectToken, actorToken, scope, resource, proof string) {
		hh := *h
		hh.t = t
		form := url.Values{"grant_type": {oauth.GrantTokenExchange}, "subject_token": {subjectToken},
			"subject_token_type": {"urn:ietf:params:oauth:token-type:access_token"}}
		if actorToken != "" {
			form.Set("actor_token", actorToken)
			form.Set("actor_token_type", "urn:ietf:params:oauth:token-type:access_token")
		}
		if scope != "" {
			form.Set("scope", scope)
		}
		if resource != "" {
			form.Set("resource", resource)
		}
		var proofs []string
		// A header value HTTP cannot carry is not sent (the client refuses
		// it); the provider's refusal of such bytes is the edge's, tested
		// there.
		if proof != "" && !strings.ContainsFunc(proof, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			proofs = []string{proof}
		}
		r := hh.post("/oauth2/token", form, "gateway", gatewaySecret, proofs...)
		switch {
		case r.status == http.StatusOK:
			if r.str("access_token") == "" || r.str("issued_token_type") == "" {
				t.Fatalf("200 without a token: %s", r.raw)
			}
		case (r.status == http.StatusBadRequest || r.status == http.StatusUnauthorized) && slices.Contains(codes, r.str("error")) && r.str("error_description") != "":
		default:
			t.Fatalf("%d %s; want a token or a client's error", r.status, r.raw)
		}
	})
}
