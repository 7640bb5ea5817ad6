package scf

import (
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"testing"

	"github.com/dlclark/regexp2"
	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas/internal/schematest"
)

// componentManifest is the scf component's manifest, which declares the
// inputs of its deploy action (serverless-components/tencent-scf,
// serverless.component.yml; ../shared/schemas/tencent-scf).
var componentManifest = schematest.Dir + "/tencent-scf/serverless.component.yml"

// input is the declaration of an input in the Serverless Components
// notation: its type (string, number, boolean, array, object, src),
// whether it is required, the values it allows, a regex, a range, the
// keys of an object and the items of an array (the first item declares
// every element).
type input struct {
	Type     string            `yaml:"type"`
	Required bool              `yaml:"required"`
	Allow    []any             `yaml:"allow"`
	Regex    string            `yaml:"regex"`
	Min      *float64          `yaml:"min"`
	Max      *float64          `yaml:"max"`
	Keys     map[string]*input `yaml:"keys"`
	Items    []*input          `yaml:"items"`
}

// loadInputs reads the inputs the manifest declares for deploy. It skips
// the test when the manifest is not there (it lives beside the
// repository).
func loadInputs(t testing.TB) map[string]*input {
	t.Helper()
	data, err := os.ReadFile(componentManifest)
	if err != nil {
		t.Skipf("the scf component's manifest is not available: %v", err)
	}
	var m struct {
		Actions struct {
			Deploy struct {
				Inputs map[string]*input `yaml:"inputs"`
			} `yaml:"deploy"`
		} `yaml:"actions"`
	}
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("reading %s: %v", componentManifest, err)
	}
	if len(m.Actions.Deploy.Inputs) == 0 {
		t.Fatalf("%s declares no deploy inputs", componentManifest)
	}
	return m.Actions.Deploy.Inputs
}

// checkInputs checks the inputs of a generated serverless.yml against the
// declarations, as the component would take them, and returns every
// problem. It checks, for each input the manifest declares: that a
// required one is there; its type (src: a path, or a mapping with src,
// bucket or object); allow (every value of an array against its item);
// regex (ECMAScript, as the manifest is JavaScript's); min and max; and,
// recursively, the declared keys of objects and the items of arrays. Keys
// the manifest does not declare pass: it is incomplete (it leaves out
// environment, role, namespace, vpcConfig, an endpoint's function and
// param, a timer's argument, …). An event's trigger type, though, must be
// one it declares, as the component rejects any other.
func checkInputs(decls map[string]*input, inputs map[string]any) []string {
	var problems []string
	checkKeys(&problems, "inputs", decls, inputs)
	events, _ := inputs["events"].([]any)
	var types map[string]*input
	if d := decls["events"]; d != nil && len(d.Items) > 0 {
		types = d.Items[0].Keys
	}
	for i, e := range events {
		m, _ := e.(map[string]any)
		for k := range m {
			if types[k] == nil {
				problems = append(problems, fmt.Sprintf("inputs.events[%d]: trigger type %q is not one the scf component takes", i, k))
			}
		}
		if len(m) != 1 {
			problems = append(problems, fmt.Sprintf("inputs.events[%d]: an event has one key, its trigger type, not %d", i, len(m)))
		}
	}
	return problems
}

func checkKeys(problems *[]string, path string, decls map[string]*input, m map[string]any) {
	names := make([]string, 0, len(decls))
	for k := range decls {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		d := decls[k]
		v, ok := m[k]
		if !ok {
			if d.Required {
				*problems = append(*problems, fmt.Sprintf("%s.%s: missing, and required", path, k))
			}
			continue
		}
		checkValue(problems, path+"."+k, d, v)
	}
}

func checkValue(problems *[]string, path string, d *input, v any) {
	fail := func(format string, args ...any) {
		*problems = append(*problems, path+": "+fmt.Sprintf(format, args...))
	}
	switch d.Type {
	case "string":
		if _, ok := v.(string); !ok {
			fail("want a string, not %T %v", v, v)
			return
		}
	case "number":
		if _, ok := number(v); !ok {
			fail("want a number, not %T %v", v, v)
			return
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			fail("want a boolean, not %T %v", v, v)
			return
		}
	case "src":
		switch x := v.(type) {
		case string:
		case map[string]any:
			if x["src"] == nil && x["bucket"] == nil && x["object"] == nil {
				fail("a src mapping gives src, bucket or object")
			}
		default:
			fail("want a path or a mapping, not %T %v", v, v)
		}
		return
	case "array":
		items, ok := v.([]any)
		if !ok {
			fail("want a list, not %T %v", v, v)
			return
		}
		if len(d.Items) > 0 {
			for i, it := range items {
				checkValue(problems, fmt.Sprintf("%s[%d]", path, i), d.Items[0], it)
			}
		}
		return
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			fail("want a mapping, not %T %v", v, v)
			return
		}
		checkKeys(problems, path, d.Keys, m)
		return
	default:
		fail("the manifest declares type %q, which the checker does not know", d.Type)
		return
	}
	if len(d.Allow) > 0 && !slices.ContainsFunc(d.Allow, func(a any) bool { return fmt.Sprint(a) == fmt.Sprint(v) }) {
		fail("%v is not one of %v", v, d.Allow)
	}
	if d.Regex != "" {
		re, err := regexp2.Compile(d.Regex, regexp2.ECMAScript)
		if err != nil {
			fail("the manifest's regex %q: %v", d.Regex, err)
		} else if ok, _ := re.MatchString(fmt.Sprint(v)); !ok {
			fail("%q does not match %s", v, d.Regex)
		}
	}
	if n, ok := number(v); ok {
		if d.Min != nil && n < *d.Min {
			fail("%v is under the least, %v", v, *d.Min)
		}
		if d.Max != nil && n > *d.Max {
			fail("%v is over the most, %v", v, *d.Max)
		}
	}
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case float64:
		return x, !math.IsNaN(x)
	}
	return 0, false
}
