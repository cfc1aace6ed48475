// Package resources holds the protected resources (RFC 8707) the provider
// issues tokens for: each an IM service known by its resource identifier,
// the URI a client names in the resource parameter, with the scopes it
// accepts. It is the one home of the rule for a resource identifier,
// which the configuration and the OAuth endpoints apply. It imports
// nothing of the module.
package resources

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// MaxPerRequest bounds the resource parameters of one request.
const MaxPerRequest = 10

// Resource is a protected resource tokens may be issued for.
type Resource struct {
	// URI is the resource identifier (RFC 8707 section 2), such as
	// "https://im.example.com": a token for it says it in aud.
	URI string
	// Name is the resource's name for people.
	Name string
	// Scopes are the scopes the resource accepts. A client may ask for
	// the resource when it may obtain one of them.
	Scopes []string
}

// Check says what is wrong with uri as a resource identifier: RFC 8707
// section 2 asks for an absolute URI without a fragment; it must also be
// short, printable ASCII without spaces, quotes or backslashes (it is
// written into challenges and JWTs as it is). nil when it is fine.
func Check(uri string) error {
	switch {
	case uri == "":
		return errors.New("empty")
	case len(uri) > 512:
		return errors.New("longer than 512 characters")
	case strings.ContainsFunc(uri, func(r rune) bool { return r <= ' ' || r > '~' || r == '"' || r == '\\' }):
		return errors.New("not printable ASCII without spaces, quotes or backslashes")
	}
	u, err := url.Parse(uri)
	switch {
	case err != nil:
		return errors.New("not a URI")
	case !u.IsAbs() || u.Host == "":
		return errors.New("not an absolute URI with a host")
	case u.Fragment != "" || strings.Contains(uri, "#"):
		return errors.New("has a fragment (RFC 8707 section 2)")
	}
	return nil
}

// Registry holds the known resources. It is read-only once built, safe
// for concurrent use.
type Registry struct {
	byURI map[string]Resource
}

// NewRegistry checks rs and returns their registry: each URI valid and
// named once.
func NewRegistry(rs []Resource) (*Registry, error) {
	r := &Registry{byURI: make(map[string]Resource, len(rs))}
	for i, res := range rs {
		if err := Check(res.URI); err != nil {
			return nil, fmt.Errorf("resources[%d].uri: %w", i, err)
		}
		if _, dup := r.byURI[res.URI]; dup {
			return nil, fmt.Errorf("resources[%d].uri: %q is registered twice", i, res.URI)
		}
		res.Scopes = slices.Clone(res.Scopes)
		r.byURI[res.URI] = res
	}
	return r, nil
}

// Get returns the resource uri identifies.
func (r *Registry) Get(uri string) (Resource, bool) {
	if r == nil {
		return Resource{}, false
	}
	res, ok := r.byURI[uri]
	return res, ok
}

// Len is the number of resources.
func (r *Registry) Len() int {
	if r == nil {
		return 0
	}
	return len(r.byURI)
}

// Accepts reports whether res accepts one of scopes: a client that may
// obtain one of them may ask for res.
func (res Resource) Accepts(scopes []string) bool {
	return slices.ContainsFunc(res.Scopes, func(s string) bool { return slices.Contains(scopes, s) })
}
