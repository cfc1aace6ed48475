package main

import (
	"encoding/json"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/tokenim/tokenim-auth/config"
)

// composeFile is the part of compose.yaml the tests read.
type composeFile struct {
	Services map[string]struct {
		Image       string   `yaml:"image"`
		Command     []string `yaml:"command"`
		Profiles    []string `yaml:"profiles"`
		Healthcheck *struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
		DependsOn map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Environment map[string]string `yaml:"environment"`
	} `yaml:"services"`
}

// dockerfile is the Dockerfile's instructions, continuation lines joined,
// by keyword.
func dockerfile(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`\\\n\s*`).ReplaceAllString(string(b), "")
	out := map[string][]string{}
	for _, line := range strings.Split(text, "\n") {
		if keyword, rest, ok := strings.Cut(strings.TrimSpace(line), " "); ok && !strings.HasPrefix(keyword, "#") {
			out[keyword] = append(out[keyword], rest)
		}
	}
	return out
}

// execForm decodes an instruction's JSON (exec) form.
func execForm(t *testing.T, s string) []string {
	t.Helper()
	var args []string
	if err := json.Unmarshal([]byte(s), &args); err != nil {
		t.Fatalf("%q is not in exec form: %v", s, err)
	}
	return args
}

// TestComposeHealthcheck checks compose.yaml, without a Docker engine:
// the provider's health check runs the image's binary with a command this
// binary takes, as the Dockerfile's does, and asks the port it serves on;
// whatever depends on another service waits until that one is healthy;
// the one-shot service creating the first administrator runs a valid
// command once the provider is healthy.
func TestComposeHealthcheck(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var compose composeFile
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	docker := dockerfile(t)
	if len(docker["ENTRYPOINT"]) != 1 || len(docker["HEALTHCHECK"]) != 1 || len(docker["CMD"]) != 1 {
		t.Fatalf("the Dockerfile's final stage wants one ENTRYPOINT, HEALTHCHECK and CMD: %v", docker)
	}
	binary := execForm(t, docker["ENTRYPOINT"][0])[0]
	serveArgs := execForm(t, docker["CMD"][0])

	provider, ok := compose.Services["tokenim-auth"]
	if !ok || provider.Healthcheck == nil {
		t.Fatal("compose.yaml: the tokenim-auth service has no healthcheck")
	}
	test := provider.Healthcheck.Test
	if len(test) < 3 || test[0] != "CMD" || test[1] != binary || test[2] != "healthcheck" {
		t.Fatalf("compose.yaml: healthcheck test %q, want [CMD %s healthcheck ...]: the image has no shell", test, binary)
	}
	_, imageCheck, _ := strings.Cut(docker["HEALTHCHECK"][0], "CMD ")
	if got := execForm(t, imageCheck); !slices.Equal(got, test[1:]) {
		t.Errorf("the Dockerfile's HEALTHCHECK runs %q, compose.yaml's %q", got, test[1:])
	}

	t.Run("the health check is a command this binary takes", func(t *testing.T) {
		t.Parallel()
		if r := runCmd(t, nil, "", append(slices.Clone(test[2:]), "--help")...); r.code != 0 {
			t.Fatalf("%q: exit %d, stderr %q", test[2:], r.code, r.stderr)
		}
	})

	t.Run("the health check asks the port serve listens on", func(t *testing.T) {
		t.Parallel()
		// The configuration the image carries, at the path it is copied to.
		var configPath string
		for _, c := range docker["COPY"] {
			if src, dst, ok := strings.Cut(c, " "); ok && src == "config/container.yaml" {
				configPath = dst
			}
		}
		if i := slices.Index(test, "--config"); i < 0 || i+1 == len(test) || test[i+1] != configPath {
			t.Fatalf("healthcheck %q does not read the image's configuration %s", test, configPath)
		}
		cfg, err := config.Load("../../config/container.yaml", lookupIn(provider.Environment))
		if err != nil {
			t.Fatal(err)
		}
		ready, err := readyURL(cfg.Listen)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(ready)
		i := slices.Index(serveArgs, "--listen")
		if i < 0 || i+1 == len(serveArgs) {
			t.Fatalf("the image's serve %q sets no --listen", serveArgs)
		}
		if _, port, _ := net.SplitHostPort(serveArgs[i+1]); port != u.Port() {
			t.Fatalf("healthcheck asks %s, serve listens on %s", ready, serveArgs[i+1])
		}
	})

	t.Run("dependents wait until what they depend on is healthy", func(t *testing.T) {
		t.Parallel()
		dependents := 0
		for name, s := range compose.Services {
			for dep, d := range s.DependsOn {
				if d.Condition != "service_healthy" {
					t.Errorf("%s depends on %s with condition %q, want service_healthy", name, dep, d.Condition)
				}
				if target, ok := compose.Services[dep]; !ok || target.Healthcheck == nil {
					t.Errorf("%s depends on %s, which has no healthcheck", name, dep)
				}
				if dep == "tokenim-auth" {
					dependents++
				}
			}
		}
		if dependents == 0 {
			t.Error("no service waits for the provider")
		}
	})

	t.Run("a one-shot service creates the first administrator", func(t *testing.T) {
		t.Parallel()
		admin, ok := compose.Services["create-admin"]
		if !ok {
			t.Fatal("compose.yaml has no create-admin service")
		}
		cmd := admin.Command
		if len(cmd) < 2 || cmd[0] != "users" || cmd[1] != "create" || !slices.Contains(cmd, "--password-stdin") ||
			!slices.Contains(cmd, "admin") || admin.DependsOn["tokenim-auth"].Condition != "service_healthy" || len(admin.Profiles) == 0 {
			t.Fatalf("create-admin: command %q, depends on %v, profiles %q", cmd, admin.DependsOn, admin.Profiles)
		}
		for _, v := range []string{"TOKENIM_DATABASE_URL", "TOKENIM_SECRETS_SYSTEM"} {
			if admin.Environment[v] == "" || admin.Environment[v] != provider.Environment[v] {
				t.Errorf("create-admin has %s %q, the provider %q", v, admin.Environment[v], provider.Environment[v])
			}
		}
		if admin.Image != provider.Image {
			t.Errorf("create-admin runs image %q, the provider %q", admin.Image, provider.Image)
		}
		if r := runCmd(t, nil, "", append(slices.Clone(cmd), "--help")...); r.code != 0 {
			t.Fatalf("%q: exit %d, stderr %q", cmd, r.code, r.stderr)
		}
	})
}
