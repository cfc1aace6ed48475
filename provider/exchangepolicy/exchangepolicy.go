// Package exchangepolicy is the one home of the rule of a token exchange
// policy (RFC 8693): the resources it names are known protected
// resources, its scopes are in the scope catalogue, and, where the
// clients can be looked up, its client exists and is confidential. The
// configuration (token_exchange:, against the configured resources) and
// the admin console and API (against the configured and stored ones, and
// the clients) apply it, each with its own lookups. It imports nothing of
// the module.
package exchangepolicy

import (
	"fmt"
	"strconv"
)

// Policy is what the rule checks of a policy.
type Policy struct {
	// Client is the ID of the client the policy is for.
	Client           string
	SubjectAudiences []string
	Resources        []string
	Scopes           []string
}

// Client is what the rule needs of the client a policy is for.
type Client struct {
	// Exists is false for an unknown client.
	Exists bool
	// Public is true for a public client, which may not exchange tokens.
	Public bool
}

// Lookups are what the names of a policy are checked against.
type Lookups struct {
	// Client finds the policy's client; nil leaves the client unchecked
	// (the configuration: its clients may be stored).
	Client func(id string) (Client, error)
	// Resource reports whether uri is a known protected resource.
	Resource func(uri string) (bool, error)
	// Scope reports whether name is in the scope catalogue.
	Scope func(name string) bool
	// UnknownResource says what an unknown resource is not, after "%q is
	// not ": "a resource of resources:" for the configuration; empty: "a
	// known protected resource".
	UnknownResource string
}

// Problem is one thing wrong with a policy.
type Problem struct {
	// Field is the policy's field: client, subject_audiences, resources
	// or scopes.
	Field string
	// Index is the position of the value in a list field; -1 for client.
	Index int
	// Value is the value refused.
	Value string
	// Problem says what is wrong, for people.
	Problem string
}

// Path is the field and, for a list field, the value's index:
// "resources[1]".
func (p Problem) Path() string {
	if p.Index < 0 {
		return p.Field
	}
	return p.Field + "[" + strconv.Itoa(p.Index) + "]"
}

// Check returns what is wrong with p, in the order of its fields; none
// when it is fine. An error is a lookup's, not a problem of p.
func Check(p Policy, l Lookups) ([]Problem, error) {
	var out []Problem
	switch {
	case p.Client == "":
		out = append(out, Problem{Field: "client", Index: -1, Problem: "required: the client the policy is for"})
	case l.Client != nil:
		c, err := l.Client(p.Client)
		if err != nil {
			return nil, fmt.Errorf("exchangepolicy: client %q: %w", p.Client, err)
		}
		switch {
		case !c.Exists:
			out = append(out, Problem{Field: "client", Index: -1, Value: p.Client, Problem: fmt.Sprintf("%q is not a client", p.Client)})
		case c.Public:
			out = append(out, Problem{Field: "client", Index: -1, Value: p.Client,
				Problem: fmt.Sprintf("%q is a public client: only a confidential client may exchange tokens", p.Client)})
		}
	}
	unknown := l.UnknownResource
	if unknown == "" {
		unknown = "a known protected resource"
	}
	for _, f := range []struct {
		field string
		uris  []string
	}{{"subject_audiences", p.SubjectAudiences}, {"resources", p.Resources}} {
		for i, u := range f.uris {
			known, err := l.Resource(u)
			if err != nil {
				return nil, fmt.Errorf("exchangepolicy: resource %q: %w", u, err)
			}
			if !known {
				out = append(out, Problem{Field: f.field, Index: i, Value: u, Problem: fmt.Sprintf("%q is not %s", u, unknown)})
			}
		}
	}
	for i, s := range p.Scopes {
		if !l.Scope(s) {
			out = append(out, Problem{Field: "scopes", Index: i, Value: s, Problem: fmt.Sprintf("%q is not in the scope catalogue", s)})
		}
	}
	return out, nil
}
