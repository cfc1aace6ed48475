package exchangepolicy

import (
	"errors"
	"slices"
	"testing"
)

// TestCheck: each field's problem names the field, the value's index and
// the value; a client is checked only when it can be looked up; a
// lookup's failure is an error, not a problem.
func TestCheck(t *testing.T) {
	t.Parallel()
	l := Lookups{
		Client: func(id string) (Client, error) {
			switch id {
			case "gateway":
				return Client{Exists: true}, nil
			case "spa":
				return Client{Exists: true, Public: true}, nil
			case "down":
				return Client{}, errors.New("database down")
			}
			return Client{}, nil
		},
		Resource: func(uri string) (bool, error) { return uri == "https://im.example.com", nil },
		Scope:    func(s string) bool { return s == "openid" },
	}
	paths := func(p Policy, l Lookups) []string {
		t.Helper()
		found, err := Check(p, l)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range found {
			if f.Problem == "" {
				t.Fatalf("%s has no problem text", f.Path())
			}
			out = append(out, f.Path())
		}
		return out
	}
	if got := paths(Policy{Client: "gateway", SubjectAudiences: []string{"https://im.example.com"}, Resources: []string{"https://im.example.com"}, Scopes: []string{"openid"}}, l); len(got) != 0 {
		t.Fatalf("a good policy: %v", got)
	}
	for _, tt := range []struct {
		name string
		p    Policy
		want []string
	}{
		{"no client", Policy{}, []string{"client"}},
		{"an unknown client", Policy{Client: "nobody"}, []string{"client"}},
		{"a public client", Policy{Client: "spa"}, []string{"client"}},
		{"unknown names", Policy{Client: "gateway", SubjectAudiences: []string{"https://im.example.com", "https://x.example"}, Resources: []string{"https://y.example"},
			Scopes: []string{"openid", "im:nothing"}}, []string{"subject_audiences[1]", "resources[0]", "scopes[1]"}},
	} {
		if got := paths(tt.p, l); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	noClients := l
	noClients.Client = nil
	if got := paths(Policy{Client: "nobody"}, noClients); len(got) != 0 {
		t.Fatalf("without client lookups, the client is checked: %v", got)
	}
	if _, err := Check(Policy{Client: "down"}, l); err == nil {
		t.Fatal("a failed lookup is not an error")
	}
}
