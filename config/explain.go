package config

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// problem is one mistake in a configuration file, in words: where it is
// (the line, and the YAML path in msg) and what was expected there.
type problem struct {
	line int
	msg  string
}

func (p problem) String() string {
	if p.line > 0 {
		return fmt.Sprintf("line %d: %s", p.line, p.msg)
	}
	return p.msg
}

// maxExplainVisits bounds the nodes explain visits: aliases can make a
// small document stand for a huge one.
const maxExplainVisits = 100_000

// explain walks the YAML document doc against the type t (Config), the way
// yaml.v3 decodes it, and returns each unknown key, repeated key and value
// of the wrong type, with its line and YAML path. It is called once
// yaml.v3 has refused the document, to say why in words rather than Go
// types; what it does not recognise is left to yaml.v3's own message.
func explain(doc *yaml.Node, t reflect.Type) []problem {
	e := explainer{following: map[*yaml.Node]bool{}}
	e.value(doc, t, "")
	return e.problems
}

type explainer struct {
	problems []problem
	// following are the aliases being followed, against an anchor whose
	// value contains itself.
	following map[*yaml.Node]bool
	visits    int
}

func (e *explainer) add(n *yaml.Node, format string, args ...any) {
	e.problems = append(e.problems, problem{line: n.Line, msg: fmt.Sprintf(format, args...)})
}

// value checks n, found at path, as a value of type t.
func (e *explainer) value(n *yaml.Node, t reflect.Type, path string) {
	if e.visits++; e.visits > maxExplainVisits {
		return
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 1 {
			e.value(n.Content[0], t, path)
		}
		return
	case yaml.AliasNode:
		if n.Alias == nil || e.following[n] {
			return
		}
		e.following[n] = true
		e.value(n.Alias, t, path)
		delete(e.following, n)
		return
	}
	if n.Kind == yaml.ScalarNode || decodesItself(t) {
		// A scalar, or a type with its own decoding: let yaml.v3 decide,
		// with its own rules (which words are booleans, that a duration
		// needs a unit, ...), and only put the refusal in words.
		if n.Decode(reflect.New(t).Interface()) != nil {
			e.add(n, "%s must be %s, not %s", pathOrTop(path), describe(t, n), found(n, t))
		}
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		e.mapping(n, t, path, nil)
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Map:
		e.mapping(n, t, path, nil)
	case n.Kind == yaml.SequenceNode && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		for i, item := range n.Content {
			e.value(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case t.Kind() == reflect.Interface:
	default:
		e.add(n, "%s must be %s, not %s", pathOrTop(path), describe(t, n), found(n, t))
	}
}

// mapping checks the keys and values of the mapping n, decoded into t (a
// struct or a map). merged, when n is merged into another mapping with
// "<<", holds the keys already set, which n does not override.
func (e *explainer) mapping(n *yaml.Node, t reflect.Type, path string, merged map[string]bool) {
	var fields []yamlField
	if t.Kind() == reflect.Struct {
		fields = yamlFields(t)
	}
	first := map[string]int{} // line of each key's first occurrence
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isMergeKey(k) {
			merges = append(merges, v)
			continue
		}
		name, ok := e.key(k, t, path)
		if !ok {
			continue
		}
		if line, dup := first[name]; dup {
			e.add(k, "key %q appears twice %s (first on line %d)", name, where(path), line)
			continue
		}
		first[name] = k.Line
		if merged != nil {
			if merged[name] {
				continue
			}
			merged[name] = true
		}
		if t.Kind() == reflect.Map {
			e.value(v, t.Elem(), joinPath(path, name))
			continue
		}
		f, known := fieldNamed(fields, name)
		switch {
		case !known && notFromFile(t, name):
			e.add(k, "key %q %s is not read from the file", name, where(path))
			continue
		case !known:
			e.add(k, "unknown key %q %s; %s", name, where(path), suggest(name, fields))
			continue
		}
		e.value(v, f.typ, joinPath(path, name))
	}
	if len(merges) == 0 {
		return
	}
	if merged == nil {
		merged = map[string]bool{}
		for name := range first {
			merged[name] = true
		}
	}
	for _, m := range merges {
		e.merge(m, t, path, merged)
	}
}

// merge checks the value of a "<<" key: a mapping, or a list of mappings,
// whose keys are merged into the mapping at path.
func (e *explainer) merge(m *yaml.Node, t reflect.Type, path string, merged map[string]bool) {
	var sources []*yaml.Node
	if m.Kind == yaml.SequenceNode {
		sources = m.Content
	} else {
		sources = []*yaml.Node{m}
	}
	for _, s := range sources {
		src := s
		if s.Kind == yaml.AliasNode && s.Alias != nil {
			if e.following[s] {
				continue
			}
			src = s.Alias
		}
		if src.Kind != yaml.MappingNode {
			e.add(s, "the merge key << %s takes a mapping or a list of mappings", where(path))
			continue
		}
		e.following[s] = true
		e.mapping(src, t, path, merged)
		delete(e.following, s)
	}
}

// key decodes the key k of a mapping decoded into t. A key yaml.v3 skips
// (null) gives false, as does a key that is not a scalar, which is
// reported.
func (e *explainer) key(k *yaml.Node, t reflect.Type, path string) (string, bool) {
	r := k
	if r.Kind == yaml.AliasNode && r.Alias != nil {
		r = r.Alias
	}
	if r.Kind == yaml.ScalarNode && r.ShortTag() == "!!null" {
		return "", false
	}
	kt := reflect.TypeFor[string]()
	if t.Kind() == reflect.Map {
		kt = t.Key()
	}
	kv := reflect.New(kt)
	if r.Kind != yaml.ScalarNode || k.Decode(kv.Interface()) != nil {
		e.add(k, "a key %s must be %s, not %s", where(path), describe(kt, r), found(r, kt))
		return "", false
	}
	if s, ok := kv.Elem().Interface().(string); ok {
		return s, true
	}
	return r.Value, true
}

// isMergeKey is yaml.v3's test for the merge key "<<".
func isMergeKey(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Value == "<<" && (n.Tag == "" || n.Tag == "!" || n.ShortTag() == "!!merge")
}

// decodesItself reports whether values of t decode themselves, so that
// only yaml.v3 can say what they accept.
func decodesItself(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return p.Implements(reflect.TypeFor[yaml.Unmarshaler]()) || p.Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
}

func fieldNamed(fields []yamlField, name string) (yamlField, bool) {
	for _, f := range fields {
		if f.name == name {
			return f, true
		}
	}
	return yamlField{}, false
}

// notFromFile reports whether name is a field of the struct type t that
// is tagged yaml:"-" (Config.Dev), so set otherwise than from the file.
func notFromFile(t reflect.Type, name string) bool {
	for i := range t.NumField() {
		if sf := t.Field(i); sf.Tag.Get("yaml") == "-" && strings.ToLower(sf.Name) == name {
			return true
		}
	}
	return false
}

// suggest names the known key nearest to name, when one is near enough to
// be a misspelling, or else lists the known keys.
func suggest(name string, fields []yamlField) string {
	best, bestDist := "", math.MaxInt
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
		if d := editDistance(name, f.name); d < bestDist {
			best, bestDist = f.name, d
		}
	}
	if best != "" && (bestDist <= 1 || bestDist <= utf8.RuneCountInString(name)/3) {
		return fmt.Sprintf("did you mean %q?", best)
	}
	return "the keys there are " + strings.Join(names, ", ")
}

// editDistance is the optimal string alignment distance between a and b:
// the fewest insertions, deletions, substitutions and swaps of adjacent
// characters that turn one into the other, so that "ulr" is one edit from
// "url".
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	// d[i][j] is the distance between x[:i] and y[:j].
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}

// describe says in words what a value of type t is; n, the value found,
// refines it (the range of a number that is too large).
func describe(t reflect.Type, n *yaml.Node) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[time.Duration]() {
		return "a duration such as 15m (a number with a unit: ms, s, m or h)"
	}
	if decodesItself(t) {
		return "a value of the right form"
	}
	numeric := n != nil && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float")
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if numeric {
			largest := int64(math.MaxInt64 >> (64 - t.Bits()))
			return fmt.Sprintf("a whole number from %d to %d", -largest-1, largest)
		}
		return "a number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if numeric {
			return fmt.Sprintf("a whole number from 0 to %d", uint64(math.MaxUint64>>(64-t.Bits())))
		}
		return "a number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Struct:
		return "a mapping with keys such as " + someKeys(t)
	case reflect.Map:
		return "a mapping of names to " + plural(t.Elem())
	case reflect.Slice, reflect.Array:
		if e := t.Elem(); e.Kind() == reflect.Struct {
			return "a list of mappings, each with keys such as " + someKeys(e)
		}
		return "a list of " + plural(t.Elem())
	}
	return "another kind of value"
}

// plural says in words what many values of type t are.
func plural(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[time.Duration]() {
		return "durations"
	}
	switch t.Kind() {
	case reflect.String:
		return "strings"
	case reflect.Bool:
		return "true or false values"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return "numbers"
	case reflect.Slice, reflect.Array:
		return "lists"
	}
	return "mappings"
}

// someKeys lists the first keys of the struct type t.
func someKeys(t reflect.Type) string {
	fields := yamlFields(t)
	var names []string
	for _, f := range fields[:min(3, len(fields))] {
		names = append(names, f.name)
	}
	return strings.Join(names, ", ")
}

// found says what n is. A scalar is quoted only where a scalar other than
// a string was expected: a value put where a string list or a section
// belongs may be a secret (secrets.system_previous: a-secret).
func found(n *yaml.Node, t reflect.Type) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if !isScalar(t.Kind()) || t.Kind() == reflect.String {
		return "a single value"
	}
	v := n.Value
	if utf8.RuneCountInString(v) > 40 {
		v = string([]rune(v)[:40]) + "…"
	}
	return strconv.Quote(v)
}

// where says where a key is, for a message: "at the top level" or "in
// lifespans".
func where(path string) string {
	if path == "" {
		return "at the top level"
	}
	return "in " + path
}

func pathOrTop(path string) string {
	if path == "" {
		return "the file"
	}
	return path
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
