package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/anyfaas/faas/catalog"
)

func (c *cli) eventCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "event",
		Short: "The catalog of real sample events, for invoke and for tests",
	}
	var platform, trigger string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the sample events: platform/name, trigger, and the keys --set takes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			platform, err := platformFlag(platform)
			if err != nil {
				return err
			}
			entries := catalog.List()
			if platform != "" || trigger != "" {
				if entries, err = catalog.Find(platform, trigger); err != nil {
					return usageError("%v", err)
				}
			}
			if c.json {
				c.printJSON(map[string]any{"ok": true, "events": entries})
				return nil
			}
			w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tTRIGGER\tKEYS\tDESCRIPTION")
			for _, e := range entries {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", e.Name, e.Trigger, strings.Join(e.Keys, ","), e.Description)
			}
			return w.Flush()
		},
	}
	list.Flags().StringVarP(&platform, "platform", "p", "", "only this platform's samples")
	list.Flags().StringVar(&trigger, "trigger", "", "only this trigger's samples")
	var sets []string
	show := &cobra.Command{
		Use:   "show NAME",
		Short: "Print a sample event, with --set key=value overrides",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			entry, err := catalog.Lookup(args[0])
			if err != nil {
				return usageError("%v", err)
			}
			overrides, err := parseSets(sets)
			if err != nil {
				return err
			}
			data, err := catalog.Event(entry.Name, overrides)
			if err != nil {
				return usageError("%v", err)
			}
			c.stdout.Write(data)
			if len(data) > 0 && data[len(data)-1] != '\n' {
				fmt.Fprintln(c.stdout)
			}
			return nil
		},
	}
	show.Flags().StringArrayVar(&sets, "set", nil, "override a field, key=value (repeatable); event list names the keys")
	cmd.AddCommand(list, show)
	return cmd
}
