// Command tokenim-auth runs and administers TokenIM Auth.
//
//	tokenim-auth serve [--dev] [--config FILE] [--listen HOST:PORT]
//	tokenim-auth migrate [--config FILE]
//	tokenim-auth healthcheck [--url URL]
//	tokenim-auth clients create|list|delete|secrets ...
//	tokenim-auth users create|list|set-role|reset-mfa ...
//	tokenim-auth keys rotate
//	tokenim-auth secrets reseal|status
//	tokenim-auth grants list|revoke ...
//	tokenim-auth janitor [--config FILE]
//	tokenim-auth audit verify|export ...
//	tokenim-auth dev totp --secret SECRET
//	tokenim-auth version [--output json]
//	tokenim-auth completion bash|zsh|fish|powershell
//	tokenim-auth help [COMMAND]
//
// Every command reads the YAML file given by --config, then TOKENIM_*
// environment variables. A mistake on the command line or in the
// configuration exits with status 2 and a message naming the flag or the
// field; any other failure exits with status 1. cli.go builds the command
// tree (github.com/spf13/cobra); each command's file holds its flags and
// what it does.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/tokenim/tokenim-auth/storage"
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
	// opened, when set, receives the store serve opened (with its cache),
	// before ready (tests that seed records no configuration declares).
	opened func(storage.Store)
	// terminal, when set, has commands take stdout for a terminal, so
	// that they show their progress (tests); otherwise stdout is one when
	// it is an *os.File on a terminal.
	terminal bool
}

// interactive reports whether stdout is a terminal, where a long command
// shows its progress.
func (e env) interactive() bool {
	if e.terminal {
		return true
	}
	f, ok := e.stdout.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
