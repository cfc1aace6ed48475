package config

import (
	"fmt"
	"slices"
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
	seen := map[string]int{}
	for i, e := range c.TokenExchange {
		path := fmt.Sprintf("token_exchange[%d]", i)
		if e.Client == "" {
			p.add(path+".client", "required: the client the policy is for")
		} else if j, dup := seen[e.Client]; dup {
			p.add(path+".client", "%q has a policy already (token_exchange[%d])", e.Client, j)
		} else {
			seen[e.Client] = i
		}
		for _, l := range []struct {
			field string
			uris  []string
		}{{"subject_audiences", e.SubjectAudiences}, {"resources", e.Resources}} {
			for j, u := range l.uris {
				if !slices.Contains(resources, u) {
					p.add(fmt.Sprintf("%s.%s[%d]", path, l.field, j), "%q is not a resource of resources:", u)
				}
			}
		}
		for j, s := range e.Scopes {
			if !slices.Contains(scopes, s) {
				p.add(fmt.Sprintf("%s.scopes[%d]", path, j), "%q is not in the scope catalogue", s)
			}
		}
	}
}
