// Package routetest checks the routes a package's doc comment lists
// against the routes its Mount registers, for the packages' tests.
//
// A package lists its routes in its doc comment as a code block right
// after a paragraph ending in "Routes:" (or "routes:"), one route a line:
//
//	METHOD[,METHOD...] /path   what it is
//	/path                      what it is, for any method
//
// Each METHOD /path is a net/http.ServeMux pattern; a path alone is the
// pattern without a method. Lines starting with a space or tab continue the
// description of the line before.
package routetest

import (
	"fmt"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/session"
)

// Mux is what the packages' Mount takes (the same alias as theirs).
type Mux = interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}

// Recorder is a Mux that records the patterns registered on it, and
// registers them on an http.ServeMux too, so that a pattern ServeMux
// refuses panics as it would in production.
type Recorder struct {
	mux      http.ServeMux
	patterns []string
}

// Handle records pattern.
func (m *Recorder) Handle(pattern string, h http.Handler) {
	m.mux.Handle(pattern, h)
	m.patterns = append(m.patterns, pattern)
}

// HandleFunc records pattern.
func (m *Recorder) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.mux.HandleFunc(pattern, h)
	m.patterns = append(m.patterns, pattern)
}

// Patterns returns the patterns registered, sorted.
func (m *Recorder) Patterns() []string {
	return slices.Sorted(slices.Values(m.patterns))
}

var methods = regexp.MustCompile(`^[A-Z]+(,[A-Z]+)*$`)

// Documented returns the route patterns listed in the doc comment of the
// Go file at path, sorted.
func Documented(path string) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		return nil, fmt.Errorf("read the package comment: %w", err)
	}
	if f.Doc == nil {
		return nil, fmt.Errorf("%s has no package comment", path)
	}
	var p comment.Parser
	blocks := p.Parse(f.Doc.Text()).Content
	var routes []string
	for i, b := range blocks {
		code, ok := b.(*comment.Code)
		if !ok || i == 0 || !endsInRoutes(blocks[i-1]) {
			continue
		}
		for line := range strings.Lines(code.Text) {
			if strings.TrimSpace(line) == "" || strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
				continue
			}
			fields := strings.Fields(line)
			if !strings.HasPrefix(fields[0], "/") {
				if !methods.MatchString(fields[0]) || len(fields) < 2 || !strings.HasPrefix(fields[1], "/") {
					return nil, fmt.Errorf("%s: route line %q is not METHOD[,METHOD...] /path or /path", path, strings.TrimSpace(line))
				}
				for m := range strings.SplitSeq(fields[0], ",") {
					routes = append(routes, m+" "+fields[1])
				}
				continue
			}
			routes = append(routes, fields[0])
		}
	}
	if len(routes) == 0 {
		return nil, fmt.Errorf("%s lists no routes (a code block after a paragraph ending in \"Routes:\")", path)
	}
	slices.Sort(routes)
	return routes, nil
}

// endsInRoutes reports whether b is a paragraph whose text ends in
// "routes:", in any case.
func endsInRoutes(b comment.Block) bool {
	p, ok := b.(*comment.Paragraph)
	if !ok || len(p.Text) == 0 {
		return false
	}
	plain, ok := p.Text[len(p.Text)-1].(comment.Plain)
	return ok && strings.HasSuffix(strings.ToLower(string(plain)), "routes:")
}

// Check mounts routes with mount on a Recorder and fails t unless they are
// the routes doc.go, in the test's directory, lists: a route mounted but
// not listed, or listed but not mounted, is an error.
func Check(t testing.TB, mount func(Mux)) {
	t.Helper()
	listed, err := Documented("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var m Recorder
	mount(&m)
	mounted := m.Patterns()
	for _, r := range mounted {
		if !slices.Contains(listed, r) {
			t.Errorf("route %q is mounted but doc.go does not list it", r)
		}
	}
	for _, r := range listed {
		if !slices.Contains(mounted, r) {
			t.Errorf("doc.go lists route %q, which is not mounted", r)
		}
	}
}

// Sessions is a session manager for the handlers whose Mount wraps pages
// in its CSRF protection.
func Sessions(t testing.TB) *session.Manager {
	t.Helper()
	m, err := session.New(session.Config{Issuer: "http://127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
