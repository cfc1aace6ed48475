package config

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const examplePath = "example.yaml"

func TestExampleYAML(t *testing.T) {
	t.Run("loads and validates", func(t *testing.T) {
		cfg, err := Load(examplePath, mapEnv(nil))
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("Validate: %v", err)
		}
		if cfg.Issuer != "http://127.0.0.1:8080" {
			t.Errorf("issuer = %q", cfg.Issuer)
		}
		if cfg.Database.URL != "postgres://postgres@127.0.0.1:5432/test?sslmode=disable" {
			t.Errorf("database.url = %q", cfg.Database.URL)
		}
		types := make(map[string]bool)
		for _, c := range cfg.Clients {
			types[c.Type] = true
		}
		for _, want := range []string{ClientConfidential, ClientPublic, ClientResourceServer} {
			if !types[want] {
				t.Errorf("no example of a %s client", want)
			}
		}
	})

	t.Run("shows the defaults and the default catalogue", func(t *testing.T) {
		cfg, err := Load(examplePath, nil)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		def := Default()
		// Only the fields an operator must set differ from the defaults.
		cfg.Issuer, cfg.Secrets, cfg.Database.URL = def.Issuer, def.Secrets, def.Database.URL
		cfg.Clients, cfg.Users, cfg.Upstreams, cfg.Resources, cfg.TokenExchange = nil, nil, nil, nil, nil
		if !reflect.DeepEqual(cfg, def) {
			t.Errorf("example.yaml differs from Default():\n got %+v\nwant %+v", cfg, def)
		}
	})

	t.Run("sets and comments every field", func(t *testing.T) {
		data, err := os.ReadFile(examplePath)
		if err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		commented := make(map[string]bool) // path -> some occurrence has a comment
		collectKeys(&doc, "", commented)
		for _, p := range yamlPaths(reflect.TypeFor[Config](), "") {
			switch c, ok := commented[p]; {
			case !ok:
				t.Errorf("example.yaml does not set %s", p)
			case !c:
				t.Errorf("example.yaml has no comment on %s", p)
			}
		}
	})
}

// yamlPaths lists the dotted YAML path of every field of the struct type t,
// entering nested structs and slices of structs ("clients[].id"), but not maps.
func yamlPaths(t reflect.Type, prefix string) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		path := prefix + name
		ft := f.Type
		switch {
		case ft.Kind() == reflect.Struct && ft != reflect.TypeFor[struct{}]():
			out = append(out, path)
			out = append(out, yamlPaths(ft, path+".")...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			out = append(out, path)
			out = append(out, yamlPaths(ft.Elem(), path+"[].")...)
		default:
			out = append(out, path)
		}
	}
	return out
}

// collectKeys records the dotted path of every mapping key under n, in the
// form yamlPaths uses, and whether any occurrence of it has a comment. It does
// not enter scope descriptions, whose keys are locales.
func collectKeys(n *yaml.Node, prefix string, out map[string]bool) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			collectKeys(c, prefix, out)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			collectKeys(c, strings.TrimSuffix(prefix, ".")+"[].", out)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i]
			path := prefix + key.Value
			out[path] = out[path] || key.HeadComment != "" || key.LineComment != ""
			if path != "scopes[].description" {
				collectKeys(n.Content[i+1], path+".", out)
			}
		}
	}
}
