package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// run executes one command and returns the process exit status: 0, 2 for
// a mistake on the command line or in the configuration, 1 for any other
// failure. The command tree is built anew for every run, so runs share
// nothing.
func run(ctx context.Context, args []string, e env) int {
	if args == nil {
		// cobra reads os.Args when given nil.
		args = []string{}
	}
	root := newRoot(e)
	root.SetArgs(oneDashLongFlags(root, args))
	cmd, err := root.ExecuteContextC(ctx)
	var ue usageError
	var silent exitStatus
	switch {
	case err == nil:
		return 0
	case errors.As(err, &silent):
		return int(silent)
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "%s: %v\n", cmd.CommandPath(), err)
		return 2
	default:
		fmt.Fprintf(e.stderr, "%s: %v\n", cmd.CommandPath(), err)
		return 1
	}
}

// oneDashLongFlags rewrites -name and -name=value to --name and
// --name=value where name is a long flag of the command the words run: the
// flag package of earlier releases took a long flag with one dash, and
// scripts written then keep working. A word that is the value of the flag
// before it, a shorthand (-h) and everything after "--" are left alone.
func oneDashLongFlags(root *cobra.Command, args []string) []string {
	cmd, _, err := root.Find(args)
	if err != nil {
		return args
	}
	lookup := func(name string) *pflag.Flag {
		if f := cmd.Flags().Lookup(name); f != nil {
			return f
		}
		return cmd.InheritedFlags().Lookup(name)
	}
	out := make([]string, 0, len(args))
	value := false // the word is the value of the flag before it
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if value {
			value = false
			out = append(out, a)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := lookup(name)
		switch {
		case f == nil || len(name) < 2 || !strings.HasPrefix(a, "-"):
		case !strings.HasPrefix(a, "--"):
			a = "-" + a
			fallthrough
		default:
			value = !hasValue && f.NoOptDefVal == ""
		}
		out = append(out, a)
	}
	return out
}

// Command groups of the top-level help.
const (
	groupRun   = "run"
	groupAdmin = "admin"
)

// newRoot builds the command tree writing to e.
func newRoot(e env) *cobra.Command {
	var showVersion bool
	root := &cobra.Command{
		Use:   "tokenim-auth",
		Short: "TokenIM Auth, an OAuth 2.1 and OpenID Connect provider",
		Long: `TokenIM Auth is an OAuth 2.1 and OpenID Connect provider for instant-messaging
platforms. It runs the provider (serve) and administers what it stores.

Every command reads the YAML file given by --config, then TOKENIM_*
environment variables. A mistake on the command line or in the configuration
exits with status 2 and a message naming the flag or the field; any other
failure exits with status 1.`,
		Example: `  tokenim-auth serve --dev
  tokenim-auth clients create --name "My app" --type confidential --redirect-uri https://app.example/cb
  tokenim-auth help clients create`,
		Args:          cobra.ArbitraryArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case showVersion:
				return printVersion(e.stdout, "text")
			case len(args) == 0:
				fmt.Fprintf(e.stderr, "usage: %s <command> [flags]\n\nCommands:\n", cmd.Name())
				for _, sub := range cmd.Commands() {
					if sub.IsAvailableCommand() {
						fmt.Fprintf(e.stderr, "  %-*s %s\n", sub.NamePadding(), sub.Name(), sub.Short)
					}
				}
				fmt.Fprintf(e.stderr, "\nSee '%s --help'.\n", cmd.CommandPath())
				return exitStatus(2)
			}
			return unknownCommand(cmd, args[0])
		},
	}
	root.Flags().BoolVar(&showVersion, "version", false, "print the version and exit")
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(flagError)
	root.AddGroup(&cobra.Group{ID: groupRun, Title: "Running the provider:"},
		&cobra.Group{ID: groupAdmin, Title: "Administering what it stores:"})
	for _, c := range []*cobra.Command{serveCmd(e), migrateCmd(e), healthcheckCmd(e), janitorCmd(e)} {
		c.GroupID = groupRun
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{clientsCmd(e), usersCmd(e), keysCmd(e), secretsCmd(e), grantsCmd(e), auditCmd(e), scimTokensCmd(e), workspacesCmd(e)} {
		c.GroupID = groupAdmin
		root.AddCommand(c)
	}
	root.AddCommand(versionCmd(e), devCmd(e))
	root.SetHelpCommand(helpCmd())
	// cobra's completion command, which writes each shell's script, taken
	// as a group like the others.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args, c.RunE = cobra.ArbitraryArgs, missingSubcommand
			for _, shell := range c.Commands() {
				shell.Args = noArgs
			}
		}
	}
	return root
}

// exitStatus ends a command that has said all it had to say.
type exitStatus int

func (s exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(s)) }

// usageError is a mistake in the command line or configuration: exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// lineError is a usage error on cmd's command line, ending with where to
// read how to use it.
func lineError(cmd *cobra.Command, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if !strings.HasSuffix(msg, "?") {
		msg += "."
	}
	return usagef("%s See '%s --help'.", msg, cmd.CommandPath())
}

// flagError words what pflag refused as the standard flag package did
// (scripts match "flag provided but not defined"), naming the double-dash
// form of a long flag given with one dash.
func flagError(cmd *cobra.Command, err error) error {
	var missing *pflag.NotExistError
	if errors.As(err, &missing) {
		name := missing.GetSpecifiedName()
		if group := missing.GetSpecifiedShortnames(); group != "" {
			name = group
			if f := cmd.Flags().Lookup(strings.SplitN(group, "=", 2)[0]); f != nil {
				return lineError(cmd, "flag provided but not defined: -%s (a long flag takes two dashes: --%s)", name, f.Name)
			}
		}
		return lineError(cmd, "flag provided but not defined: -%s", name)
	}
	return lineError(cmd, "%v", err)
}

// unknownCommand refuses a word that names no subcommand of cmd,
// suggesting the nearest.
func unknownCommand(cmd *cobra.Command, word string) error {
	if !cmd.HasParent() {
		return lineError(cmd, "unknown command %q%s", word, suggest(cmd, word))
	}
	return lineError(cmd, "unknown subcommand %q%s; usage: %s", word, suggest(cmd, word), subcommandsUsage(cmd))
}

// suggest is "; did you mean X?" naming the subcommand of cmd nearest to
// word, or "" when none is near.
func suggest(cmd *cobra.Command, word string) string {
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	if s := cmd.SuggestionsFor(word); len(s) > 0 {
		return fmt.Sprintf("; did you mean %q?", s[0])
	}
	return ""
}

// subcommandsUsage is the usage line of a group: its path and the choice
// of subcommands.
func subcommandsUsage(cmd *cobra.Command) string {
	var names []string
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	return cmd.CommandPath() + " " + strings.Join(names, "|") + " [flags]"
}

// group is a command whose subcommands do the work: run alone or with a
// word that names none of them, it says so.
func group(use, short, long string, subs ...*cobra.Command) *cobra.Command {
	g := &cobra.Command{Use: use, Short: short, Long: long, Args: cobra.ArbitraryArgs, RunE: missingSubcommand}
	g.AddCommand(subs...)
	return g
}

// missingSubcommand runs a group: it names what is missing or unknown.
func missingSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return lineError(cmd, "missing subcommand; usage: %s", subcommandsUsage(cmd))
	}
	return unknownCommand(cmd, args[0])
}

// noArgs refuses any argument: a value meant for a flag that lost its
// flag (--scope a b) must not be dropped silently.
func noArgs(cmd *cobra.Command, args []string) error {
	return exactArgs(0)(cmd, args)
}

// exactArgs takes exactly n arguments, named after the command in its Use.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) > n:
			return lineError(cmd, "unexpected argument %q (repeat a flag for each value); usage: %s", args[n], cmd.UseLine())
		case len(args) < n:
			name := "argument"
			if words := strings.Fields(cmd.Use); len(words) > len(args)+1 {
				name = words[len(args)+1]
			}
			return lineError(cmd, "missing argument %s; usage: %s", name, cmd.UseLine())
		}
		return nil
	}
}

// helpCmd is help: the help of the command its arguments name, or an
// error when they name none.
func helpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Long:  "Help shows the help of any command, for example: tokenim-auth help clients create.",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			cmd, _, err := c.Root().Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := c.Root().Find(args)
			if err != nil {
				return usageError{err}
			}
			if len(rest) > 0 {
				return unknownCommand(cmd, rest[0])
			}
			cmd.InitDefaultHelpFlag()
			return cmd.Help()
		},
	}
}

// configFlag adds the --config flag every command reading the
// configuration takes.
func configFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "config", "", "YAML configuration `file` (TOKENIM_* environment variables override it)")
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
}

// outputFlag adds an --output flag choosing text or JSON.
func outputFlag(cmd *cobra.Command, p *string) {
	choiceFlag(cmd, p, "output", "text", "output `format`: text or json", "text", "json")
}

// choiceFlag adds a flag taking one of choices, which the shell completes.
func choiceFlag(cmd *cobra.Command, p *string, name, value, usage string, choices ...string) {
	cmd.Flags().StringVar(p, name, value, usage)
	_ = cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(choices, cobra.ShellCompDirectiveNoFileComp))
}

// checkOutput validates an --output flag.
func checkOutput(v string) error {
	if v != "text" && v != "json" {
		return usagef("--output: want text or json, not %q", v)
	}
	return nil
}

// configCommand completes c, a command whose only flag is --config: run
// does its work with the configuration file's path.
func configCommand(e env, c *cobra.Command, run func(ctx context.Context, e env, path string) error) *cobra.Command {
	var path string
	configFlag(c, &path)
	c.Args = noArgs
	c.RunE = func(cmd *cobra.Command, _ []string) error { return run(cmd.Context(), e, path) }
	return c
}
