// Package tools checks the deployment files under deploy/ in tests of its
// own module, so that the provider's go.mod stays free of Helm, Kubernetes
// and Prometheus modules. `make test` runs them (`make deploy-check`):
//
//   - the Helm chart (deploy/helm/tokenim-auth) lints cleanly with Helm's
//     own linter, and renders with its default values and with each values
//     file in its ci/ directory, to manifests that validate against the
//     Kubernetes JSON schemas in schemas/ (kubeconform, strict: unknown
//     fields are errors);
//   - the plain manifests (deploy/kubernetes) are the chart rendered with
//     deploy/kubernetes/values.yaml (`make manifests` rewrites them);
//   - the Prometheus alert rules (deploy/prometheus/alerts.yaml) load as
//     Prometheus loads them, and validate as a PrometheusRule;
//   - every metric the alert rules and the Grafana dashboards
//     (deploy/grafana) query is one the provider exports: the names in
//     deploy/prometheus/metrics.txt, which a test of the provider
//     (cmd/tokenim-auth TestMetricNames) writes from a running provider's
//     /metrics and keeps in step.
//
// The schemas are made from the Kubernetes release's OpenAPI document and
// the Prometheus operator's CustomResourceDefinitions by cmd/k8sschema, at
// the versions below (`make schemas`), and kept in the repository: the
// checks need no network.
package tools

// KubernetesVersion is the Kubernetes release the manifests are validated
// against: the k8s.io/api version Helm brings, as a Kubernetes version.
const KubernetesVersion = "1.37.2"

// KubernetesSchemaDir is the directory under schemas/ of the Kubernetes
// kinds' schemas.
const KubernetesSchemaDir = "kubernetes-v" + KubernetesVersion

// PrometheusOperatorVersion is the version of the Prometheus operator whose
// CustomResourceDefinitions the ServiceMonitor and the PrometheusRule are
// validated against.
const PrometheusOperatorVersion = "v0.85.0"

// PrometheusOperatorSchemaDir is the directory under schemas/ of the
// Prometheus operator's kinds' schemas.
const PrometheusOperatorSchemaDir = "prometheus-operator-" + PrometheusOperatorVersion
