// Package schematest validates generated deploy specs against the
// platforms' published JSON Schemas (../shared/schemas), in tests. Only
// tests import it, so no binary links its dependencies.
package schematest

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// Dir is where the schemas are, relative to a package two levels below the
// repository root (spec/gen/<platform>).
const Dir = "../../../../shared/schemas"

var (
	mu       sync.Mutex
	compiled = map[string]*jsonschema.Schema{}
)

// ecmaRegexp compiles ECMAScript regular expressions (SAM's schema uses a
// lookahead, which Go's regexp refuses).
type ecmaRegexp struct{ re *regexp2.Regexp }

func (r ecmaRegexp) MatchString(s string) bool {
	ok, _ := r.re.MatchString(s)
	return ok
}

func (r ecmaRegexp) String() string { return r.re.String() }

func compileECMA(s string) (jsonschema.Regexp, error) {
	if _, err := regexp.Compile(s); err == nil {
		return regexp.MustCompile(s), nil
	}
	re, err := regexp2.Compile(s, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	return ecmaRegexp{re}, nil
}

// Schema compiles the JSON Schema at path, or the schema at pointer (such
// as "/spec/versions/0/schema/openAPIV3Schema" in a Kubernetes CRD) of the
// YAML or JSON document at path. It skips the test if the file is not
// there (the schemas live beside the repository, not in it).
func Schema(t testing.TB, path, pointer string) *jsonschema.Schema {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	key := path + "#" + pointer
	if s := compiled[key]; s != nil {
		return s
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("schema not available: %v", err)
	}
	doc, err := toJSONValue(data)
	if err != nil {
		t.Fatalf("reading the schema %s: %v", path, err)
	}
	for _, part := range strings.Split(strings.Trim(pointer, "/"), "/") {
		if part == "" {
			continue
		}
		switch v := doc.(type) {
		case map[string]any:
			doc = v[part]
		case []any:
			var i int
			fmt.Sscan(part, &i)
			doc = v[i]
		}
	}
	c := jsonschema.NewCompiler()
	c.UseRegexpEngine(compileECMA)
	c.AssertFormat()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatalf("loading the schema %s: %v", path, err)
	}
	s, err := c.Compile("schema.json")
	if err != nil {
		t.Fatalf("compiling the schema %s: %v", path, err)
	}
	compiled[key] = s
	return s
}

// Validate checks a YAML or JSON document against a schema, failing the
// test with the validator's report.
func Validate(t testing.TB, s *jsonschema.Schema, doc []byte) {
	t.Helper()
	if err := Check(s, doc); err != nil {
		t.Errorf("the document does not follow the schema:\n%v\n--- document:\n%s", err, doc)
	}
}

// Check is Validate returning the error, for tests that expect one.
func Check(s *jsonschema.Schema, doc []byte) error {
	v, err := toJSONValue(doc)
	if err != nil {
		return err
	}
	return s.Validate(v)
}

// toJSONValue reads YAML (or JSON) into the values the validator takes:
// JSON's, with numbers as json.Number.
func toJSONValue(data []byte) (any, error) {
	var y any
	if err := yaml.Unmarshal(data, &y); err != nil {
		return nil, err
	}
	js, err := json.Marshal(y)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(strings.NewReader(string(js)))
}
