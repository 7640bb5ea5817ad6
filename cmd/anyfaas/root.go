package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/anyfaas/faas/spec"
)

// cli holds what every command shares.
type cli struct {
	stdout, stderr io.Writer
	json           bool
	file           string
}

// run runs the command line args and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	// Functions run by dev and invoke write their logs from other
	// goroutines; the progress lines and they take turns.
	stdout, stderr = &lockedWriter{w: stdout}, &lockedWriter{w: stderr}
	c := &cli{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "anyfaas",
		Short:         "Build, check and deploy anyfaas functions on every platform",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().BoolVar(&c.json, "json", false, "print machine-readable JSON on standard output")
	root.PersistentFlags().StringVarP(&c.file, "file", "F", "", "the spec file, relative to the project directory or else to the working directory (default: f.yml, f.yaml, serverless.yml or serverless.yaml)")
	root.AddCommand(c.initCmd(), c.devCmd(), c.invokeCmd(), c.eventCmd(), c.validateCmd(), c.describeCmd(), c.packageCmd(), c.deployCmd())
	rejectUnknownSubcommands(root)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError("%v", err) })
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	if strings.HasPrefix(err.Error(), "unknown command") || strings.HasPrefix(err.Error(), "accepts ") {
		code = exitUsage
	}
	var reported reportedError
	if c.json && errors.As(err, &reported) {
		return code
	}
	if c.json {
		out := map[string]any{"ok": false, "exitCode": code, "error": err.Error()}
		var errs spec.Errors
		if errors.As(err, &errs) {
			out["errors"] = errs
		}
		var df *deployFailure
		if errors.As(err, &df) {
			out["platforms"], out["steps"] = df.platforms, df.steps
		}
		c.printJSON(out)
	} else {
		fmt.Fprintln(stderr, "anyfaas:", indent(err.Error()))
	}
	return code
}

// rejectUnknownSubcommands makes each command group under root (event:
// a command of subcommands that runs nothing itself) print its help when
// given no argument, and fail with exit code 2, as root does, when given
// one that names none of its subcommands; cobra printed the help and
// succeeded.
func rejectUnknownSubcommands(root *cobra.Command) {
	for _, cmd := range root.Commands() {
		rejectUnknownSubcommands(cmd)
		if !cmd.HasSubCommands() || cmd.Runnable() {
			continue
		}
		cmd.Args = cobra.ArbitraryArgs
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
			if cmd.SuggestionsMinimumDistance <= 0 {
				cmd.SuggestionsMinimumDistance = 2 // cobra's default for root
			}
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
			}
			return usageError("%s", msg)
		}
	}
}

// indent continues a multi-line message under its first line.
func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n  ") }

func (c *cli) printJSON(v any) {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// progress reports a step on standard error, in both output modes.
func (c *cli) progress(format string, args ...any) {
	fmt.Fprintf(c.stderr, format+"\n", args...)
}

// platformFlag returns the canonical name of the platform a --platform
// flag names, "" for none. Every command's flag takes what f.yml's
// provider.name takes (spec.PlatformName), aliases included: gcp or
// google for gcf, aliyun for fc, tencent for scf, lambda for aws,
// knative for web.
func platformFlag(name string) (string, error) {
	if name == "" {
		return "", nil
	}
	p, err := spec.PlatformName(name)
	if err != nil {
		return "", usageError("--platform: %v", err)
	}
	return p, nil
}

func projectDir(args []string) string {
	if len(args) == 0 {
		return "."
	}
	return args[0]
}

// checkProjectDir returns a usage error if dir, a project directory given
// on the command line, does not exist or is not a directory.
func checkProjectDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usageError("%s: no such directory", dir)
	case err != nil:
		return usageError("%v", err)
	case !fi.IsDir():
		return usageError("%s is a file, not a project directory", dir)
	}
	return nil
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
