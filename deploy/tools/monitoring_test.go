package tools_test

import (
	"bufio"
	"encoding/json"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"
)

const (
	alertsPath     = "../prometheus/alerts.yaml"
	dashboardsGlob = "../grafana/*.json"
	// metricsPath lists the series the provider exports, written from a
	// running provider by cmd/tokenim-auth TestMetricNames.
	metricsPath    = "../prometheus/metrics.txt"
	operationsPath = "../../docs/operations.md"
	runbookBase    = "https://github.com/tokenim/tokenim-auth/blob/main/docs/operations.md#"
)

// external are the series the alerts and dashboards query that other
// exporters make, by who makes them.
var external = map[string]string{
	"up":                        "Prometheus, for each scrape target",
	"kube_job_status_failed":    "kube-state-metrics",
	"kube_job_status_succeeded": "kube-state-metrics",
}

func newParser() parser.Parser {
	return parser.NewParser(parser.Options{})
}

func loadRules(t *testing.T) *rulefmt.RuleGroups {
	t.Helper()
	groups, errs := rulefmt.ParseFile(alertsPath, false, model.UTF8Validation, newParser(), slog.New(slog.DiscardHandler))
	for _, err := range errs {
		t.Error(err)
	}
	if len(errs) > 0 {
		t.FailNow()
	}
	return groups
}

func TestAlertRules(t *testing.T) {
	groups := loadRules(t)
	anchors := headingAnchors(t, operationsPath)
	n := 0
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			n++
			t.Run(r.Alert, func(t *testing.T) {
				if s := r.Labels["severity"]; s != "critical" && s != "warning" {
					t.Errorf("severity %q, want critical or warning", s)
				}
				for _, a := range []string{"summary", "description"} {
					if strings.TrimSpace(r.Annotations[a]) == "" {
						t.Errorf("no %s", a)
					}
				}
				anchor, ok := strings.CutPrefix(r.Annotations["runbook_url"], runbookBase)
				if !ok {
					t.Fatalf("runbook_url %q is not a section of docs/operations.md", r.Annotations["runbook_url"])
				}
				if anchor != strings.ToLower(r.Alert) {
					t.Errorf("runbook_url anchor %q, want the alert's own section %q", anchor, strings.ToLower(r.Alert))
				}
				if !anchors[anchor] {
					t.Errorf("docs/operations.md has no section #%s", anchor)
				}
			})
		}
	}
	if n == 0 {
		t.Fatal("no alert in " + alertsPath)
	}
}

// headingAnchors lists the anchors GitHub gives the headings of a Markdown
// file: lower case, spaces to hyphens, punctuation dropped.
func headingAnchors(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	drop := regexp.MustCompile(`[^\p{L}\p{N} _-]`)
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "#") {
			continue
		}
		h := strings.TrimSpace(strings.TrimLeft(line, "#"))
		out[strings.ReplaceAll(drop.ReplaceAllString(strings.ToLower(h), ""), " ", "-")] = true
	}
	return out
}

func TestAlertRulesAreAPrometheusRule(t *testing.T) {
	b, err := os.ReadFile(alertsPath)
	if err != nil {
		t.Fatal(err)
	}
	var spec map[string]any
	if err := yaml.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	rule, err := yaml.Marshal(map[string]any{
		"apiVersion": "monitoring.coreos.com/v1",
		"kind":       "PrometheusRule",
		"metadata":   map[string]any{"name": "tokenim-auth"},
		"spec":       spec,
	})
	if err != nil {
		t.Fatal(err)
	}
	validate(t, newValidator(t), alertsPath, string(rule))
}

// queries are the PromQL expressions of a file, by where they are.
type query struct{ where, expr string }

func alertQueries(t *testing.T) []query {
	t.Helper()
	var out []query
	for _, g := range loadRules(t).Groups {
		for _, r := range g.Rules {
			out = append(out, query{alertsPath + " " + r.Alert + r.Record, r.Expr})
		}
	}
	return out
}

// dashboardQueries returns every "expr" in a Grafana dashboard (panel
// targets, in rows or not) and the metric of each label_values() variable
// query, with Grafana's variables replaced by values PromQL parses.
func dashboardQueries(t *testing.T, path string) []query {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	variable := regexp.MustCompile(`\$\{?(\w+)\}?`)
	labelValues := regexp.MustCompile(`^label_values\((.+),\s*\w+\)$`)
	var out []query
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if title, ok := v["title"].(string); ok {
				where = path + " " + title
			}
			for k, e := range v {
				s, isString := e.(string)
				switch {
				case k == "expr" && isString:
					out = append(out, query{where, variable.ReplaceAllStringFunc(s, grafanaValue)})
				case k == "query" && isString && labelValues.MatchString(s):
					out = append(out, query{where + " variable", labelValues.FindStringSubmatch(s)[1]})
				default:
					walk(where, e)
				}
			}
		case []any:
			for _, e := range v {
				walk(where, e)
			}
		}
	}
	walk(path, doc)
	if len(out) == 0 {
		t.Fatalf("%s: no query", path)
	}
	return out
}

// grafanaValue stands for a Grafana variable in a query: an interval for
// the interval variables, a label value otherwise.
func grafanaValue(v string) string {
	if strings.Contains(v, "interval") {
		return "5m"
	}
	return "x"
}

// metricNames lists the metrics a PromQL expression selects.
func metricNames(expr parser.Expr) []string {
	var out []string
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		name := vs.Name
		for _, m := range vs.LabelMatchers {
			if m.Name == model.MetricNameLabel && m.Type == labels.MatchEqual {
				name = m.Value
			}
		}
		out = append(out, name)
		return nil
	})
	return out
}

// exported reads the series the provider exports.
func exported(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(metricsPath)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for line := range strings.Lines(string(b)) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out[line] = true
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s lists no metric", metricsPath)
	}
	return out
}

func TestQueriedMetricsExist(t *testing.T) {
	known := exported(t)
	queries := alertQueries(t)
	dashboards, err := filepath.Glob(dashboardsGlob)
	if err != nil || len(dashboards) == 0 {
		t.Fatalf("no dashboard at %s: %v", dashboardsGlob, err)
	}
	for _, d := range dashboards {
		queries = append(queries, dashboardQueries(t, d)...)
	}
	p := newParser()
	used := map[string]bool{}
	for _, q := range queries {
		expr, err := p.ParseExpr(q.expr)
		if err != nil {
			t.Errorf("%s: %q does not parse: %v", q.where, q.expr, err)
			continue
		}
		names := metricNames(expr)
		if len(names) == 0 {
			t.Errorf("%s: %q selects no metric", q.where, q.expr)
		}
		for _, name := range names {
			used[name] = true
			if !known[name] && external[name] == "" {
				t.Errorf("%s: %s is not a metric the provider exports (%s) nor a known one of another exporter", q.where, name, metricsPath)
			}
		}
	}
	for name, from := range external {
		if known[name] {
			t.Errorf("%s is listed as made by %s, but the provider exports it", name, from)
		}
		if !used[name] {
			t.Errorf("%s (%s) is listed but no query uses it", name, from)
		}
	}
	if t.Failed() {
		return
	}
	names := slices.Sorted(maps.Keys(used))
	t.Logf("%d queries, %d metrics: %v", len(queries), len(names), names)
}
