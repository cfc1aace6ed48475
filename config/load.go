package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// EnvPrefix starts the name of every environment variable Load reads.
const EnvPrefix = "TOKENIM_"

// EnvName returns the environment variable that overrides the field at the
// dotted YAML path: EnvName("database.max_conns") is
// "TOKENIM_DATABASE_MAX_CONNS".
func EnvName(path string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
}

// Load returns Default, overridden by the YAML file at path (skipped when
// path is empty), then by TOKENIM_* variables found with lookupEnv (the
// caller passes os.LookupEnv; a nil lookupEnv reads no variables).
//
// Unknown YAML keys are an error. A file that sets scopes replaces the whole
// default catalogue. Environment variables reach every scalar and []string
// field through nested sections, not the entries of scopes, clients or users;
// a []string is written comma-separated. Load does not validate: apply the
// flags, then call Validate.
func Load(path string, lookupEnv func(string) (string, bool)) (Config, error) {
	cfg := Default()
	if path != "" {
		if err := decodeFile(path, &cfg); err != nil {
			return Config{}, err
		}
	}
	if lookupEnv != nil {
		if err := applyEnv(reflect.ValueOf(&cfg).Elem(), lookupEnv); err != nil {
			return Config{}, err
		}
	}
	return cfg, nil
}

// decodeFile decodes the single YAML document at path over cfg. A file
// yaml.v3 refuses for its keys or values is explained in words: each
// unknown key (with the nearest known one), repeated key and value of the
// wrong type, with its line and YAML path.
func decodeFile(path string, cfg *Config) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	// An empty file (or one holding only comments) is io.EOF: nothing to override.
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return fileError(path, data, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return fmt.Errorf("config: parse %s: more than one YAML document", path)
	case !errors.Is(err, io.EOF):
		return fmt.Errorf("config: parse %s: %w", path, err)
	}
	return nil
}

// maxProblems is the most problems of a file an error lists.
const maxProblems = 20

// fileError is the error for the file at path holding data, which
// yaml.v3 refused with err. yaml.v3 speaks of Go types ("cannot unmarshal
// !!str into time.Duration", "field databse not found in type
// config.Config"); when explain finds what is wrong, its problems are the
// message, and err only when it finds nothing (a syntax error, say).
func fileError(path string, data []byte, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return fmt.Errorf("config: parse %s: %w", path, err)
	}
	var doc yaml.Node
	if yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc) != nil {
		return fmt.Errorf("config: parse %s: %w", path, err)
	}
	problems := explain(&doc, reflect.TypeFor[Config]())
	switch len(problems) {
	case 0:
		return fmt.Errorf("config: parse %s: %w", path, err)
	case 1:
		return fmt.Errorf("config: parse %s: %s", path, problems[0])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "config: parse %s: %d problems:", path, len(problems))
	for _, p := range problems[:min(len(problems), maxProblems)] {
		b.WriteString("\n  " + p.String())
	}
	if n := len(problems) - maxProblems; n > 0 {
		fmt.Fprintf(&b, "\n  and %d more", n)
	}
	return errors.New(b.String())
}

// yamlField is a key of a YAML mapping that yaml.v3 decodes into a struct.
type yamlField struct {
	name  string       // the key
	index []int        // for reflect.Value.FieldByIndex, through inline structs
	typ   reflect.Type // the field's type
}

// yamlFields lists the keys yaml.v3 decodes into the struct type t, in
// field order: the name in the yaml tag, or the field name lower-cased
// (yaml.v3's default); the keys of an inline struct in its place.
// Unexported fields and fields tagged yaml:"-" are not keys. It is the one
// reading of the yaml tags, for the environment variables and for the
// explanation of a refused file.
func yamlFields(t reflect.Type) []yamlField {
	var out []yamlField
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if sf.Type.Kind() == reflect.Struct && hasOption(opts, "inline") {
			for _, f := range yamlFields(sf.Type) {
				f.index = append([]int{i}, f.index...)
				out = append(out, f)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(sf.Name)
		}
		out = append(out, yamlField{name: name, index: []int{i}, typ: sf.Type})
	}
	return out
}

// envField is a field Load may set from the environment.
type envField struct {
	path  string // dotted YAML path, such as "database.max_conns"
	value reflect.Value
}

// applyEnv sets every field of the struct v that has an environment
// variable, and reports every badly formed value.
func applyEnv(v reflect.Value, lookupEnv func(string) (string, bool)) error {
	var errs []error
	for _, f := range envFields(v, "", nil) {
		name := EnvName(f.path)
		raw, ok := lookupEnv(name)
		if !ok {
			continue
		}
		if err := setFromEnv(f.value, raw); err != nil {
			errs = append(errs, fmt.Errorf("config: %s (%s): %w", name, f.path, err))
		}
	}
	return errors.Join(errs...)
}

// envFields lists the fields of the struct v reachable through nested
// structs that are scalars or []string, each with its YAML path. Fields
// tagged yaml:"-", maps and slices of anything but strings are left out.
func envFields(v reflect.Value, prefix string, out []envField) []envField {
	for _, f := range yamlFields(v.Type()) {
		path := joinPath(prefix, f.name)
		fv := v.FieldByIndex(f.index)
		switch k := f.typ.Kind(); {
		case k == reflect.Struct:
			out = envFields(fv, path, out)
		case k == reflect.Slice && f.typ.Elem().Kind() == reflect.String:
			out = append(out, envField{path, fv})
		case isScalar(k):
			out = append(out, envField{path, fv})
		}
	}
	return out
}

func hasOption(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

func isScalar(k reflect.Kind) bool {
	switch k {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// setFromEnv parses raw into v, whose kind envFields accepted. The error
// quotes raw: no field parsed here holds a secret.
func setFromEnv(v reflect.Value, raw string) error {
	if v.Type() == reflect.TypeFor[time.Duration]() {
		d, err := time.ParseDuration(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("not a duration such as \"90s\" or \"15m\": %q", raw)
		}
		v.SetInt(int64(d))
		return nil
	}
	s := strings.TrimSpace(raw)
	switch v.Kind() {
	case reflect.String:
		v.SetString(raw) // kept as given: a secret may end in a space
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("not a boolean (true or false): %q", raw)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if errors.Is(err, strconv.ErrRange) {
			return fmt.Errorf("integer out of range: %q", raw)
		}
		if err != nil {
			return fmt.Errorf("not an integer: %q", raw)
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, v.Type().Bits())
		if errors.Is(err, strconv.ErrRange) {
			return fmt.Errorf("integer out of range: %q", raw)
		}
		if err != nil {
			return fmt.Errorf("not a non-negative integer: %q", raw)
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("not a number: %q", raw)
		}
		v.SetFloat(f)
	case reflect.Slice:
		var list []string
		for item := range strings.SplitSeq(raw, ",") {
			if item = strings.TrimSpace(item); item != "" {
				list = append(list, item)
			}
		}
		v.Set(reflect.ValueOf(list).Convert(v.Type()))
	default:
		return fmt.Errorf("unsupported field type %s", v.Type())
	}
	return nil
}
