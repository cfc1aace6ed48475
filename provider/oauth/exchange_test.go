package oauth_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/storage"
)

const accessTokenType = "urn:ietf:params:oauth:token-type:access_token"

// exchangeHarness is a user harness with resources and token exchange
// policies: the gateway changes the audience of tokens for the IM API to
// the search service; the agent acts for users with its own token; the
// importer may impersonate.
type exchangeHarness struct {
	*userHarness
	gatewaySecret, agentSecret, importerSecret, rsSecret string
}

func newExchangeHarness(t *testing.T, store storage.Store) *exchangeHarness {
	h := &exchangeHarness{userHarness: newUserHarness(t, store, withResources, func(c *oauth.Config) {
		c.Exchange = oauth.ExchangePolicyMap{
			"gateway":  {SubjectAudiences: []string{imResource}, Resources: []string{searchResource}},
			"agent":    {Scopes: []string{"im:messages.read"}},
			"importer": {Impersonation: true},
			"public":   {},
		}
	})}
	service := func(id string) string {
		return h.addClient(storage.Client{ID: id, Name: id, Type: storage.ClientConfidential, GrantTypes: []string{"client_credentials"},
			Scopes: []string{"im:messages.read"}})
	}
	h.gatewaySecret, h.agentSecret, h.importerSecret = service("gateway"), service("agent"), service("importer")
	h.addClient(storage.Client{ID: "public", Name: "public", Type: storage.ClientPublic, GrantTypes: []string{"authorization_code"},
		Scopes: []string{"im:messages.read"}, RedirectURIs: []string{"http://127.0.0.1/cb"}})
	h.rsSecret = h.resourceServer("im-rs")
	return h
}

// userToken is Ann's token of the app, for the IM API, with a refresh
// token.
func (h *exchangeHarness) userToken(t *testing.T) reply {
	t.Helper()
	q := authParams("app", h.appRedirect)
	q.Set("scope", "openid offline_access im:messages.read")
	q.Set("resource", imResource)
	code := redirected(t, h.authorize(t, q.Encode()), h.appRedirect).Get("code")
	r := h.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {h.appRedirect},
		"code_verifier": {pkceVerifier}}, "app", h.appSecret)
	if r.status != http.StatusOK {
		t.Fatalf("the user's token: %d %s", r.status, r.raw)
	}
	return r
}

// exchange asks, as client, for a token for subject with the extra
// parameters.
func (h *exchangeHarness) exchange(client, secret, subject string, extra url.Values) reply {
	h.t.Helper()
	form := url.Values{"grant_type": {oauth.GrantTokenExchange}, "subject_token": {subject}, "subject_token_type": {accessTokenType}}
	for k, v := range extra {
		form[k] = v
	}
	return h.post("/oauth2/token", form, client, secret)
}

func (h *exchangeHarness) inspect(token string) reply {
	return h.introspect(token, "im-rs", h.rsSecret)
}

// actOf is the act claim of an introspection answer.
func actOf(r reply) map[string]any {
	act, _ := r.body["act"].(map[string]any)
	return act
}

// Audience change: the gateway exchanges a user's token for the IM API
// for one for the search service; the new token is the user's, for the
// search service alone, names the gateway in act, and never outlives the
// subject token's grant.
func TestTokenExchangeAudienceChange(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newExchangeHarness(t, hh.store)
		user := h.userToken(t)
		r := h.exchange("gateway", h.gatewaySecret, user.str("access_token"), url.Values{"resource": {searchResource}, "scope": {"im:messages.read"}})
		if r.status != http.StatusOK || r.str("issued_token_type") != accessTokenType || !strings.EqualFold(r.str("token_type"), "bearer") || r.str("refresh_token") != "" {
			t.Fatalf("exchange: %d %s", r.status, r.raw)
		}
		in := h.inspect(r.str("access_token"))
		act := actOf(in)
		if !active(in) || in.str("sub") != "ann" || in.str("client_id") != "gateway" || in.str("scope") != "im:messages.read" ||
			!slices.Equal(audOf(in), []string{searchResource}) || act["sub"] != "gateway" {
			t.Fatalf("introspection %s", in.raw)
		}
		userIn := h.inspect(user.str("access_token"))
		if from, _ := in.body["exchanged_from"].([]any); len(from) != 1 || from[0] != userIn.str("jti") {
			t.Errorf("exchanged_from %v, want the user's token family %s", in.body["exchanged_from"], userIn.str("jti"))
		}
		if float64ish(in.body["exp"]) > float64ish(userIn.body["exp"]) {
			t.Errorf("the exchanged token outlives its subject token")
		}

		// A refresh of the user's grant keeps it alive; revoking it (the app
		// revokes its refresh token, RFC 7009) ends the exchanged token too.
		next := h.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {user.str("refresh_token")}}, "app", h.appSecret)
		if next.status != http.StatusOK || !active(h.inspect(r.str("access_token"))) {
			t.Fatalf("after the user's app refreshed (%d), the exchanged token is no longer active", next.status)
		}
		if rv := h.post("/oauth2/revoke", url.Values{"token": {next.str("refresh_token")}}, "app", h.appSecret); rv.status != http.StatusOK {
			t.Fatalf("revoke: %d %s", rv.status, rv.raw)
		}
		if active(h.inspect(r.str("access_token"))) {
			t.Fatal("the exchanged token outlived the revoked grant it derives from")
		}
	})
}

func float64ish(v any) float64 { f, _ := v.(float64); return f }

// Delegation: the agent presents the user's token and its own as
// actor_token; act names the agent; a second exchange of that token by the
// gateway nests the agent's act under the gateway's; revoking the user's
// grant ends the whole chain.
func TestTokenExchangeDelegationChain(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newExchangeHarness(t, hh.store)
		user := h.userToken(t)
		agentOwn := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "agent", h.agentSecret)
		first := h.exchange("agent", h.agentSecret, user.str("access_token"), url.Values{
			"actor_token": {agentOwn.str("access_token")}, "actor_token_type": {accessTokenType}})
		if first.status != http.StatusOK {
			t.Fatalf("delegation: %d %s", first.status, first.raw)
		}
		in := h.inspect(first.str("access_token"))
		if act := actOf(in); act["sub"] != "agent" || act["client_id"] != "agent" || act["act"] != nil || in.str("scope") != "im:messages.read" {
			t.Fatalf("delegated token %s", in.raw)
		}
		second := h.exchange("gateway", h.gatewaySecret, first.str("access_token"), url.Values{"resource": {searchResource}})
		if second.status != http.StatusOK {
			t.Fatalf("the chain's second step: %d %s", second.status, second.raw)
		}
		in = h.inspect(second.str("access_token"))
		act := actOf(in)
		inner, _ := act["act"].(map[string]any)
		if in.str("sub") != "ann" || act["sub"] != "gateway" || inner["sub"] != "agent" {
			t.Fatalf("the chain's token: %s", in.raw)
		}
		h.post("/oauth2/revoke", url.Values{"token": {user.str("refresh_token")}}, "app", h.appSecret)
		for _, tok := range []string{first.str("access_token"), second.str("access_token")} {
			if active(h.inspect(tok)) {
				t.Fatal("a token of the chain outlived the revoked grant")
			}
		}
	})
}

// Each exchange the policy or the RFC forbids is refused with its error,
// and impersonation (no act) only where the policy allows it.
func TestTokenExchangeRefusals(t *testing.T) {
	t.Parallel()
	h := newExchangeHarness(t, storageFor(t))
	user := h.userToken(t).str("access_token")
	other := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "importer", h.importerSecret).str("access_token")
	for _, tt := range []struct {
		name, client, secret, subject string
		extra                         url.Values
		status                        int
		code                          string
	}{
		{"a wider scope", "gateway", h.gatewaySecret, user, url.Values{"scope": {"im:messages.send"}}, 400, "invalid_scope"},
		{"a scope the policy does not allow", "agent", h.agentSecret, user, url.Values{"scope": {"openid"}}, 400, "invalid_scope"},
		{"a resource the policy does not allow", "gateway", h.gatewaySecret, user, url.Values{"resource": {imResource}}, 400, "invalid_target"},
		{"an unknown resource", "gateway", h.gatewaySecret, user, url.Values{"resource": {"https://elsewhere.example"}}, 400, "invalid_target"},
		{"a subject token for another audience", "gateway", h.gatewaySecret, other, nil, 400, "invalid_grant"},
		{"a subject token that is not one", "gateway", h.gatewaySecret, "not-a-token", nil, 400, "invalid_grant"},
		{"an actor token of another client", "agent", h.agentSecret, user, url.Values{"actor_token": {other}, "actor_token_type": {accessTokenType}}, 400, "invalid_grant"},
		{"an actor token without its type", "agent", h.agentSecret, user, url.Values{"actor_token": {other}}, 400, "invalid_request"},
		{"a refresh token asked for", "gateway", h.gatewaySecret, user, url.Values{"requested_token_type": {"urn:ietf:params:oauth:token-type:refresh_token"}}, 400, "invalid_request"},
		{"a client without a policy", "app", h.appSecret, user, nil, 400, "unauthorized_client"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, h.exchange(tt.client, tt.secret, tt.subject, tt.extra), tt.status, tt.code)
		})
	}
	t.Run("no subject_token_type", func(t *testing.T) {
		r := h.post("/oauth2/token", url.Values{"grant_type": {oauth.GrantTokenExchange}, "subject_token": {user}}, "gateway", h.gatewaySecret)
		wantError(t, r, http.StatusBadRequest, "invalid_request")
	})
	t.Run("a public client, even with a policy", func(t *testing.T) {
		r := h.post("/oauth2/token", url.Values{"grant_type": {oauth.GrantTokenExchange}, "subject_token": {user}, "subject_token_type": {accessTokenType},
			"client_id": {"public"}}, "", "")
		if r.status < 400 || r.status >= 500 || r.str("access_token") != "" {
			t.Fatalf("%d %s", r.status, r.raw)
		}
	})
	t.Run("impersonation only where the policy allows it", func(t *testing.T) {
		r := h.exchange("importer", h.importerSecret, user, nil)
		if r.status != http.StatusOK || actOf(h.inspect(r.str("access_token"))) != nil {
			t.Fatalf("the importer: %d %s, want a token without act", r.status, r.raw)
		}
		r = h.exchange("agent", h.agentSecret, user, nil)
		if act := actOf(h.inspect(r.str("access_token"))); r.status != http.StatusOK || act["sub"] != "agent" {
			t.Fatalf("the agent without an actor token: %d %s, want act naming it", r.status, r.raw)
		}
		// An impersonation of a token someone acted with keeps that trail.
		again := h.exchange("importer", h.importerSecret, r.str("access_token"), nil)
		if act := actOf(h.inspect(again.str("access_token"))); again.status != http.StatusOK || act["sub"] != "agent" || act["act"] != nil {
			t.Fatalf("impersonating the agent's token: %d %s, want act naming the agent alone", again.status, again.raw)
		}
	})
	t.Run("discovery lists the grant", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, h.url("/.well-known/openid-configuration"), nil)
		grants, _ := h.do(req).body["grant_types_supported"].([]any)
		if !slices.Contains(grants, any(oauth.GrantTokenExchange)) {
			t.Fatalf("grant_types_supported %v", grants)
		}
	})
}
