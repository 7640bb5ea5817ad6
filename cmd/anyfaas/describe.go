package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/spec"
)

func (c *cli) describeCmd() *cobra.Command {
	var platform string
	cmd := &cobra.Command{
		Use:   "describe [dir]",
		Short: "Print the merged view: each unit's functions and triggers, from f.yml or from the code",
		Long: `Describe prints the merged view of f.yml and the code: each unit's
functions and triggers, and where each trigger is declared. It then
checks the spec against the platform (--platform, or provider.name), as
validate does: if package would refuse it there, describe prints the
view all the same, then the problems, and exits 1.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := c.load(cmd.Context(), projectDir(args), true)
			if err != nil {
				return err
			}
			if platform == "" {
				platform = p.merged.Provider.Platform
			} else if !slices.Contains(faas.Platforms, platform) {
				return usageError("--platform %q is not one of %s", platform, strings.Join(faas.Platforms, ", "))
			}
			units := p.merged.Units()
			// What package would refuse is named after the view, which is
			// printed all the same.
			var unpackable error
			if platform != "" {
				if err := c.checkPlatforms(p.merged, units, []string{platform}); err != nil {
					if exitCode(err) != exitInvalid {
						return err
					}
					unpackable = withCode(exitInvalid, fmt.Errorf("%s cannot be packaged for %s:\n%w", p.merged.File, platform, err))
				}
			}
			if c.json {
				// Lists, never null: a reader ranges over them.
				manifests := []any{}
				for _, u := range units {
					manifests = append(manifests, u.Manifest(platform))
				}
				layers := p.code.Layers
				if layers == nil {
					layers = []string{}
				}
				doc := map[string]any{"ok": unpackable == nil, "file": p.merged.File, "platform": platform, "units": manifests, "layers": layers}
				if unpackable != nil {
					doc["exitCode"], doc["error"] = exitInvalid, unpackable.Error()
					var errs spec.Errors
					if errors.As(unpackable, &errs) {
						doc["errors"] = errs
					}
					c.printJSON(doc)
					return reportedError{unpackable}
				}
				c.printJSON(doc)
				return nil
			}
			w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			for _, u := range units {
				title := "unit " + u.Name
				if u.Group != nil {
					title += fmt.Sprintf(" (aggregated, %s)", strings.TrimSpace(u.Prefix+" gateway route"))
				}
				fmt.Fprintln(w, title)
				for _, f := range u.Functions {
					from := "f.yml"
					if orig := p.spec.Function(f.Name); orig == nil || len(orig.Events) == 0 {
						from = "code"
					}
					triggers := eventsText(f)
					if len(triggers) == 0 {
						triggers = []string{"(invoked directly)"}
					}
					for i, t := range triggers {
						name := ""
						if i == 0 {
							name = f.Name
							if f.Handler != f.Name {
								name += " (" + f.Handler + ")"
							}
						}
						fmt.Fprintf(w, "  %s\t%s\t%s\n", name, t, from)
					}
				}
			}
			if err := w.Flush(); err != nil {
				return err
			}
			return unpackable
		},
	}
	cmd.Flags().StringVarP(&platform, "platform", "p", "", "the platform whose manifests --json prints (default: provider.name of f.yml)")
	return cmd
}

// eventsText describes a function's triggers, one line each.
func eventsText(f *spec.Function) []string {
	var out []string
	for _, e := range f.Events {
		switch {
		case e.HTTP != nil:
			methods := "ANY"
			if len(e.HTTP.Methods) > 0 {
				methods = strings.Join(e.HTTP.Methods, ",")
			}
			out = append(out, methods+" "+e.HTTP.Path)
		case e.Timer != nil:
			out = append(out, "timer "+e.Timer.Type+" "+e.Timer.Value)
		case e.Storage != nil:
			out = append(out, "storage "+e.Storage.Bucket)
		case e.Message != nil:
			out = append(out, "message "+e.Message.Topic+e.Message.Queue)
		case e.Log != nil:
			out = append(out, "log "+e.Log.Source)
		default:
			out = append(out, e.Trigger)
		}
	}
	return out
}
