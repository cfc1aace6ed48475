package admin

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/exchangepolicy"
	"github.com/tokenim/tokenim-auth/provider/resources"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// exchangeFixture is fixture with a configured resource and policy (the
// chat app's), a stored resource and a public client.
func exchangeFixture(t *testing.T) (*API, *memory.Store) {
	t.Helper()
	a, store := fixture(t)
	a.cfg.Resources = []resources.Resource{{URI: "https://im.example.com", Name: "IM", Scopes: []string{"im:calls.read"}}}
	a.cfg.Exchange = []storage.ExchangePolicy{{ClientID: "chat", SubjectAudiences: []string{"https://im.example.com"}}}
	ctx := t.Context()
	if err := store.CreateResource(ctx, storage.Resource{URI: "https://search.example.com", Scopes: []string{"openid"}, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateClient(ctx, storage.Client{ID: "spa", Name: "SPA", Type: storage.ClientPublic, TokenEndpointAuthMethod: "none",
		GrantTypes: []string{"authorization_code"}, RedirectURIs: []string{"https://spa.example/cb"}, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	return a, store
}

// TestAPIExchangePolicies: policies are added, listed with the configured
// ones (read-only), changed and deleted through the API, each change
// checked and recorded; a refused value is a 400 naming its field.
func TestAPIExchangePolicies(t *testing.T) {
	t.Parallel()
	a, store := exchangeFixture(t)
	do := caller(t, a)
	const base = "/admin/api/v1/token-exchange-policies"

	created := do("POST", base, `{"client_id":"bot","subject_audiences":["https://im.example.com"],"resources":["https://search.example.com","https://search.example.com"],"scopes":["im:calls.read"],"impersonation":true}`, http.StatusCreated)
	if created["client_id"] != "bot" || created["configured"] != false || created["impersonation"] != true || len(created["resources"].([]any)) != 1 {
		t.Fatalf("created %v", created)
	}
	if recs := records(t, store); len(recs) != 1 || recs[0].Action != audit.ExchangePolicyCreated || recs[0].ActorID != "ops-bot" ||
		recs[0].Detail["client"] != "bot" || recs[0].Detail["resources"] != "https://search.example.com" {
		t.Fatalf("records %+v", recs)
	}

	list := do("GET", base, "", http.StatusOK)["token_exchange_policies"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["client_id"] != "chat" || list[0].(map[string]any)["configured"] != true ||
		list[1].(map[string]any)["client_id"] != "bot" {
		t.Fatalf("list %v", list)
	}
	if got := do("GET", base+"/chat", "", http.StatusOK); got["configured"] != true || len(got["subject_audiences"].([]any)) != 1 {
		t.Fatalf("the configured one: %v", got)
	}
	if got := do("GET", base+"/bot", "", http.StatusOK); got["configured"] != false || got["created_at"] == nil {
		t.Fatalf("the stored one: %v", got)
	}

	for _, bad := range []struct{ body, field string }{
		{`{"resources":["https://search.example.com"]}`, "client_id: required"},
		{`{"client_id":"nobody"}`, "client_id: \"nobody\" is not a client"},
		{`{"client_id":"spa"}`, "client_id: \"spa\" is a public client"},
		{`{"client_id":"ops-bot","resources":["https://elsewhere.example"]}`, "resources: \"https://elsewhere.example\""},
		{`{"client_id":"ops-bot","subject_audiences":["https://elsewhere.example"]}`, "subject_audiences:"},
		{`{"client_id":"ops-bot","scopes":["im:nothing"]}`, "scopes: \"im:nothing\" is not in the scope catalogue"},
		{`{"client_id":"ops-bot","scopes":"openid"}`, "scopes"},
		{`{"client_id":"ops-bot","colour":"blue"}`, "colour"},
		{`[1]`, "JSON object"},
	} {
		if got := do("POST", base, bad.body, http.StatusBadRequest); !strings.Contains(got["error_description"].(string), bad.field) {
			t.Errorf("%s: %v, want it to name %s", bad.body, got, bad.field)
		}
	}
	do("POST", base, `{"client_id":"bot"}`, http.StatusConflict)
	if got := do("POST", base, `{"client_id":"chat"}`, http.StatusConflict); !strings.Contains(got["error_description"].(string), "configuration file") {
		t.Fatalf("a configured client: %v", got)
	}

	changed := do("PATCH", base+"/bot", `{"scopes":["openid"],"impersonation":false}`, http.StatusOK)
	if changed["impersonation"] != false || len(changed["resources"].([]any)) != 1 || changed["scopes"].([]any)[0] != "openid" {
		t.Fatalf("changed %v", changed)
	}
	if recs := records(t, store); len(recs) != 2 || recs[0].Action != audit.ExchangePolicyUpdated || recs[0].Detail["changed"] != "scopes impersonation" {
		t.Fatalf("records %+v", recs)
	}
	do("PATCH", base+"/bot", `{"client_id":"ops-bot"}`, http.StatusBadRequest)
	do("PATCH", base+"/bot", `{"resources":["https://elsewhere.example"]}`, http.StatusBadRequest)
	do("PATCH", base+"/chat", `{"impersonation":true}`, http.StatusConflict)
	do("PATCH", base+"/ops-bot", `{"impersonation":true}`, http.StatusNotFound)
	do("GET", base+"/nobody", "", http.StatusNotFound)

	do("DELETE", base+"/chat", "", http.StatusConflict)
	do("DELETE", base+"/bot", "", http.StatusNoContent)
	do("GET", base+"/bot", "", http.StatusNotFound)
	do("DELETE", base+"/bot", "", http.StatusNotFound)
	if recs := records(t, store); len(recs) != 3 || recs[0].Action != audit.ExchangePolicyDeleted || recs[0].Detail["client"] != "bot" {
		t.Fatalf("records %+v", recs)
	}
}

// FuzzAPIExchangePolicyBody: whatever body a client posts or patches, the
// policy routes answer with a client error or success, never a 500, and
// a stored policy always passes the rule of a policy.
func FuzzAPIExchangePolicyBody(f *testing.F) {
	for _, s := range []string{`{"client_id":"bot","resources":["https://search.example.com"]}`, `{"client_id":"spa"}`, `{"client_id":"\u0000"}`,
		`{"client_id":1}`, `null`, `{"client_id":"bot","scopes":["openid","openid"],"impersonation":true}`, `{"client_id":"bot","subject_audiences":["\ud800"]}`,
		`{"resources":null}`, `{"client_id":"ops-bot","scopes":[]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		a, store := exchangeFixture(t)
		if err := store.CreateExchangePolicy(t.Context(), storage.ExchangePolicy{ClientID: "ops-bot", CreatedAt: t0, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		for _, req := range []struct{ method, path string }{
			{"POST", "/admin/api/v1/token-exchange-policies"},
			{"PATCH", "/admin/api/v1/token-exchange-policies/ops-bot"},
		} {
			if w := call(t, a, req.method, req.path, body); w.Code >= 500 {
				t.Fatalf("%s %s %q: %d %s", req.method, req.path, body, w.Code, w.Body)
			}
		}
		list, err := store.ListExchangePolicies(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range list {
			problems, err := exchangepolicy.Check(exchangepolicy.Policy{Client: p.ClientID, SubjectAudiences: p.SubjectAudiences, Resources: p.Resources, Scopes: p.Scopes},
				exchangepolicy.Lookups{
					Client: func(id string) (exchangepolicy.Client, error) {
						c, err := store.GetClient(t.Context(), id)
						return exchangepolicy.Client{Exists: err == nil, Public: c.Type == storage.ClientPublic}, nil
					},
					Resource: func(uri string) (bool, error) { return a.knownResource(t.Context(), uri) },
					Scope:    func(s string) bool { return slices.Contains(a.cfg.Scopes, s) },
				})
			if err != nil || len(problems) > 0 {
				t.Fatalf("stored %+v: %v %v", p, problems, err)
			}
		}
	})
}
