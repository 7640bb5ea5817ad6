package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
	"github.com/anyfaas/faas/spec/gen/aws"
	"github.com/anyfaas/faas/spec/gen/scf"
)

func (c *cli) describeCmd() *cobra.Command {
	var platform string
	cmd := &cobra.Command{
		Use:   "describe [dir]",
		Short: "Print the merged view: each unit's functions and triggers, from f.yml or from the code",
		Long: `Describe prints the merged view of f.yml and the code: each unit with
the memory and timeout its platform function is given (those a
platforms block sets, naming it, or f.yml's with the block that
overrides them where describe cannot read its value) and what the
platform's gateway deploys for its HTTP routes (on aws and scf a route
per method and path, or a catch-all on the unit's prefix past 20; on fc
one HTTP trigger; on gcf and web the service's URL), then its functions,
each with its own timeout where shorter than the unit's
(FAAS_FUNCTION_TIMEOUTS), and their triggers, and where each trigger is
declared (a deployOrigin group's HTTP triggers only: its members' own
units take the others). It then
checks the spec against the platform (--platform, or provider.name), as
validate does: if package would refuse it there, describe prints the
view all the same, then the problems, and exits 1.

With --json, each unit is its manifest, as package bakes it into the
artifact, with the memory and timeout the text view gives: "memory":
{"mb": 512, "setBy": "functions.f.platforms.aws.MemorySize"} (setBy only
where a platforms block sets it), "timeout": {"seconds": 30}, or
{"overriddenBy": KEY} where a platforms block sets a value describe
cannot read; left out where the platform's default applies.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			platform, err := platformFlag(platform)
			if err != nil {
				return err
			}
			p, err := c.load(cmd.Context(), projectDir(args), true)
			if err != nil {
				return err
			}
			platform = cmp.Or(platform, p.merged.Provider.Platform)
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
				manifests := describedUnits(p.merged, units, platform)
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
			if err := writeUnits(c.stdout, p.spec, p.merged, units, platform); err != nil {
				return err
			}
			return unpackable
		},
	}
	cmd.Flags().StringVarP(&platform, "platform", "p", "", "the platform whose manifests --json prints (default: provider.name of f.yml)")
	return cmd
}

// writeUnits writes the text view of describe: each unit with what its
// platform function is given (memory, timeout, as deployedSetting reads
// them through the platforms blocks), what platform's gateway
// deploys for its HTTP routes, and its functions, each with its own
// timeout where it is shorter than the unit's (faas.FunctionTimeoutsEnv),
// and its triggers, each from f.yml or the code. orig is f.yml as read,
// s the spec merged with the code.
func writeUnits(out io.Writer, orig, s *spec.Spec, units []*spec.Unit, platform string) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	// A deployOrigin group takes the HTTP routes of its members, which
	// are deployed on their own too, for their other triggers.
	byGroup := map[string]string{}
	for _, u := range units {
		if u.Group != nil && u.Group.DeployOrigin {
			for _, f := range u.Functions {
				byGroup[f.Name] = u.Name
			}
		}
	}
	for _, u := range units {
		set := u.Settings(s.Provider)
		title := "unit " + u.Name
		if u.Group != nil {
			title += " (aggregated)"
		}
		memory := deployedSetting(platform, s, u, "memory", set.MemorySize)
		timeout := deployedSetting(platform, s, u, "timeout", set.Timeout)
		fmt.Fprintf(w, "%s: memory %s, timeout %s\n", title, memory.text(" MB"), timeout.text("s"))
		if g := byGroup[u.Functions[0].Name]; u.Group == nil && g != "" && hasHTTP(u) {
			fmt.Fprintf(w, "  HTTP: deployed by unit %s (deployOrigin); this unit takes the other triggers\n", g)
		} else if g := gatewayText(platform, s, u); g != "" {
			fmt.Fprintf(w, "  HTTP on %s: %s\n", platform, g)
		}
		own := functionTimeouts(set.Environment[faas.FunctionTimeoutsEnv])
		// A deployOrigin group deploys its members' HTTP routes only: their
		// own units take the rest.
		httpOnly := u.Group != nil && u.Group.DeployOrigin
		for _, f := range u.Functions {
			from := "f.yml"
			if o := orig.Function(f.Name); o == nil || len(o.Events) == 0 {
				from = "code"
			}
			triggers, others := eventsText(f, httpOnly), ""
			if n := len(f.Events) - len(triggers); n > 0 {
				others = fmt.Sprintf("(%d other triggers: deployed by unit %s)", n, ownUnit(units, f))
				if n == 1 {
					others = fmt.Sprintf("(1 other trigger: deployed by unit %s)", ownUnit(units, f))
				}
			}
			if len(triggers) == 0 && others == "" {
				triggers = []string{"(invoked directly)"}
			}
			for i, t := range triggers {
				fmt.Fprintf(w, "  %s\t%s\t%s\n", functionText(f, own, i), t, from)
			}
			if others != "" {
				fmt.Fprintf(w, "  %s\t%s\n", functionText(f, own, len(triggers)), others)
			}
		}
	}
	return w.Flush()
}

// functionText names function f on the line of its i-th trigger: with its
// handler and its own timeout (own, from faas.FunctionTimeoutsEnv) on the
// first, nothing on the others.
func functionText(f *spec.Function, own map[string]string, i int) string {
	if i > 0 {
		return ""
	}
	name := f.Name
	if f.Handler != f.Name {
		name += " (" + f.Handler + ")"
	}
	if d, ok := own[f.Name]; ok {
		name += " (timeout " + d + ")"
	}
	return name
}

// ownUnit returns the name of the unit that deploys f on its own.
func ownUnit(units []*spec.Unit, f *spec.Function) string {
	for _, u := range units {
		if u.Group == nil && len(u.Functions) == 1 && u.Functions[0] == f {
			return u.Name
		}
	}
	return f.Name
}

// A deployed is a unit's memory or timeout as its platform deploys it:
// f.yml's, or what a platforms block sets.
type deployed struct {
	value int    // 0: the platform's default
	by    string // the key of the platforms block that sets it, if one does
	// opaque says that by sets it to a value describe does not read (not
	// a number of MB or seconds, or a list it replaces), so that value is
	// f.yml's, which the platform does not deploy.
	opaque bool
}

// text writes the setting with its unit, or says the platform's default
// applies, and which platforms block sets it.
func (d deployed) text(unit string) string {
	v := "the platform's default"
	if d.value != 0 {
		v = strconv.Itoa(d.value) + unit
	}
	switch {
	case d.by == "":
		return v
	case d.opaque:
		return v + " (" + d.by + " overrides it)"
	}
	return v + " (set by " + d.by + ")"
}

// A unitJSON is a unit in describe --json: its manifest, as package
// bakes it into the artifact, with the memory and timeout its platform
// function is given, as the text view gives them (deployedSetting), each
// left out where the platform's default applies.
type unitJSON struct {
	*faas.Manifest
	Memory  *settingJSON `json:"memory,omitempty"`
	Timeout *settingJSON `json:"timeout,omitempty"`
}

// A settingJSON is a unit's memory (MB) or timeout (Seconds) in describe
// --json, and where it comes from: f.yml, or the key of the platforms
// block that sets it (SetBy). OverriddenBy is the key of a platforms
// block that sets it to a value describe does not read (an intrinsic
// function, a list it replaces), which is then left out.
type settingJSON struct {
	MB           int    `json:"mb,omitempty"`
	Seconds      int    `json:"seconds,omitempty"`
	SetBy        string `json:"setBy,omitempty"`
	OverriddenBy string `json:"overriddenBy,omitempty"`
}

// describedUnits returns the units of describe --json on platform, of the
// spec s merged with the code; a list, never nil.
func describedUnits(s *spec.Spec, units []*spec.Unit, platform string) []unitJSON {
	out := []unitJSON{}
	for _, u := range units {
		set := u.Settings(s.Provider)
		uj := unitJSON{Manifest: u.Manifest(platform)}
		if d := deployedSetting(platform, s, u, "memory", set.MemorySize); d != (deployed{}) {
			uj.Memory = &settingJSON{MB: d.known(), SetBy: d.setBy(), OverriddenBy: d.overriddenBy()}
		}
		if d := deployedSetting(platform, s, u, "timeout", set.Timeout); d != (deployed{}) {
			uj.Timeout = &settingJSON{Seconds: d.known(), SetBy: d.setBy(), OverriddenBy: d.overriddenBy()}
		}
		out = append(out, uj)
	}
	return out
}

// known is the value the platform deploys, 0 where it is the platform's
// default or a value describe does not read.
func (d deployed) known() int {
	if d.opaque {
		return 0
	}
	return d.value
}

// setBy is the key of the platforms block that sets the value, if one
// does and describe reads it.
func (d deployed) setBy() string {
	if d.opaque {
		return ""
	}
	return d.by
}

// overriddenBy is the key of the platforms block that sets the value to
// one describe does not read, if one does.
func (d deployed) overriddenBy() string {
	if d.opaque {
		return d.by
	}
	return ""
}

// overrideKeys are, by platform and setting ("memory" or "timeout"), the
// keys at which the generator's merge of a platforms block (gen.Merge,
// gen.MergeService on gcf and web) replaces the unit's setting: in a
// function's block (merged, in the spec's order, into its unit's
// function), in the service's (merged into the root of what is
// generated), and, on aws, in the service's Globals, which SAM applies
// only to a function that does not set the property itself, as the
// template leaves out a setting f.yml does not give.
var overrideKeys = map[string]map[string]struct{ fn, service, globals [][]string }{
	faas.PlatformAWS: {
		"memory":  {fn: [][]string{{"MemorySize"}, {"Properties", "MemorySize"}}, globals: [][]string{{"Globals", "Function", "MemorySize"}}},
		"timeout": {fn: [][]string{{"Timeout"}, {"Properties", "Timeout"}}, globals: [][]string{{"Globals", "Function", "Timeout"}}},
	},
	// s.yaml's props; the funcraft key is template.yml's.
	faas.PlatformFC: {
		"memory":  {fn: [][]string{{"memorySize"}}},
		"timeout": {fn: [][]string{{"timeout"}}},
	},
	faas.PlatformSCF: {
		"memory":  {fn: [][]string{{"memorySize"}}, service: [][]string{{"inputs", "memorySize"}}},
		"timeout": {fn: [][]string{{"timeout"}}, service: [][]string{{"inputs", "timeout"}}},
	},
	faas.PlatformGCF: knativeKeys,
	faas.PlatformWeb: knativeKeys,
}

// knativeKeys are overrideKeys' of a Knative Service (gcf's and web's),
// where a block's containers merge into the generated ones by index
// (gen.MergeService): only the memory limit of the first, the function's
// own container, overrides f.yml's ("<n>Mi").
var knativeKeys = map[string]struct{ fn, service, globals [][]string }{
	"memory": {
		fn:      [][]string{{"spec", "template", "spec", "containers", "0", "resources", "limits", "memory"}},
		service: [][]string{{"spec", "template", "spec", "containers", "0", "resources", "limits", "memory"}},
	},
	"timeout": {fn: [][]string{{"spec", "template", "spec", "timeoutSeconds"}}, service: [][]string{{"spec", "template", "spec", "timeoutSeconds"}}},
}

// deployedSetting returns unit u's setting ("memory" or "timeout") as
// platform deploys it: value, f.yml's, unless a platforms block of the
// service or of one of u's functions sets it (see overrideKeys).
func deployedSetting(platform string, s *spec.Spec, u *spec.Unit, setting string, value int) deployed {
	d := deployed{value: value}
	keys, ok := overrideKeys[platform][setting]
	if !ok {
		return d
	}
	apply := func(block *yaml.Node, where string, paths [][]string) {
		for _, path := range paths {
			n := block
			for _, k := range path {
				if i, err := strconv.Atoi(k); err == nil && n != nil && n.Kind == yaml.SequenceNode {
					seq := n
					n = nil
					if i < len(seq.Content) {
						n = seq.Content[i]
					}
					continue
				}
				n = gen.Get(n, k)
			}
			if n == nil {
				continue
			}
			d.by = where + "." + strings.Join(path, ".")
			value := n.Value
			if (platform == faas.PlatformGCF || platform == faas.PlatformWeb) && setting == "memory" {
				value = strings.TrimSuffix(value, "Mi")
			}
			v, err := strconv.Atoi(value)
			if d.opaque = n.Kind != yaml.ScalarNode || err != nil || v <= 0; !d.opaque {
				d.value = v
			}
		}
	}
	where := "platforms." + platform
	if value == 0 {
		apply(s.Platforms[platform], where, keys.globals)
	}
	apply(s.Platforms[platform], where, keys.service)
	for _, f := range u.Functions {
		apply(f.Platforms[platform], "functions."+f.Name+"."+where, keys.fn)
	}
	return d
}

// functionTimeouts reads a faas.FunctionTimeoutsEnv value
// ("api=3s,report=10s") into each function's timeout.
func functionTimeouts(v string) map[string]string {
	out := map[string]string{}
	for pair := range strings.SplitSeq(v, ",") {
		if name, d, ok := strings.Cut(pair, "="); ok {
			out[name] = d
		}
	}
	return out
}

// gatewayText says what the platform deploys for the HTTP routes of unit
// u, or "" for a unit without any (or no platform): on aws and scf, an
// API Gateway route (endpoint) per method and path, or, for an aggregated
// unit of more routes than the generator's MaxRoutes, one catch-all on
// its prefix; on fc one HTTP trigger, which takes every path; on gcf and
// web the service's URL, which takes every method and path.
func gatewayText(platform string, s *spec.Spec, u *spec.Unit) string {
	routes, preflights := 0, false
	for _, f := range u.Functions {
		for _, e := range f.Events {
			if e.HTTP == nil {
				continue
			}
			methods, added := gen.HTTPMethods(s, u, f, e, platform != faas.PlatformFC)
			routes += max(len(methods), 1)
			preflights = preflights || added
		}
	}
	if routes == 0 {
		return ""
	}
	// preflight is how the platform's gateway takes the App's CORS
	// preflights on the routes' paths: an OPTIONS route on AWS, an ANY
	// endpoint on SCF.
	perRoute := func(what string, limit int, preflight string) string {
		if u.Group != nil && routes > limit {
			return fmt.Sprintf("one %s, ANY %s, for all %d routes (more than %d)", what, u.Prefix, routes, limit)
		}
		text := fmt.Sprintf("one %s per method and path below", what)
		if preflights {
			text += ", and " + preflight + " on their paths for the App's CORS preflights"
		}
		return text
	}
	switch platform {
	case faas.PlatformAWS:
		return perRoute("API Gateway route", aws.MaxRoutes, "OPTIONS")
	case faas.PlatformSCF:
		return perRoute("API Gateway endpoint", scf.MaxRoutes, "an ANY endpoint")
	case faas.PlatformFC:
		return "one HTTP trigger, for every path, with the methods below"
	case faas.PlatformGCF, faas.PlatformWeb:
		return "the service's URL, for every method and path; the App routes them"
	}
	return ""
}

// hasHTTP reports whether a function of u has an HTTP event.
func hasHTTP(u *spec.Unit) bool {
	for _, f := range u.Functions {
		if slices.ContainsFunc(f.Events, func(e *spec.Event) bool { return e.HTTP != nil }) {
			return true
		}
	}
	return false
}

// eventsText describes a function's triggers, one line each; with
// httpOnly, its HTTP triggers only.
func eventsText(f *spec.Function, httpOnly bool) []string {
	var out []string
	for _, e := range f.Events {
		switch {
		case httpOnly && e.HTTP == nil: // left out: another unit deploys it
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
