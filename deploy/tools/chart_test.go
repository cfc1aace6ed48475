package tools_test

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/yannh/kubeconform/pkg/validator"
	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/lint/support"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	release "helm.sh/helm/v4/pkg/release/v1"
	"sigs.k8s.io/yaml"

	tools "github.com/tokenim/tokenim-auth/deploy/tools"
)

var update = flag.Bool("update", false, "rewrite deploy/kubernetes/tokenim-auth.yaml from the chart")

const (
	chartDir = "../helm/tokenim-auth"
	// manifestsPath holds the plain manifests, rendered with manifestsValues.
	manifestsPath   = "../kubernetes/tokenim-auth.yaml"
	manifestsValues = "../kubernetes/values.yaml"
	// releaseName and namespace are those the chart is rendered as.
	releaseName = "tokenim-auth"
	namespace   = "identity"
	// monitoringAPI is the Prometheus operator's API, which the
	// ServiceMonitor needs.
	monitoringAPI = "monitoring.coreos.com/v1"
)

// valuesFiles are the values the chart is checked with: none (the
// defaults), then each file in its ci/ directory.
func valuesFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(chartDir, "ci", "*-values.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no values files in %s/ci: %v", chartDir, err)
	}
	return append([]string{""}, files...)
}

// readValues reads a values file; "" is the defaults.
func readValues(t *testing.T, path string) map[string]any {
	t.Helper()
	if path == "" {
		return map[string]any{}
	}
	v, err := common.ReadValuesFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestChartLints(t *testing.T) {
	for _, file := range valuesFiles(t) {
		t.Run(cmp(file, "defaults"), func(t *testing.T) {
			t.Parallel()
			lint := action.NewLint()
			lint.Strict = true
			lint.Namespace = namespace
			lint.KubeVersion = kubeVersion(t)
			res := lint.Run([]string{chartDir}, readValues(t, file))
			for _, m := range res.Messages {
				if m.Severity > support.InfoSev {
					t.Error(m.Error())
				}
			}
			for _, err := range res.Errors {
				t.Error(err)
			}
			if res.TotalChartsLinted != 1 {
				t.Fatalf("%d charts linted, want 1", res.TotalChartsLinted)
			}
		})
	}
}

// kubeVersion is the Kubernetes version the chart is rendered for: the
// one whose schemas the manifests are validated against.
func kubeVersion(t *testing.T) *common.KubeVersion {
	t.Helper()
	v, err := common.ParseKubeVersion("v" + tools.KubernetesVersion)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// render renders the chart as `helm template` does, hooks included, with the
// given API versions available in the cluster.
func render(t *testing.T, ch *chart.Chart, vals map[string]any, apis ...string) string {
	t.Helper()
	install := action.NewInstall(action.NewConfiguration())
	install.DryRunStrategy = action.DryRunClient
	install.ReleaseName = releaseName
	install.Namespace = namespace
	install.Replace = true
	install.APIVersions = common.VersionSet(apis)
	install.KubeVersion = kubeVersion(t)
	r, err := install.Run(ch, vals)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	rel, ok := r.(*release.Release)
	if !ok {
		t.Fatalf("render: a %T, want a *release.Release", r)
	}
	var out strings.Builder
	out.WriteString(strings.TrimSpace(rel.Manifest))
	out.WriteString("\n")
	for _, h := range rel.Hooks {
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", h.Path, strings.TrimSpace(h.Manifest))
	}
	return out.String()
}

func loadChart(t *testing.T) *chart.Chart {
	t.Helper()
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// object is a rendered resource, as a map.
type object map[string]any

func (o object) kind() string { return fmt.Sprint(o["kind"]) }

// get follows a path of keys; a number indexes a list.
func (o object) get(path ...any) any {
	var v any = map[string]any(o)
	for _, p := range path {
		switch p := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[p]
		case int:
			l, _ := v.([]any)
			if p >= len(l) {
				return nil
			}
			v = l[p]
		}
	}
	return v
}

// objects splits rendered manifests into resources.
func objects(t *testing.T, manifests string) []object {
	t.Helper()
	var out []object
	for doc := range strings.SplitSeq(manifests, "\n---") {
		var o object
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			t.Fatalf("rendered YAML does not parse: %v\n%s", err, doc)
		}
		if o != nil {
			out = append(out, o)
		}
	}
	return out
}

func kinds(objs []object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.kind())
	}
	slices.Sort(out)
	return out
}

func find(t *testing.T, objs []object, kind string, name string) object {
	t.Helper()
	for _, o := range objs {
		if o.kind() == kind && o.get("metadata", "name") == name {
			return o
		}
	}
	t.Fatalf("no %s %s among %v", kind, name, kinds(objs))
	return nil
}

// newValidator validates against the schemas in schemas/, strictly: a
// field a schema does not declare is an error, and so is a kind without a
// schema.
func newValidator(t *testing.T) validator.Validator {
	t.Helper()
	dir, err := filepath.Abs("schemas")
	if err != nil {
		t.Fatal(err)
	}
	v, err := validator.New([]string{
		filepath.Join(dir, tools.KubernetesSchemaDir, "{{ .ResourceKind }}{{ .KindSuffix }}.json"),
		filepath.Join(dir, tools.PrometheusOperatorSchemaDir, "{{ .ResourceKind }}{{ .KindSuffix }}.json"),
	}, validator.Opts{Strict: true, KubernetesVersion: tools.KubernetesVersion})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// validate checks every resource in manifests against its schema.
func validate(t *testing.T, v validator.Validator, name, manifests string) {
	t.Helper()
	n := 0
	for _, r := range v.Validate(name, io.NopCloser(strings.NewReader(manifests))) {
		switch r.Status {
		case validator.Valid:
			n++
		case validator.Empty:
		default:
			sig, _ := r.Resource.Signature()
			t.Errorf("%s: %v %v: %v", name, sig, r.ValidationErrors, r.Err)
		}
	}
	if n == 0 {
		t.Errorf("%s: no resource validated", name)
	}
}

func TestChartRendersValidManifests(t *testing.T) {
	ch := loadChart(t)
	v := newValidator(t)
	full := filepath.Join(chartDir, "ci", "full-values.yaml")
	minimal := filepath.Join(chartDir, "ci", "minimal-values.yaml")
	for _, tc := range []struct {
		name   string
		values string
		apis   []string
		want   []string
		check  func(t *testing.T, objs []object)
	}{
		{
			name: "defaults: nodes, migration hook, audit verification, no ingress",
			want: []string{"ConfigMap", "ConfigMap", "CronJob", "Deployment", "Job", "PodDisruptionBudget", "Service", "ServiceAccount"},
			check: func(t *testing.T, objs []object) {
				d := find(t, objs, "Deployment", releaseName)
				if n := d.get("spec", "replicas"); n != float64(2) {
					t.Errorf("replicas %v, want 2", n)
				}
				c := object(d.get("spec", "template", "spec", "containers", 0).(map[string]any))
				for _, probe := range []struct{ name, path string }{{"readinessProbe", "/health/ready"}, {"livenessProbe", "/health/alive"}} {
					if got := c.get(probe.name, "httpGet", "path"); got != probe.path {
						t.Errorf("%s on %v, want %s", probe.name, got, probe.path)
					}
				}
				sc := c.get("securityContext").(map[string]any)
				if sc["readOnlyRootFilesystem"] != true || sc["runAsNonRoot"] != true || sc["allowPrivilegeEscalation"] != false {
					t.Errorf("container security context %v", sc)
				}
				if drop := c.get("securityContext", "capabilities", "drop", 0); drop != "ALL" {
					t.Errorf("capabilities dropped: %v", drop)
				}
				pod := object(d.get("spec", "template", "spec").(map[string]any))
				if pod.get("securityContext", "runAsUser") != float64(65532) || pod.get("securityContext", "seccompProfile", "type") != "RuntimeDefault" {
					t.Errorf("pod security context %v", pod.get("securityContext"))
				}
				if c.get("resources", "limits", "memory") == nil || c.get("resources", "requests", "cpu") == nil {
					t.Errorf("resources %v", c.get("resources"))
				}
				job := find(t, objs, "Job", releaseName+"-migrate")
				if hook := job.get("metadata", "annotations", "helm.sh/hook"); hook != "pre-install,pre-upgrade" {
					t.Errorf("migration Job hook %v", hook)
				}
				if args := fmt.Sprint(job.get("spec", "template", "spec", "containers", 0, "args")); args != "[migrate --config /etc/tokenim-auth/config.yaml]" {
					t.Errorf("migration Job args %s", args)
				}
				cfg := configOf(t, find(t, objs, "ConfigMap", releaseName))
				if cfg.get("database", "migrate") != false || cfg.get("metrics", "listen") != "0.0.0.0:9464" {
					t.Errorf("configuration %v: want database.migrate false (the hook migrates) and metrics on 9464", cfg)
				}
			},
		},
		{
			name:   "everything on, with the Prometheus operator",
			values: full,
			apis:   []string{monitoringAPI},
			want:   []string{"ConfigMap", "ConfigMap", "CronJob", "Deployment", "Ingress", "Job", "PodDisruptionBudget", "Secret", "Service", "ServiceMonitor"},
			check: func(t *testing.T, objs []object) {
				sm := find(t, objs, "ServiceMonitor", releaseName)
				if port := sm.get("spec", "endpoints", 0, "port"); port != "metrics" {
					t.Errorf("ServiceMonitor scrapes port %v", port)
				}
				ing := find(t, objs, "Ingress", releaseName)
				if host := ing.get("spec", "rules", 0, "host"); host != "auth.example.com" {
					t.Errorf("Ingress host %v, want the issuer's", host)
				}
				if hook := find(t, objs, "Secret", releaseName).get("metadata", "annotations", "helm.sh/hook"); hook != "pre-install,pre-upgrade" {
					t.Errorf("the created Secret is not there before the migration Job: hook %v", hook)
				}
				job := find(t, objs, "Job", releaseName+"-migrate")
				if sa := job.get("spec", "template", "spec", "serviceAccountName"); sa != "tokenim-auth-db" {
					t.Errorf("migration Job runs as %v, want the existing tokenim-auth-db", sa)
				}
			},
		},
		{
			name:   "ServiceMonitor asked for without the Prometheus operator",
			values: full,
			want:   []string{"ConfigMap", "ConfigMap", "CronJob", "Deployment", "Ingress", "Job", "PodDisruptionBudget", "Secret", "Service"},
		},
		{
			name:   "one node migrating itself, without Redis or metrics",
			values: minimal,
			want:   []string{"ConfigMap", "Deployment", "Service"},
			check: func(t *testing.T, objs []object) {
				d := find(t, objs, "Deployment", releaseName)
				env := fmt.Sprint(d.get("spec", "template", "spec", "containers", 0, "env"))
				if strings.Contains(env, "TOKENIM_REDIS_URL") {
					t.Errorf("Redis URL set with redis.enabled false: %s", env)
				}
				cfg := configOf(t, find(t, objs, "ConfigMap", releaseName))
				if cfg.get("database", "migrate") != true || cfg.get("metrics") != nil {
					t.Errorf("configuration %v: want database.migrate true and no metrics", cfg)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := render(t, ch, readValues(t, tc.values), tc.apis...)
			validate(t, v, tc.name, out)
			objs := objects(t, out)
			if got := kinds(objs); !slices.Equal(got, tc.want) {
				t.Errorf("kinds %v, want %v", got, tc.want)
			}
			if tc.check != nil {
				tc.check(t, objs)
			}
		})
	}
}

// configOf is the provider configuration a ConfigMap holds.
func configOf(t *testing.T, cm object) object {
	t.Helper()
	var cfg object
	if err := yaml.Unmarshal([]byte(fmt.Sprint(cm.get("data", "config.yaml"))), &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// manifestsHeader starts the plain manifests.
const manifestsHeader = `# TokenIM Auth on Kubernetes without Helm: the chart deploy/helm/tokenim-auth
# rendered with deploy/kubernetes/values.yaml (make manifests; a test checks
# that this file is up to date). Create the Secret "tokenim-auth" first
# (keys system-secret, database-url, redis-url: see docs/operations.md),
# then:
#
#   kubectl create namespace identity
#   kubectl -n identity apply -f deploy/kubernetes/tokenim-auth.yaml
#
# Each node applies pending migrations as it starts, one at a time under a
# Postgres lock. Edit the issuer and the image before applying.
`

func TestPlainManifestsAreUpToDate(t *testing.T) {
	ch := loadChart(t)
	out := manifestsHeader + render(t, ch, readValues(t, manifestsValues))
	validate(t, newValidator(t), manifestsPath, out)
	if *update {
		if err := os.WriteFile(manifestsPath, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(manifestsPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, []byte(out)) {
		t.Fatalf("%s is not the chart rendered with %s: run `make manifests` and commit the result", manifestsPath, manifestsValues)
	}
}

// cmp returns s, or def when s is empty, as a subtest name.
func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return filepath.Base(s)
}

func TestChartRefusesBadValues(t *testing.T) {
	ch := loadChart(t)
	for _, tc := range []struct {
		name   string
		values map[string]any
		want   string
	}{
		{"a misspelt key", map[string]any{"replicas": 3}, "replicas"},
		{"a count as a string", map[string]any{"replicaCount": "3"}, "replicaCount"},
		{"an issuer with a trailing slash", map[string]any{"issuer": "https://auth.example.com/"}, "issuer"},
		{"metrics on the public port", map[string]any{"metrics": map[string]any{"port": 8080}}, "metrics"},
		{"a created Secret without its values", map[string]any{"secrets": map[string]any{"create": true}}, "secrets.system is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			install := action.NewInstall(action.NewConfiguration())
			install.DryRunStrategy = action.DryRunClient
			install.ReleaseName = releaseName
			install.Namespace = namespace
			install.KubeVersion = kubeVersion(t)
			_, err := install.Run(ch, tc.values)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want one naming %q", err, tc.want)
			}
		})
	}
}
