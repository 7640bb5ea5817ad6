package fc_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas/internal/schematest"
)

type jsonschemaSchema = jsonschema.Schema

// ajvBase is the base URL under which funcraft's validate schemas, which
// name each other by absolute paths ($id /ROS, /Resources/Service, …),
// are registered.
const ajvBase = "https://funcraft.invalid"

var (
	ajvOnce   sync.Once
	ajvSchema *jsonschema.Schema
	ajvErr    error
)

// checkAjv validates template.yml against funcraft's older validation
// schemas (schemas/funcraft/fun-validate-ajv, SOURCES.md §5b): draft-07,
// one file per resource, linked by $id. schematest compiles one file, so
// they are compiled here.
func checkAjv(t *testing.T, data []byte) error {
	t.Helper()
	dir := filepath.Join(schematest.Dir, "funcraft", "fun-validate-ajv")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("schemas not available: %v", err)
	}
	ajvOnce.Do(func() { ajvSchema, ajvErr = compileAjv(dir) })
	if ajvErr != nil {
		t.Fatalf("compiling funcraft's validate schemas: %v", ajvErr)
	}
	var y any
	if err := yaml.Unmarshal(data, &y); err != nil {
		return err
	}
	js, err := json.Marshal(y)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(string(js)))
	if err != nil {
		return err
	}
	return ajvSchema.Validate(v)
}

func compileAjv(dir string) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.UseRegexpEngine(ecmaScript)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(data)))
		if err != nil {
			return nil, err
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if err := c.AddResource(ajvBase+id, doc); err != nil {
			return nil, err
		}
	}
	return c.Compile(ajvBase + "/ROS")
}

// ecmaScript compiles the schemas' patterns, some of which use
// ECMAScript's lookahead, which Go's regexp lacks.
func ecmaScript(s string) (jsonschema.Regexp, error) {
	if re, err := regexp.Compile(s); err == nil {
		return re, nil
	}
	re, err := regexp2.Compile(s, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	return ecmaRegexp{re}, nil
}

type ecmaRegexp struct{ re *regexp2.Regexp }

func (r ecmaRegexp) MatchString(s string) bool {
	ok, _ := r.re.MatchString(s)
	return ok
}

func (r ecmaRegexp) String() string { return r.re.String() }

// The validators must fail too: a template breaking each schema is refused.
func TestTemplateSchemasRefuse(t *testing.T) {
	bad := []byte(`ROSTemplateFormatVersion: "2015-09-01"
Transform: Aliyun::Serverless-2018-04-03
Resources:
  s:
    Type: Aliyun::Serverless::Service
    f:
      Type: Aliyun::Serverless::Function
      Properties: {Handler: main, Runtime: go1, CodeUri: f.zip}
`)
	if err := schematest.Check(rosSchema(t), bad); err == nil {
		t.Error("rosSchema accepts runtime go1")
	}
	if err := checkAjv(t, bad); err == nil {
		t.Error("the validate schemas accept runtime go1")
	}
	if err := schematest.Check(fc3Schema(t, ""), []byte(`{"region": "cn-hangzhou", "functionName": "f", "runtime": "go1", "code": "f.zip", "handler": "main", "memorySize": 100}`)); err == nil {
		t.Error("fc3's schema accepts memory 100")
	}
}
