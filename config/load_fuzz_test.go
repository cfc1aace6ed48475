package config

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// fieldProblem is one line of Validate's error: the path of the field at
// fault, then what is wrong with it.
var fieldProblem = regexp.MustCompile(`^[a-z_]+(\[[0-9]+\])?(\.[a-z_]+(\[[0-9]+\])?)*: \S`)

// FuzzLoad: any YAML file, and any value of one TOKENIM_* variable, either
// fails Load with a config error naming the file or the variable, or
// gives a configuration Validate accepts or refuses with problems that
// each name the field at fault and quote no secret. A file refused for
// its keys or values is explained in words, not Go types. Nothing panics.
func FuzzLoad(f *testing.F) {
	fields := envFields(reflect.ValueOf(&Config{}).Elem(), "", nil)
	// One file, rewritten for each input: a fuzzing process runs one
	// input at a time.
	path := filepath.Join(f.TempDir(), "tokenim.yaml")
	f.Fuzz(func(t *testing.T, yaml []byte, field uint, value string) {
		name := EnvName(fields[field%uint(len(fields))].path)
		env := func(n string) (string, bool) { return value, n == name }
		if err := os.WriteFile(path, yaml, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(path, env)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "config: parse "+path+": ") && !strings.HasPrefix(msg, "config: "+name+" (") {
				t.Fatalf("Load error names neither the file nor %s: %v", name, err)
			}
			for _, goTalk := range []string{"cannot unmarshal", " in type ", "time.Duration", "config."} {
				if strings.Contains(msg, goTalk) {
					t.Fatalf("Load error speaks of Go types (%q): %v", goTalk, err)
				}
			}
			return
		}
		err = cfg.Validate()
		if err == nil {
			return
		}
		var joined interface{ Unwrap() []error }
		if !errors.As(err, &joined) {
			t.Fatalf("Validate did not join its problems: %v", err)
		}
		for _, p := range joined.Unwrap() {
			if !fieldProblem.MatchString(p.Error()) {
				t.Fatalf("problem %q does not start with the path of a field", p)
			}
		}
		// A secret is quoted when it shows in the error only because it
		// is there: with each secret replaced by as many x's, the
		// problems are the same but for the secret.
		plain := scrubbed(cfg)
		plainErr := ""
		if err := plain.Validate(); err != nil {
			plainErr = err.Error()
		}
		for _, s := range secrets(cfg) {
			if len(s) >= 6 && strings.Contains(err.Error(), s) && !strings.Contains(plainErr, s) {
				t.Fatalf("Validate quotes the secret %q:\n%v", s, err)
			}
		}
	})
}

// secrets lists the secrets of cfg: what Validate must never quote.
func secrets(cfg Config) []string {
	list := []string{cfg.Secrets.System, cfg.Mail.SMTP.Password, cfg.Redis.Password, urlPassword(cfg.Database.URL), urlPassword(cfg.Redis.URL)}
	for _, c := range cfg.Clients {
		list = append(list, c.Secret)
	}
	for _, u := range cfg.Users {
		list = append(list, u.Password)
	}
	return list
}

// scrubbed is cfg with every secret replaced by as many x's.
func scrubbed(cfg Config) Config {
	x := func(s string) string { return strings.Repeat("x", utf8.RuneCountInString(s)) }
	cfg.Secrets.System, cfg.Mail.SMTP.Password, cfg.Redis.Password = x(cfg.Secrets.System), x(cfg.Mail.SMTP.Password), x(cfg.Redis.Password)
	for _, u := range []*string{&cfg.Database.URL, &cfg.Redis.URL} {
		if pw := urlPassword(*u); pw != "" {
			*u = strings.ReplaceAll(*u, pw, x(pw))
		}
	}
	cfg.Clients = append([]Client(nil), cfg.Clients...)
	for i := range cfg.Clients {
		cfg.Clients[i].Secret = x(cfg.Clients[i].Secret)
	}
	cfg.Users = append([]User(nil), cfg.Users...)
	for i := range cfg.Users {
		cfg.Users[i].Password = x(cfg.Users[i].Password)
	}
	return cfg
}

func urlPassword(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return ""
	}
	pw, _ := u.User.Password()
	return pw
}
