package config

import "testing"

func TestTokenExchange(t *testing.T) {
	t.Parallel()
	res := []Resource{{URI: "https://im.example.com", Scopes: []string{"im:messages.read"}}}
	for _, tt := range []struct {
		name   string
		policy []TokenExchange
		path   string
		text   string
	}{
		{"no client", []TokenExchange{{}}, "token_exchange[0].client", "required"},
		{"a client twice", []TokenExchange{{Client: "gw"}, {Client: "gw"}}, "token_exchange[1].client", "has a policy already"},
		{"an unknown subject audience", []TokenExchange{{Client: "gw", SubjectAudiences: []string{"https://x.example"}}}, "token_exchange[0].subject_audiences[0]", "not a resource"},
		{"an unknown resource", []TokenExchange{{Client: "gw", Resources: []string{"https://x.example"}}}, "token_exchange[0].resources[0]", "not a resource"},
		{"an unknown scope", []TokenExchange{{Client: "gw", Scopes: []string{"im:nope"}}}, "token_exchange[0].scopes[0]", "not in the scope catalogue"},
	} {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			cfg := validConfig()
			cfg.Resources, cfg.TokenExchange = res, tt.policy
			requireProblem(t, cfg.Validate(), tt.path, tt.text)
		})
	}
	t.Run("a policy is accepted", func(t *testing.T) {
		cfg := validConfig()
		cfg.Resources = res
		cfg.TokenExchange = []TokenExchange{{Client: "gw", SubjectAudiences: []string{"https://im.example.com"}, Resources: []string{"https://im.example.com"},
			Scopes: []string{"im:messages.read"}, Impersonation: true}}
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
	})
}
