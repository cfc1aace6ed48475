// Command tokenim-auth runs and administers TokenIM Auth.
//
//	tokenim-auth serve [--dev] [--config FILE] [--listen HOST:PORT]
//	tokenim-auth migrate [--config FILE]
//	tokenim-auth clients create|list|delete ...
//	tokenim-auth users create|list ...
//	tokenim-auth keys rotate
//	tokenim-auth secrets reseal|status
//	tokenim-auth grants list|revoke ...
//	tokenim-auth janitor [--config FILE]
//	tokenim-auth dev totp --secret SECRET
//
// Every command reads the YAML file given by --config, then TOKENIM_*
// environment variables. A configuration error exits with status 2 and a
// message naming the field; any other failure exits with status 1.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, lookup: os.LookupEnv})
	stop()
	os.Exit(code)
}

// env is what a command reads and writes besides its arguments.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	lookup func(string) (string, bool)
	// ready, when set, receives the address serve listens on (tests).
	ready func(addr string)
}

// usageError is a mistake in the command line or configuration: exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// subcommand is one subcommand of a command like clients or users.
type subcommand struct {
	name string
	run  func(ctx context.Context, args []string, e env) error
}

// dispatch runs the subcommand args[0] names, with the rest of args; a
// missing or unknown one is a usage error listing the choices.
func dispatch(ctx context.Context, args []string, e env, subs ...subcommand) error {
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	choices := strings.Join(names, ", ")
	if n := len(names); n > 1 {
		choices = strings.Join(names[:n-1], ", ") + " or " + names[n-1]
	}
	if len(args) == 0 {
		return usagef("missing subcommand: %s", choices)
	}
	for _, s := range subs {
		if s.name == args[0] {
			return s.run(ctx, args[1:], e)
		}
	}
	return usagef("unknown subcommand %q: want %s", args[0], choices)
}

const usage = `usage: tokenim-auth <command> [flags]

commands:
  serve     run the provider (--dev for a zero-setup demo on an in-memory store)
  migrate   apply database migrations
  clients   create, list or delete OAuth clients
  users     create or list user accounts
  keys      rotate the token signing key
  secrets   reseal under the current system secret, or show what a rotation still needs
  grants    list or revoke what users granted apps
  janitor   delete expired codes, tokens, sessions and flows now
  audit     verify the authorization records' chain, or export records
  dev       dev-mode helpers: "dev totp --secret S" prints the current code of a TOTP secret

Run "tokenim-auth <command> -h" for a command's flags.
`

// run executes one command and returns the process exit status.
func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return 2
	}
	commands := map[string]func(context.Context, []string, env) error{
		"serve":   serve,
		"migrate": migrate,
		"clients": clients,
		"users":   users,
		"keys":    keysCommand,
		"secrets": secretsCommand,
		"grants":  grants,
		"janitor": janitorCommand,
		"audit":   auditCommand,
		"dev":     devCommand,
	}
	cmd, ok := commands[args[0]]
	if !ok {
		if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			fmt.Fprint(e.stdout, usage)
			return 0
		}
		fmt.Fprintf(e.stderr, "tokenim-auth: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	err := cmd(ctx, args[1:], e)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "tokenim-auth %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(e.stderr, "tokenim-auth %s: %v\n", args[0], err)
		return 1
	}
}
