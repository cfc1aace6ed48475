package config

import "testing"

func TestResources(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		resources []Resource
		path      string
		text      string
	}{
		{"a relative URI", []Resource{{URI: "/api", Scopes: []string{"im:messages.read"}}}, "resources[0].uri", "not an absolute URI"},
		{"a fragment", []Resource{{URI: "https://im.example.com/#x", Scopes: []string{"im:messages.read"}}}, "resources[0].uri", "fragment"},
		{"a URI twice", []Resource{{URI: "https://a.example", Scopes: []string{"im:messages.read"}}, {URI: "https://a.example", Scopes: []string{"im:messages.read"}}}, "resources[1].uri", "also resources[0].uri"},
		{"no scopes", []Resource{{URI: "https://a.example"}}, "resources[0].scopes", "required"},
		{"an unknown scope", []Resource{{URI: "https://a.example", Scopes: []string{"im:messages.read", "im:nope"}}}, "resources[0].scopes[1]", "not in the scope catalogue"},
	} {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			cfg := validConfig()
			cfg.Resources = tt.resources
			requireProblem(t, cfg.Validate(), tt.path, tt.text)
		})
	}
	t.Run("a resource is accepted", func(t *testing.T) {
		cfg := validConfig()
		cfg.Resources = []Resource{{URI: "https://im.example.com", Name: "IM", Scopes: []string{"im:messages.read"}}}
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		if l := cfg.ResourceList(); len(l) != 1 || l[0].URI != "https://im.example.com" {
			t.Fatalf("ResourceList %+v", l)
		}
	})
}
