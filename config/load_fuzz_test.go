package config

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
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

// FuzzRedirectURIProblem: a redirect URI passes only when it is an
// absolute URL without a fragment and without a scheme that runs code or
// reads files; a confidential client's, or any back-channel logout URI,
// only when it is https (http on a loopback host or in dev mode) with a
// host and no user information. What passes for a confidential client
// passes for a public one, and what passes outside dev mode passes in it.
// A refusal quotes the URI.
func FuzzRedirectURIProblem(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string, public, dev bool) {
		problem := RedirectURIProblem(raw, public, dev)
		if problem != "" {
			if !strings.Contains(problem, "not a URL") && !strings.HasSuffix(problem, ": "+strconv.Quote(raw)) {
				t.Fatalf("RedirectURIProblem(%q) = %q: does not quote the URI", raw, problem)
			}
			return
		}
		u, err := url.Parse(raw)
		switch {
		case err != nil:
			t.Fatalf("%q passed but does not parse: %v", raw, err)
		case u.Scheme == "" || strings.Contains(raw, "#"):
			t.Fatalf("%q passed without a scheme or with a fragment", raw)
		case u.Scheme == "javascript" || u.Scheme == "data" || u.Scheme == "vbscript" || u.Scheme == "file":
			t.Fatalf("%q passed with scheme %s", raw, u.Scheme)
		case (!public || u.Scheme == "http" || u.Scheme == "https") && (u.Host == "" || u.User != nil || u.Opaque != ""):
			t.Fatalf("%q passed without a host or with user information", raw)
		case !public && u.Scheme != "https" && u.Scheme != "http":
			t.Fatalf("%q passed for a confidential client with scheme %s", raw, u.Scheme)
		case u.Scheme == "http" && !dev && !isLoopback(u.Hostname()):
			t.Fatalf("%q passed with http on a host that is not loopback", raw)
		}
		if p := RedirectURIProblem(raw, true, dev); p != "" {
			t.Fatalf("%q passes for a confidential client but not for a public one: %s", raw, p)
		}
		if p := RedirectURIProblem(raw, public, true); p != "" {
			t.Fatalf("%q passes outside dev mode but not in it: %s", raw, p)
		}
		if p := BackchannelLogoutURIProblem(raw, dev); (p == "") != (RedirectURIProblem(raw, false, dev) == "") {
			t.Fatalf("%q: back-channel logout URI problem %q differs from a confidential redirect URI's", raw, p)
		}
	})
}
