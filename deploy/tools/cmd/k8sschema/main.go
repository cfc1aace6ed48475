// Command k8sschema writes the JSON schemas the chart's checks validate
// rendered manifests against, for the kinds the chart renders, into
// deploy/tools/schemas (run from deploy/tools: `make schemas` at the top).
//
// The Kubernetes kinds come from the OpenAPI v2 document the Kubernetes
// release ships (api/openapi-spec/swagger.json in the k8s.io/kubernetes
// module), the Prometheus operator's kinds from the CustomResourceDefinitions
// its module ships (example/prometheus-operator-crd): both are taken from
// the Go module cache (`go mod download`), at the versions named in
// schemas.go, so the schemas are made offline once the modules are there.
//
// Each kind becomes one self-contained file named as kubeconform looks for
// it ({kind}-{group}-{version}.json), holding the kind's schema and the
// definitions it refers to, changed as kubeconform's own schemas are:
// descriptions dropped, an int-or-string or a quantity either a string or
// a number, and every object with declared properties closed to others
// (strict: an unknown or misspelt field is an error).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	tools "github.com/tokenim/tokenim-auth/deploy/tools"
)

// kubeKinds are the Kubernetes kinds the chart renders, by their OpenAPI
// definition name.
var kubeKinds = []string{
	"io.k8s.api.core.v1.ConfigMap",
	"io.k8s.api.core.v1.Secret",
	"io.k8s.api.core.v1.Service",
	"io.k8s.api.core.v1.ServiceAccount",
	"io.k8s.api.apps.v1.Deployment",
	"io.k8s.api.batch.v1.Job",
	"io.k8s.api.batch.v1.CronJob",
	"io.k8s.api.policy.v1.PodDisruptionBudget",
	"io.k8s.api.networking.v1.Ingress",
}

// crdFiles are the Prometheus operator's CustomResourceDefinitions the
// checks need: the chart's ServiceMonitor, and the alert rules as a
// PrometheusRule.
var crdFiles = []string{
	"monitoring.coreos.com_servicemonitors.yaml",
	"monitoring.coreos.com_prometheusrules.yaml",
}

func main() {
	out := flag.String("out", "schemas", "directory to write the schemas into")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "k8sschema:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	kubeDir, err := moduleDir("k8s.io/kubernetes", "v"+tools.KubernetesVersion)
	if err != nil {
		return err
	}
	promDir, err := moduleDir("github.com/prometheus-operator/prometheus-operator", tools.PrometheusOperatorVersion)
	if err != nil {
		return err
	}
	if err := writeKube(filepath.Join(out, tools.KubernetesSchemaDir), filepath.Join(kubeDir, "api", "openapi-spec", "swagger.json")); err != nil {
		return err
	}
	return writeCRDs(filepath.Join(out, tools.PrometheusOperatorSchemaDir), filepath.Join(promDir, "example", "prometheus-operator-crd"))
}

// moduleDir downloads a module into the module cache, if it is not there
// yet, and returns its directory.
func moduleDir(path, version string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", path+"@"+version)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s@%s: %w", path, version, err)
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(b, &m); err != nil {
		return "", fmt.Errorf("go mod download %s@%s: %w", path, version, err)
	}
	if m.Error != "" {
		return "", fmt.Errorf("go mod download %s@%s: %s", path, version, m.Error)
	}
	return m.Dir, nil
}

func writeKube(dir, swaggerPath string) error {
	b, err := os.ReadFile(swaggerPath)
	if err != nil {
		return err
	}
	var doc struct {
		Definitions map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("%s: %w", swaggerPath, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, name := range kubeKinds {
		def, ok := doc.Definitions[name]
		if !ok {
			return fmt.Errorf("%s: no definition %s", swaggerPath, name)
		}
		gvk, err := groupVersionKind(def)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		defs := map[string]any{}
		collect(doc.Definitions, name, defs)
		schema := map[string]any{"$ref": "#/definitions/" + name, "definitions": defs}
		if err := writeSchema(dir, gvk, schema); err != nil {
			return err
		}
	}
	return nil
}

// collect adds the definition name, changed by strict, and every one it
// refers to, to defs.
func collect(all map[string]any, name string, defs map[string]any) {
	if _, done := defs[name]; done {
		return
	}
	defs[name] = nil // a cycle ends here
	def := strict(all[name], name)
	defs[name] = def
	for _, ref := range refs(def) {
		collect(all, ref, defs)
	}
}

// refs lists the definitions a schema refers to.
func refs(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		if r, ok := v["$ref"].(string); ok {
			out = append(out, strings.TrimPrefix(r, "#/definitions/"))
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			out = append(out, refs(v[k])...)
		}
	case []any:
		for _, e := range v {
			out = append(out, refs(e)...)
		}
	}
	return out
}

// strict returns a copy of an OpenAPI schema as a JSON schema that refuses
// undeclared fields. name is the definition's name, "" inside one.
func strict(v any, name string) any {
	switch v := v.(type) {
	case map[string]any:
		switch {
		case v["format"] == "int-or-string" || v["x-kubernetes-int-or-string"] == true:
			return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}}
		case name == "io.k8s.apimachinery.pkg.api.resource.Quantity":
			return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}}
		}
		out := map[string]any{}
		for k, e := range v {
			if k == "description" || strings.HasPrefix(k, "x-kubernetes-") || k == "nullable" {
				continue
			}
			if k == "properties" {
				props := map[string]any{}
				for p, s := range e.(map[string]any) {
					props[p] = strict(s, "")
				}
				out[k] = props
				continue
			}
			out[k] = strict(e, "")
		}
		if _, has := v["properties"]; has && v["additionalProperties"] == nil && v["x-kubernetes-preserve-unknown-fields"] != true {
			out["additionalProperties"] = false
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = strict(e, "")
		}
		return out
	}
	return v
}

// gvk is a kind and the API version it is served at.
type gvk struct{ group, version, kind string }

// groupVersionKind reads the kind a definition is served as.
func groupVersionKind(def any) (gvk, error) {
	list, _ := def.(map[string]any)["x-kubernetes-group-version-kind"].([]any)
	if len(list) != 1 {
		return gvk{}, fmt.Errorf("want one x-kubernetes-group-version-kind, got %d", len(list))
	}
	m := list[0].(map[string]any)
	return gvk{group: m["group"].(string), version: m["version"].(string), kind: m["kind"].(string)}, nil
}

// writeSchema writes a schema under the name kubeconform gives its kind:
// configmap-v1.json, deployment-apps-v1.json, servicemonitor-monitoring-v1.json.
func writeSchema(dir string, k gvk, schema any) error {
	name := strings.ToLower(k.kind) + "-"
	if k.group != "" {
		name += strings.ToLower(strings.Split(k.group, ".")[0]) + "-"
	}
	name += k.version + ".json"
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	if err := enc.Encode(schema); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644)
}

// writeCRDs writes the served version of each CustomResourceDefinition.
func writeCRDs(dir, crdDir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range crdFiles {
		b, err := os.ReadFile(filepath.Join(crdDir, f))
		if err != nil {
			return err
		}
		var crd struct {
			Spec struct {
				Group string `json:"group"`
				Names struct {
					Kind string `json:"kind"`
				} `json:"names"`
				Versions []struct {
					Name   string `json:"name"`
					Served bool   `json:"served"`
					Schema struct {
						OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
					} `json:"schema"`
				} `json:"versions"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal(b, &crd); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		for _, v := range crd.Spec.Versions {
			if !v.Served {
				continue
			}
			k := gvk{group: crd.Spec.Group, version: v.Name, kind: crd.Spec.Names.Kind}
			if err := writeSchema(dir, k, strict(v.Schema.OpenAPIV3Schema, "")); err != nil {
				return err
			}
		}
	}
	return nil
}
