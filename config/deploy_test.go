package config

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

// manifestsPath holds the plain Kubernetes manifests, the Helm chart
// rendered (deploy/tools checks that they are up to date).
const manifestsPath = "../deploy/kubernetes/tokenim-auth.yaml"

// TestDeployedConfigValidates loads the configuration file the Kubernetes
// manifests mount, with the variables they set from the Secret, as serve
// does in the pod: a value the provider refuses would leave every node
// exiting 2.
func TestDeployedConfigValidates(t *testing.T) {
	t.Parallel()
	f, err := os.Open(manifestsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var file string
	dec := yaml.NewDecoder(f)
	for {
		var doc struct {
			Kind string            `yaml:"kind"`
			Data map[string]string `yaml:"data"`
		}
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if doc.Kind == "ConfigMap" && doc.Data["config.yaml"] != "" {
			file = doc.Data["config.yaml"]
		}
	}
	if file == "" {
		t.Fatalf("%s has no ConfigMap with a config.yaml", manifestsPath)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path, mapEnv(map[string]string{
		"TOKENIM_SECRETS_SYSTEM": "deploy-system-secret-0123456789abcdefgh",
		"TOKENIM_DATABASE_URL":   "postgres://tokenim:secret@postgres:5432/tokenim?sslmode=require",
		"TOKENIM_REDIS_URL":      "redis://redis:6379/0",
	}))
	if err != nil {
		t.Fatalf("Load: %v\n%s", err, file)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v\n%s", err, file)
	}
	if cfg.Listen != "0.0.0.0:8080" || cfg.Metrics.Listen != "0.0.0.0:9464" {
		t.Errorf("listen %q, metrics.listen %q: the ports the pods and the Service declare are 8080 and 9464", cfg.Listen, cfg.Metrics.Listen)
	}
}
