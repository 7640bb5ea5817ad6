package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/anyfaas/faas/spec"
)

func (c *cli) validateCmd() *cobra.Command {
	var withCode bool
	cmd := &cobra.Command{
		Use:   "validate [dir]",
		Short: "Check f.yml, and with --code that the code registers what it names",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := c.load(cmd.Context(), projectDir(args), withCode)
			if err != nil {
				return err
			}
			s := p.spec
			if p.merged != nil {
				s = p.merged
			}
			units := s.Units()
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
	cmd.Flags().BoolVar(&withCode, "code", false, "also build the code and check the handlers f.yml names")
	return cmd
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
