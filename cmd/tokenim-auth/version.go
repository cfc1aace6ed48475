package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func versionCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version",
		Long: `Version prints the version of the binary, the commit it was built from and
the Go version that built it, as the build recorded them ("devel" and
"unknown" when it did not: a build outside a module version or a
repository).`,
		Args: noArgs,
	}
	var output string
	outputFlag(cmd, &output)
	cmd.RunE = func(*cobra.Command, []string) error {
		if err := checkOutput(output); err != nil {
			return err
		}
		return printVersion(e.stdout, output)
	}
	return cmd
}

// develVersion is the version of a binary built outside a module
// version (from a work tree).
const develVersion = "devel"

// binaryVersion is what the build recorded about the binary.
type binaryVersion struct {
	Version  string `json:"version"`
	Commit   string `json:"commit"`
	Modified bool   `json:"modified"`
	Go       string `json:"go"`
}

// versionOf reads the build information: the main module's version, the
// commit and whether the tree had changes (vcs.revision, vcs.modified),
// and the Go version.
func versionOf(bi *debug.BuildInfo, ok bool) binaryVersion {
	v := binaryVersion{Version: develVersion, Commit: "unknown", Go: "unknown"}
	if !ok || bi == nil {
		return v
	}
	if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// printVersion writes the binary's version as text or JSON.
func printVersion(w io.Writer, output string) error {
	v := versionOf(debug.ReadBuildInfo())
	if output == "json" {
		return json.NewEncoder(w).Encode(v)
	}
	modified := ""
	if v.Modified {
		modified = ", modified"
	}
	_, err := fmt.Fprintf(w, "tokenim-auth %s (commit %s%s, %s)\n", v.Version, v.Commit, modified, v.Go)
	return err
}
