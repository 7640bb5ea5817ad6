package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/anyfaas/faas/spec"
)

func (c *cli) validateCmd() *cobra.Command {
	var (
		readCode  bool
		platforms []string
	)
	cmd := &cobra.Command{
		Use:   "validate [dir]",
		Short: "Check f.yml against its platforms, and with --code that the code registers what it names",
		Long: `Validate parses f.yml and checks it, then generates each platform's deploy
spec in memory (provider.name's, or those --platform names) so that a
setting the platform cannot take is found now, not at package time. With
--code it also builds the code, merges the triggers it declares, and
reports what would stop it starting that can be found without running it
(faas.App.Check): a registration the App refuses, routes that conflict,
a constructor parameter that nothing provides. Nothing is written.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := c.load(cmd.Context(), projectDir(args), false)
			if err != nil {
				return err
			}
			if readCode {
				if err := c.describe(cmd.Context(), p); err != nil {
					return c.withPlatformProblems(err, p.spec, platforms)
				}
			}
			s := p.spec
			if p.merged != nil {
				s = p.merged
			}
			units := s.Units()
			if err := c.checkNamedPlatforms(s, units, platforms); err != nil {
				return err
			}
			if c.json {
				c.printJSON(map[string]any{"ok": true, "file": s.File, "functions": len(s.Functions), "units": unitsJSON(units)})
				return nil
			}
			var parts []string
			for _, u := range units {
				parts = append(parts, unitSummary(u))
			}
			fmt.Fprintf(c.stdout, "%s is valid: %d functions in %d units (%s)\n", s.File, len(s.Functions), len(units), strings.Join(parts, "; "))
			return nil
		},
	}
	cmd.Flags().BoolVar(&readCode, "code", false, "also build the code and check the handlers f.yml names and the code's wiring")
	cmd.Flags().StringSliceVarP(&platforms, "platform", "p", nil, "the platforms to check the spec against, comma-separated (default: provider.name of f.yml)")
	return cmd
}

// checkNamedPlatforms is checkPlatforms for the platforms named with
// --platform, or else provider.name's, if f.yml names one.
func (c *cli) checkNamedPlatforms(s *spec.Spec, units []*spec.Unit, platforms []string) error {
	if len(platforms) == 0 && s.Provider.Platform == "" {
		return nil
	}
	named, err := choosePlatforms(s, platforms)
	if err != nil {
		return err
	}
	return c.checkPlatforms(s, units, named)
}

// withPlatformProblems returns err, what the code's description found
// wrong with s, with the problems the platforms find in s without the
// code added, so that one run of validate --code names both, rather than
// the platforms' only once the code's are mended. An err that is not a
// list of problems (a build that failed) is returned as it is.
func (c *cli) withPlatformProblems(err error, s *spec.Spec, platforms []string) error {
	var es spec.Errors
	if !errors.As(err, &es) {
		return err
	}
	var more spec.Errors
	if perr := c.checkNamedPlatforms(s, s.Units(), platforms); errors.As(perr, &more) {
		es = appendProblems(es, more)
	}
	return withCode(exitInvalid, es)
}

// checkPlatforms generates the deploy spec of each of platforms in memory,
// as package would, and returns what stops one (a spec.Errors of every
// platform's problems, each once, with exit code exitInvalid), or nil;
// it reports the generators' warnings. Every platform is checked, so that
// one run names every problem, not only the first platform's.
func (c *cli) checkPlatforms(s *spec.Spec, units []*spec.Unit, platforms []string) error {
	arch, err := chooseArch(s, "")
	if err != nil {
		return err
	}
	outs := make([]*platformOutput, len(platforms))
	for i, platform := range platforms {
		outs[i] = &platformOutput{Platform: platform, units: units, spec: s.ForPlatform(platform, specArch(arch)),
			Units: plannedArtifacts(s, platform, units, "")}
	}
	return c.generateSpecs(outs)
}

// generateSpecs generates the deploy spec of each of outs in memory and
// reports the warnings of those that generate. It returns what stops one
// (a spec.Errors of every platform's problems, each once, with exit code
// exitInvalid), or nil. Every platform is tried before it returns, so
// that one run names every problem, not only the first platform's; a
// problem that is not in the spec (a binding the code lacks) returns at
// once.
func (c *cli) generateSpecs(outs []*platformOutput) error {
	var problems spec.Errors
	for _, out := range outs {
		if _, err := out.generate(); err != nil {
			var es spec.Errors
			if !errors.As(err, &es) {
				return withCode(exitInvalid, err)
			}
			problems = appendProblems(problems, es)
			continue
		}
		for _, w := range out.warnings {
			c.progress("%s", w.Warning(out.Platform))
		}
	}
	if len(problems) > 0 {
		return withCode(exitInvalid, problems)
	}
	return nil
}

// appendProblems appends to list the problems of add it does not hold
// yet: a problem two platforms share, such as one in the code, is named
// once.
func appendProblems(list, add spec.Errors) spec.Errors {
	for _, e := range add {
		if !slices.ContainsFunc(list, func(have *spec.Error) bool { return *have == *e }) {
			list = append(list, e)
		}
	}
	return list
}

func unitSummary(u *spec.Unit) string {
	if u.Group == nil {
		return u.Name
	}
	names := make([]string, len(u.Functions))
	for i, f := range u.Functions {
		names[i] = f.Name
	}
	return u.Name + ": " + strings.Join(names, ", ")
}

func unitsJSON(units []*spec.Unit) []map[string]any {
	out := make([]map[string]any, len(units))
	for i, u := range units {
		names := make([]string, len(u.Functions))
		for j, f := range u.Functions {
			names[j] = f.Name
		}
		out[i] = map[string]any{"name": u.Name, "functions": names, "aggregated": u.Group != nil}
		if u.Prefix != "" {
			out[i]["prefix"] = u.Prefix
		}
	}
	return out
}
