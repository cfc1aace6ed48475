package main

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// commandTree is every command of tokenim-auth, help and completion too,
// each by its path below the root ("clients create").
func commandTree(t *testing.T) map[string]*cobra.Command {
	t.Helper()
	root := newRoot(env{stdout: new(strings.Builder), stderr: new(strings.Builder)})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	tree := map[string]*cobra.Command{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if !sub.IsAvailableCommand() && sub.Name() != "help" {
				continue
			}
			tree[strings.TrimPrefix(sub.CommandPath(), "tokenim-auth ")] = sub
			walk(sub)
		}
	}
	walk(root)
	return tree
}

func TestHelp(t *testing.T) {
	t.Parallel()
	tree := commandTree(t)
	for _, want := range []string{"serve", "migrate", "healthcheck", "janitor", "clients create", "clients secrets rotate",
		"users create", "keys rotate", "secrets reseal", "grants revoke", "audit export", "version", "completion bash", "help"} {
		if tree[want] == nil {
			t.Fatalf("no command %q in %v", want, slices.Sorted(func(yield func(string) bool) {
				for k := range tree {
					if !yield(k) {
						return
					}
				}
			}))
		}
	}

	t.Run("the top-level help lists every command with its summary", func(t *testing.T) {
		t.Parallel()
		for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
			r := runCmd(t, nil, "", args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("%v: exit %d, stderr %q", args, r.code, r.stderr)
			}
			for path, c := range tree {
				if c.HasParent() && c.Parent().HasParent() {
					continue
				}
				if c.Short == "" || !strings.Contains(r.stdout, "  "+pad(path, c)+c.Short+"\n") {
					t.Errorf("%v does not list %q with its summary %q:\n%s", args, path, c.Short, r.stdout)
				}
			}
		}
	})

	// Every command, at every level, answers --help, -h and help PATH
	// with its own help on stdout, exiting 0.
	for path, c := range tree {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			words := strings.Fields(path)
			for _, args := range [][]string{append(slices.Clone(words), "--help"), append(slices.Clone(words), "-h"), append([]string{"help"}, words...)} {
				r := runCmd(t, nil, "", args...)
				if r.code != 0 || r.stderr != "" {
					t.Fatalf("%v: exit %d, stderr %q", args, r.code, r.stderr)
				}
				if !strings.Contains(r.stdout, "Usage:\n  "+c.UseLine()) {
					t.Fatalf("%v does not print the usage line %q:\n%s", args, c.UseLine(), r.stdout)
				}
			}
		})
	}
}

// pad is the name of c padded as the help lists it.
func pad(name string, c *cobra.Command) string {
	return name + strings.Repeat(" ", max(c.NamePadding()-len(name)+1, 1))
}

func TestCommandLineMistakes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string // the whole of stderr
	}{
		{"an unknown command names the nearest", []string{"srve"},
			"tokenim-auth: unknown command \"srve\"; did you mean \"serve\"? See 'tokenim-auth --help'.\n"},
		{"an unknown command far from any", []string{"frobnicate"},
			"tokenim-auth: unknown command \"frobnicate\". See 'tokenim-auth --help'.\n"},
		{"an unknown subcommand names the nearest", []string{"clients", "creat"},
			"tokenim-auth clients: unknown subcommand \"creat\"; did you mean \"create\"?; usage: tokenim-auth clients create|delete|list|registration-token|secrets [flags]. See 'tokenim-auth clients --help'.\n"},
		{"a missing subcommand", []string{"audit"},
			"tokenim-auth audit: missing subcommand; usage: tokenim-auth audit export|verify [flags]. See 'tokenim-auth audit --help'.\n"},
		{"completion without a shell", []string{"completion"},
			"tokenim-auth completion: missing subcommand; usage: tokenim-auth completion bash|fish|powershell|zsh [flags]. See 'tokenim-auth completion --help'.\n"},
		{"help on an unknown command", []string{"help", "srve"},
			"tokenim-auth help: unknown command \"srve\"; did you mean \"serve\"? See 'tokenim-auth --help'.\n"},
		{"help on an unknown subcommand", []string{"help", "users", "delete"},
			"tokenim-auth help: unknown subcommand \"delete\"; usage: tokenim-auth users create|list|reset-mfa|set-role [flags]. See 'tokenim-auth users --help'.\n"},
		{"an unknown flag", []string{"users", "list", "--frob"},
			"tokenim-auth users list: flag provided but not defined: -frob. See 'tokenim-auth users list --help'.\n"},
		{"an unknown flag with a value", []string{"serve", "--frob=1"},
			"tokenim-auth serve: flag provided but not defined: -frob. See 'tokenim-auth serve --help'.\n"},
		{"an unknown long flag with one dash", []string{"migrate", "-frob", "x.yaml"},
			"tokenim-auth migrate: flag provided but not defined: -frob. See 'tokenim-auth migrate --help'.\n"},
		{"a flag without its value", []string{"serve", "--listen"},
			"tokenim-auth serve: flag needs an argument: --listen. See 'tokenim-auth serve --help'.\n"},
		{"a bad flag value", []string{"clients", "secrets", "rotate", "--grace", "soon", "app"},
			"tokenim-auth clients secrets rotate: invalid argument \"soon\" for \"--grace\" flag: time: invalid duration \"soon\". See 'tokenim-auth clients secrets rotate --help'.\n"},
		{"a missing argument is named", []string{"clients", "secrets", "revoke", "app"},
			"tokenim-auth clients secrets revoke: missing argument SECRET_ID; usage: tokenim-auth clients secrets revoke CLIENT_ID SECRET_ID [flags]. See 'tokenim-auth clients secrets revoke --help'.\n"},
		{"version takes text or json", []string{"version", "--output", "yaml"},
			"tokenim-auth version: --output: want text or json, not \"yaml\"\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCmd(t, nil, "", tc.args...)
			if r.code != 2 || r.stderr != tc.stderr || r.stdout != "" {
				t.Fatalf("exit %d, stdout %q\nstderr %q\nwant exit 2, stderr %q", r.code, r.stdout, r.stderr, tc.stderr)
			}
		})
	}

	// A value meant for a flag that lost its flag (--scope a b) must not
	// be dropped silently: every command refuses an argument too many
	// before it does anything.
	for path, c := range commandTree(t) {
		if !c.Runnable() || c.HasSubCommands() || path == "help" {
			continue
		}
		t.Run(path+" refuses a stray argument", func(t *testing.T) {
			t.Parallel()
			words := strings.Fields(path)
			for range len(strings.Fields(c.Use)) {
				words = append(words, "stray")
			}
			r := runCmd(t, nil, "", words...)
			if r.code != 2 || !strings.Contains(r.stderr, `unexpected argument "stray"`) {
				t.Fatalf("%v: exit %d, stderr %q", words, r.code, r.stderr)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	// A test binary records no module version and no commit.
	want := "tokenim-auth devel (commit unknown, " + runtime.Version() + ")\n"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := runCmd(t, nil, "", args...)
		if r.code != 0 || r.stdout != want || r.stderr != "" {
			t.Fatalf("%v: exit %d, stdout %q, stderr %q; want %q", args, r.code, r.stdout, r.stderr, want)
		}
	}
	r := runCmd(t, nil, "", "version", "--output", "json")
	var v map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || r.code != 0 {
		t.Fatalf("exit %d, %v: %q", r.code, err, r.stdout)
	}
	if v["version"] != "devel" || v["commit"] != "unknown" || v["modified"] != false || v["go"] != runtime.Version() {
		t.Fatalf("version --output json: %s", r.stdout)
	}

	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		want binaryVersion
	}{
		{"a tagged build from a changed tree", &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "v1.4.0"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "true"}}},
			binaryVersion{Version: "v1.4.0", Commit: "0123abcd", Modified: true, Go: "go1.26.1"}},
		{"a build of a work tree", &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "false"}}},
			binaryVersion{Version: "devel", Commit: "0123abcd", Go: "go1.26.1"}},
		{"no build information", nil, binaryVersion{Version: "devel", Commit: "unknown", Go: "unknown"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := versionOf(tc.bi, tc.bi != nil); got != tc.want {
				t.Fatalf("versionOf = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCompletion(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			t.Parallel()
			r := runCmd(t, nil, "", "completion", shell)
			if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "tokenim-auth") || !strings.Contains(r.stdout, "__complete") {
				t.Fatalf("exit %d, stderr %q, script of %d bytes:\n%.300s", r.code, r.stderr, len(r.stdout), r.stdout)
			}
			sh, err := exec.LookPath(shell)
			if err != nil {
				if shell == "bash" {
					t.Fatal("no bash to check the script with")
				}
				t.Skipf("no %s here to check the script's syntax", shell)
			}
			script := filepath.Join(t.TempDir(), "tokenim-auth."+shell)
			if err := os.WriteFile(script, []byte(r.stdout), 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.CommandContext(t.Context(), sh, "-n", script).CombinedOutput(); err != nil {
				t.Fatalf("%s -n refuses the script: %v\n%s", shell, err, out)
			}
		})
	}

	// The scripts call the binary back to complete a word.
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "cli"}, []string{"clients"}},
		{[]string{"__complete", "clients", "secrets", ""}, []string{"list", "revoke", "rotate"}},
		{[]string{"__complete", "clients", "create", "--type", ""}, []string{"confidential", "public", "resource_server"}},
		{[]string{"__complete", "users", "list", "--output", ""}, []string{"json", "text"}},
		{[]string{"__complete", "help", "us"}, []string{"users"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			r := runCmd(t, nil, "", tc.args...)
			var got []string
			for _, line := range strings.Split(r.stdout, "\n") {
				if line != "" && !strings.HasPrefix(line, ":") {
					got = append(got, strings.SplitN(line, "\t", 2)[0])
				}
			}
			slices.Sort(got)
			if r.code != 0 || !slices.Equal(got, tc.want) {
				t.Fatalf("exit %d, completions %q, want %q\n%s", r.code, got, tc.want, r.stderr)
			}
		})
	}
}

// A long flag given with one dash, as the flag package of earlier releases
// took it, still works: scripts written then keep running.
func TestOneDashLongFlags(t *testing.T) {
	t.Parallel()
	r := runCmd(t, nil, "", "version", "-output", "json")
	var v map[string]any
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &v) != nil || v["go"] == nil {
		t.Fatalf("version -output json: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	root := newRoot(env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard})
	for _, tc := range []struct{ in, want []string }{
		{[]string{"migrate", "-config", "x.yaml"}, []string{"migrate", "--config", "x.yaml"}},
		{[]string{"serve", "-listen=127.0.0.1:1", "-dev"}, []string{"serve", "--listen=127.0.0.1:1", "--dev"}},
		// The value of a flag is left as it is, even when it reads like one.
		{[]string{"clients", "create", "-name", "-config"}, []string{"clients", "create", "--name", "-config"}},
		{[]string{"users", "list", "-h"}, []string{"users", "list", "-h"}},
		{[]string{"users", "list", "-frob"}, []string{"users", "list", "-frob"}},
		{[]string{"version", "--", "-output"}, []string{"version", "--", "-output"}},
	} {
		if got := oneDashLongFlags(root, tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("oneDashLongFlags(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
