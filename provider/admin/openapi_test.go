package admin_test

import (
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/tokenim/tokenim-auth/provider/admin"
)

// operation is what the tests read of an operation in docs/admin-api.yaml.
type operation struct {
	OperationID string         `yaml:"operationId"`
	Responses   map[string]any `yaml:"responses"`
}

// openAPI reads docs/admin-api.yaml: its operations by route pattern, as
// the API's mux patterns are written ("PATCH /admin/api/v1/users/{id}").
func openAPI(t *testing.T) map[string]operation {
	t.Helper()
	raw, err := os.ReadFile("../../docs/admin-api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Servers []struct {
			URL string `yaml:"url"`
		} `yaml:"servers"`
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("docs/admin-api.yaml: %v", err)
	}
	if len(doc.Servers) != 1 {
		t.Fatalf("docs/admin-api.yaml has %d servers, want one", len(doc.Servers))
	}
	// The server is "{issuer}/admin/api/v1": the paths are under its path.
	base, err := url.Parse(strings.Replace(doc.Servers[0].URL, "{issuer}", "https://issuer.test", 1))
	if err != nil {
		t.Fatalf("docs/admin-api.yaml: server %q: %v", doc.Servers[0].URL, err)
	}
	ops := map[string]operation{}
	for path, item := range doc.Paths {
		for method, node := range item {
			if method == "parameters" {
				continue
			}
			var op operation
			if err := node.Decode(&op); err != nil {
				t.Fatalf("docs/admin-api.yaml: %s %s: %v", method, path, err)
			}
			ops[strings.ToUpper(method)+" "+base.Path+path] = op
		}
	}
	return ops
}

// TestOpenAPIDescribesEveryRoute checks docs/admin-api.yaml against the
// routes the API mounts (method and path template), both ways: no route
// undescribed, no described operation missing.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	described := openAPI(t)
	routes := admin.New(admin.Config{}).Routes()
	for _, route := range routes {
		if _, ok := described[route]; !ok {
			t.Errorf("route %s is not in docs/admin-api.yaml", route)
		}
	}
	for route := range described {
		if !slices.Contains(routes, route) {
			t.Errorf("docs/admin-api.yaml describes %s, which the API does not serve", route)
		}
	}
}

// TestOpenAPIOperations: every operation has its own operationId and
// describes the answers every route gives a wrong caller (every route is
// behind the same token check) and a token that cannot be looked up.
func TestOpenAPIOperations(t *testing.T) {
	t.Parallel()
	ids := map[string]string{}
	for route, op := range openAPI(t) {
		if op.OperationID == "" {
			t.Errorf("%s has no operationId", route)
		} else if other, dup := ids[op.OperationID]; dup {
			t.Errorf("%s and %s share the operationId %s", route, other, op.OperationID)
		}
		ids[op.OperationID] = route
		for _, status := range []string{"401", "403", "503"} {
			if _, ok := op.Responses[status]; !ok {
				t.Errorf("%s does not describe its %s answer", route, status)
			}
		}
	}
}

// TestPackageDocListsEveryRoute checks the API's route list in doc.go
// against the routes the API mounts.
func TestPackageDocListsEveryRoute(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, m := range regexp.MustCompile(`(?m)^//\t(GET|POST|PUT|PATCH|DELETE) +(/admin/api/\S+)`).FindAllStringSubmatch(string(raw), -1) {
		listed = append(listed, m[1]+" "+m[2])
	}
	slices.Sort(listed)
	if routes := admin.New(admin.Config{}).Routes(); !slices.Equal(listed, routes) {
		t.Fatalf("doc.go lists the routes\n\t%s\nthe API mounts\n\t%s", strings.Join(listed, "\n\t"), strings.Join(routes, "\n\t"))
	}
}
