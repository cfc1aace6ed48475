package admin_test

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/tokenim/tokenim-auth/provider/admin"
)

// TestOpenAPIDescribesEveryRoute checks docs/admin-api.yaml against the
// routes the API mounts, both ways: no route undocumented, no documented
// operation missing.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	raw, err := os.ReadFile("../../docs/admin-api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("docs/admin-api.yaml: %v", err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method != "parameters" {
				documented[strings.ToUpper(method)+" /admin/api/v1"+path] = true
			}
		}
	}
	for _, route := range admin.New(admin.Config{}).Routes() {
		if !documented[route] {
			t.Errorf("route %s is not in docs/admin-api.yaml", route)
		}
		delete(documented, route)
	}
	for route := range documented {
		t.Errorf("docs/admin-api.yaml documents %s, which the API does not serve", route)
	}
}
