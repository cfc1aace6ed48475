package oauth_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/storage"
)

// changingPolicies are policies an administrator changes while the
// provider runs, or that cannot be read.
type changingPolicies struct {
	mu       sync.Mutex
	policies oauth.ExchangePolicyMap
	err      error
}

func (c *changingPolicies) Policy(ctx context.Context, clientID string) (oauth.ExchangePolicy, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return oauth.ExchangePolicy{}, false, c.err
	}
	return c.policies.Policy(ctx, clientID)
}

func (c *changingPolicies) Any(ctx context.Context) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.policies.Any(ctx)
}

func (c *changingPolicies) set(p oauth.ExchangePolicyMap, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.policies, c.err = p, err
}

// TestTokenExchangePoliciesChange: the grant is offered (discovery, the
// token endpoint) as soon as some client has a policy and no longer once
// none has; a policy given to a client lets it exchange at once; policies
// that cannot be read make an exchange a server_error, never a refusal
// nor a token.
func TestTokenExchangePoliciesChange(t *testing.T) {
	t.Parallel()
	policies := &changingPolicies{}
	h := &exchangeHarness{userHarness: newUserHarness(t, storageFor(t), withResources, func(c *oauth.Config) { c.Exchange = policies })}
	h.gatewaySecret = h.addClient(storage.Client{ID: "gateway", Name: "gateway", Type: storage.ClientConfidential, GrantTypes: []string{"client_credentials"},
		Scopes: []string{"im:messages.read"}})
	user := h.userToken(t).str("access_token")
	grants := func() []any {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, h.url("/.well-known/openid-configuration"), nil)
		g, _ := h.do(req).body["grant_types_supported"].([]any)
		return g
	}

	if g := grants(); slices.Contains(g, any(oauth.GrantTokenExchange)) || !slices.Contains(g, any("client_credentials")) {
		t.Fatalf("without a policy, grant_types_supported %v", g)
	}
	wantError(t, h.exchange("gateway", h.gatewaySecret, user, nil), http.StatusBadRequest, "unsupported_grant_type")

	policies.set(oauth.ExchangePolicyMap{"gateway": {SubjectAudiences: []string{imResource}}}, nil)
	if g := grants(); !slices.Contains(g, any(oauth.GrantTokenExchange)) {
		t.Fatalf("with a policy, grant_types_supported %v", g)
	}
	if r := h.exchange("gateway", h.gatewaySecret, user, nil); r.status != http.StatusOK || r.str("access_token") == "" {
		t.Fatalf("an exchange the new policy allows: %d %s", r.status, r.raw)
	}

	policies.set(oauth.ExchangePolicyMap{"gateway": {}}, errors.New("database down"))
	r := h.exchange("gateway", h.gatewaySecret, user, nil)
	wantError(t, r, http.StatusInternalServerError, "server_error")
	if r.str("access_token") != "" {
		t.Fatalf("a token while the policies cannot be read: %s", r.raw)
	}

	policies.set(nil, nil)
	if g := grants(); slices.Contains(g, any(oauth.GrantTokenExchange)) {
		t.Fatalf("once no client has a policy, grant_types_supported %v", g)
	}
	wantError(t, h.exchange("gateway", h.gatewaySecret, user, nil), http.StatusBadRequest, "unsupported_grant_type")
}
