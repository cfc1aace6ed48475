package testbed

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// ErrUsage marks a bad command line: the program exits 2.
var ErrUsage = errors.New("usage")

// Main runs a tool: run gets the command line, and a context that ends on
// Ctrl-C or SIGTERM, so that it takes down what it started before it
// returns. The program exits 0 when run returns nil, 2 on ErrUsage, and 1
// otherwise, printing the error after the tool's name.
func Main(name string, run func(ctx context.Context, args []string, stdout, stderr io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, ErrUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// ParseFlags parses args with fs, whose output goes to stderr. A bad flag,
// an argument left over, or the problem that problem names ("" for none)
// is reported on stderr and returns ErrUsage.
func ParseFlags(fs *flag.FlagSet, args []string, stderr io.Writer, problem func() string) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return ErrUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, fs.Name()+": unexpected argument", fs.Arg(0))
		return ErrUsage
	}
	if p := problem(); p != "" {
		fmt.Fprintln(stderr, fs.Name()+":", p)
		return ErrUsage
	}
	return nil
}
