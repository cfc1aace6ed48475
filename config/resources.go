package config

import (
	"fmt"
	"slices"

	"github.com/tokenim/tokenim-auth/provider/resources"
)

// Resource is a protected resource (RFC 8707) clients may ask tokens for
// with the resource parameter: an IM service, by its resource identifier.
type Resource struct {
	// URI is the resource identifier, such as https://im.example.com: the
	// service's rs.Config.Resource and Audience, and the aud of the tokens
	// issued for it.
	URI string `yaml:"uri"`
	// Name is the service's name for people.
	Name string `yaml:"name"`
	// Scopes are the scopes of the catalogue the service accepts; a client
	// may ask for the resource when it may obtain one of them.
	Scopes []string `yaml:"scopes"`
}

// ResourceList is the registry's input.
func (c Config) ResourceList() []resources.Resource {
	out := make([]resources.Resource, len(c.Resources))
	for i, r := range c.Resources {
		out[i] = resources.Resource{URI: r.URI, Name: r.Name, Scopes: slices.Clone(r.Scopes)}
	}
	return out
}

func (c Config) validateResources(p *problems) {
	known := c.scopeNames()
	seen := map[string]int{}
	for i, r := range c.Resources {
		path := fmt.Sprintf("resources[%d]", i)
		if err := resources.Check(r.URI); err != nil {
			p.add(path+".uri", "%v: %q", err, r.URI)
		} else if j, dup := seen[r.URI]; dup {
			p.add(path+".uri", "%q is also resources[%d].uri", r.URI, j)
		} else {
			seen[r.URI] = i
		}
		if len(r.Scopes) == 0 {
			p.add(path+".scopes", "required: the scopes the service accepts")
		}
		for j, s := range r.Scopes {
			if !slices.Contains(known, s) {
				p.add(fmt.Sprintf("%s.scopes[%d]", path, j), "%q is not in the scope catalogue", s)
			}
		}
	}
}
