package config

import (
	"fmt"
	"slices"

	"github.com/tokenim/tokenim-auth/provider/exchangepolicy"
)

// TokenExchange is what one client may do with token exchange (RFC 8693):
// present a user's access token and get one for itself acting for the
// user, or for a downstream service. A client without an entry may not
// exchange tokens; with no entry at all the grant is not offered.
type TokenExchange struct {
	// Client is the confidential client the policy is for.
	Client string `yaml:"client"`
	// SubjectAudiences are the resources (of resources:) a presented
	// token must be for; empty takes tokens of any audience.
	SubjectAudiences []string `yaml:"subject_audiences"`
	// Resources are the resources (of resources:) the client may ask the
	// new token for; empty: the new token keeps the presented one's
	// audience.
	Resources []string `yaml:"resources"`
	// Scopes are the scopes the new token may keep, among the presented
	// token's; empty: any of them.
	Scopes []string `yaml:"scopes"`
	// Impersonation lets the client get a token without act (naming no
	// actor) when it presents no actor_token. Off, act always names who
	// acts: the actor_token's party or the client itself.
	Impersonation bool `yaml:"impersonation"`
}

func (c Config) validateTokenExchange(p *problems) {
	resources := make([]string, 0, len(c.Resources))
	for _, r := range c.Resources {
		resources = append(resources, r.URI)
	}
	scopes := c.scopeNames()
	// The clients are not checked here: they may be stored rather than
	// configured. The console and the admin API check them.
	lookups := exchangepolicy.Lookups{
		Resource:        func(uri string) (bool, error) { return slices.Contains(resources, uri), nil },
		Scope:           func(s string) bool { return slices.Contains(scopes, s) },
		UnknownResource: "a resource of resources:",
	}
	seen := map[string]int{}
	for i, e := range c.TokenExchange {
		path := fmt.Sprintf("token_exchange[%d]", i)
		if j, dup := seen[e.Client]; dup && e.Client != "" {
			p.add(path+".client", "%q has a policy already (token_exchange[%d])", e.Client, j)
		} else {
			seen[e.Client] = i
		}
		// The lookups never fail.
		found, _ := exchangepolicy.Check(exchangepolicy.Policy{Client: e.Client, SubjectAudiences: e.SubjectAudiences, Resources: e.Resources, Scopes: e.Scopes}, lookups)
		for _, f := range found {
			p.add(path+"."+f.Path(), "%s", f.Problem)
		}
	}
}
