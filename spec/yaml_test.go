package spec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// A YAML syntax error is placed at the character that breaks the text, or
// at the bracket or alias it is about; the yaml module gives a line only,
// and not always the problem's.
func TestSyntaxErrorPosition(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unclosed flow sequence", "service: shop\nprovider: [aws\nfunctions: {}\n",
			`f.yml:2:11: did not find expected ',' or ']'`},
		{"unclosed flow mapping", "functions:\n  api:\n    events:\n      - http: {path: /a, method: get\n  other: 1\n",
			`f.yml:4:15: did not find expected ',' or '}'`},
		{"unquoted path parameter in a flow mapping", "functions:\n  api:\n    events:\n      - http: {path: /items/{id}, method: get}\n",
			`f.yml:4:15: did not find expected ',' or '}' (a value holding brackets inside {…} or […] must be quoted: "/items/{id}")`},
		{"unquoted path parameter last in a flow mapping", "functions:\n  api:\n    events:\n      - http: {method: get, path: /a/{b}/c}\n",
			`f.yml:4:15: did not find expected ',' or '}' (a value holding brackets inside {…} or […] must be quoted: "/a/{b}/c")`},
		{"unquoted bracket in a flow sequence", "a: [x, y[1]]\nb: 2\n",
			`f.yml:1:4: did not find expected ',' or ']' (a value holding brackets inside {…} or […] must be quoted: "y[1]")`},
		{"key out of line", "a: 1\nb:\n  c: 2\n d: 3\n",
			`f.yml:4:2: did not find expected key (line 4 is indented 1 space, which lines up with no block above it: those are indented 0 or 2)`},
		{"list in a mapping", "a:\n  b: 1\n  - c\n",
			`f.yml:3:3: did not find expected key`},
		{"character that starts no token", "a: 1\nb: @x\n",
			`f.yml:2:4: found character that cannot start any token`},
		{"unclosed quote", "a: 1\nb: 'x\n",
			`f.yml:2:4: found unexpected end of stream`},
		{"second colon", "a: 1\nb: c: d\n",
			`f.yml:2:5: mapping values are not allowed in this context (a value holding ": " must be quoted)`},
		{"indented key", "key: value\n  other: 1\n",
			`f.yml:2:8: mapping values are not allowed in this context (line 2 is indented deeper than the key on line 1, so YAML reads it as more of that key's value; indent it 0 spaces, as that key is, to make it a key of its own)`},
		{"tab", "a: 1\n\tb: 2\n",
			`f.yml:2:1: found a tab character that violates indentation`},
		{"tab before a key", "service: shop\nprovider:\n\tname: aws\n",
			`f.yml:3:1: found character that cannot start any token (a tab: YAML indents with spaces only)`},
		{"unknown alias", "a: 1\nb: [x, *nope]\n",
			`f.yml:2:8: unknown anchor 'nope' referenced`},
		{"bad escape", "a: 1\nb: \"x\\q\"\n",
			`f.yml:2:6: found unknown escape character`},
		{"after a flow list over lines", "a: [1,\n  2,\n  3]\nb: c: d\n",
			`f.yml:4:5: mapping values are not allowed in this context (a value holding ": " must be quoted)`},
		{"wide characters", "a: 'ü'\nb: ü: d\n",
			`f.yml:2:5: mapping values are not allowed in this context (a value holding ": " must be quoted)`},
		{"key out of line in a list item", "functions:\n  hello:\n    events:\n      - http:\n          path: /hello\n       method: get\n",
			`f.yml:6:8: did not find expected '-' indicator (line 6 is indented 7 spaces, which lines up with no block above it: those are indented 0, 2, 4, 6, 8 or 10)`},
		{"list item out of line", "events:\n  - a: 1\n\n  # a comment\n   - b: 2\n",
			`f.yml:5:4: did not find expected '-' indicator (line 5 is indented 3 spaces, which lines up with no block above it: those are indented 0, 2 or 4)`},
		{"key under a key with a value", "provider:\n  name: aws\n   timeout: 3\n",
			`f.yml:3:11: mapping values are not allowed in this context (line 3 is indented deeper than the key on line 2, so YAML reads it as more of that key's value; indent it 2 spaces, as that key is, to make it a key of its own)`},
		{"key under a list item's key", "events:\n  - http: get\n      path: /a\n",
			`f.yml:3:11: mapping values are not allowed in this context (line 3 is indented deeper than the key on line 2, so YAML reads it as more of that key's value; indent it 4 spaces, as that key is, to make it a key of its own)`},
		{"key under a quoted value", "a: 'x'\n  b: 1\n",
			`f.yml:2:3: did not find expected key (line 2 is indented 2 spaces, which lines up with no block above it: that one is indented 0)`},
		// A block scalar's text, a scalar item of a list and a flow
		// collection over lines are no blocks: a line indented as they are
		// would become more of their value.
		{"key after a block scalar", "functions:\n  api:\n    description: |\n      Serves the API.\n   timeout: 10\n",
			`f.yml:5:4: did not find expected key (line 5 is indented 3 spaces, which lines up with no block above it: those are indented 0, 2 or 4)`},
		{"list item after a scalar item", "layers:\n  - base\n - extra\n",
			`f.yml:3:2: did not find expected key (line 3 is indented 1 space, which lines up with no block above it: those are indented 0 or 2)`},
		{"key after a flow mapping over lines", "a: {x: 1,\n      y: 2}\n   b: 3\n",
			`f.yml:3:4: did not find expected key (line 3 is indented 3 spaces, which lines up with no block above it: that one is indented 0)`},
		// A list in a list: the inner list is a block too.
		{"item of a list in a list", "events:\n  - - x: 1\n   - y\n",
			`f.yml:3:4: did not find expected '-' indicator (line 3 is indented 3 spaces, which lines up with no block above it: those are indented 0, 2, 4 or 6)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.yml", []byte(tt.yaml), nil)
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// ${env.NAME} is replaced in every value; a plain value is typed again, a
// quoted one stays a string, and an explicit tag stays. References to
// variables that are not set stay as written and are listed.
func TestSubstitute(t *testing.T) {
	src := `service: shop
provider:
  name: aws
  memorySize: ${env.MEMORY}
  environment:
    TABLE: ${env.TABLE}
    QUOTED: '${env.MEMORY}'
    BOTH: "${env.TABLE}-${env.MEMORY}"
functions:
  list:
    handler: list
    platforms:
      aws:
        Url: !Sub '${env.HOST}-x'
        Plain: ${env.MEMORY}
        Named: !Sub ${env.MEMORY}
        Str: !!str ${env.MEMORY}
        Unset: !Ref ${env.NOPE}
        Text: plain
`
	env := map[string]string{"MEMORY": "256", "HOST": "api"}
	s, err := Parse("f.yml", []byte(src), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if s.Provider.Function.MemorySize != 256 {
		t.Errorf("memorySize %d, want 256", s.Provider.Function.MemorySize)
	}
	wantEnv := map[string]string{"TABLE": "${env.TABLE}", "QUOTED": "256", "BOTH": "${env.TABLE}-256"}
	if diff := cmp.Diff(wantEnv, s.Provider.Function.Environment); diff != "" {
		t.Errorf("environment mismatch (-want +got):\n%s", diff)
	}
	type scalar struct{ Tag, Value string }
	got := map[string]scalar{}
	aws := s.Functions[0].Platforms["aws"]
	for i := 0; i+1 < len(aws.Content); i += 2 {
		got[aws.Content[i].Value] = scalar{aws.Content[i+1].Tag, aws.Content[i+1].Value}
	}
	want := map[string]scalar{
		"Url":   {"!Sub", "api-x"},
		"Plain": {"!!int", "256"},
		"Named": {"!Sub", "256"},
		"Str":   {"!!str", "256"},
		"Unset": {"!Ref", "${env.NOPE}"},
		"Text":  {"!!str", "plain"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("platform block mismatch (-want +got):\n%s", diff)
	}
	out, err := yaml.Marshal(aws)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"Url: !Sub 'api-x'\n", "Plain: 256\n", "Named: !Sub 256\n", "Unset: !Ref ${env.NOPE}\n"} {
		if !strings.Contains(string(out), line) {
			t.Errorf("the platform block, written out, has no %q:\n%s", line, out)
		}
	}
	wantRefs := []EnvRef{
		{Name: "TABLE", Path: "provider.environment.TABLE", Pos: Pos{6, 12}},
		{Name: "TABLE", Path: "provider.environment.BOTH", Pos: Pos{8, 12}},
		{Name: "NOPE", Path: "functions.list.platforms.aws.Unset", Pos: Pos{18, 21}},
	}
	if diff := cmp.Diff(wantRefs, s.Unresolved); diff != "" {
		t.Errorf("unresolved mismatch (-want +got):\n%s", diff)
	}
}

// An alias is a copy of what it names: each copy is substituted once, and
// a reference in it is listed once, where the anchor writes it.
func TestAliasCopies(t *testing.T) {
	src := `service: shop
x-env: &env
  A: ${env.A}
  B: ${env.UNSET}
provider:
  name: aws
  environment: *env
functions:
  f:
    handler: f
    environment: *env
    events:
      - http:
          <<: &route {path: /a, method: get}
          cors: true
      - http: {<<: *route, path: /b}
`
	// A variable's value is not substituted again.
	env := map[string]string{"A": "${env.C}", "C": "boom"}
	s, err := Parse("f.yml", []byte(src), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "${env.C}", "B": "${env.UNSET}"}
	for _, got := range []map[string]string{s.Provider.Function.Environment, s.Functions[0].Environment} {
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("environment mismatch (-want +got):\n%s", diff)
		}
	}
	if diff := cmp.Diff([]EnvRef{{Name: "UNSET", Path: "x-env.B", Pos: Pos{4, 6}}}, s.Unresolved); diff != "" {
		t.Errorf("unresolved mismatch (-want +got):\n%s", diff)
	}
	var paths []string
	for _, e := range s.Functions[0].Events {
		paths = append(paths, strings.Join(e.HTTP.Methods, ",")+" "+e.HTTP.Path)
	}
	if diff := cmp.Diff([]string{"GET /a", "GET /b"}, paths); diff != "" {
		t.Errorf("routes mismatch (-want +got):\n%s", diff)
	}
}

// Positions count lines as YAML does (\n, \r\n, \r, NEL, LS, PS) and
// columns in characters.
func TestSourcePositions(t *testing.T) {
	src := newSource([]byte("a: 1\rb: 2\r\nc: ü\u0085d: 4\u2028e: 5\u2029f: 6\n"))
	tests := []struct {
		off  int
		want Pos
	}{
		{0, Pos{1, 1}}, {5, Pos{2, 1}}, {11, Pos{3, 1}}, {14, Pos{3, 4}}, {18, Pos{4, 1}}, {25, Pos{5, 1}}, {35, Pos{6, 4}},
	}
	for _, tt := range tests {
		if got := src.pos(tt.off); got != tt.want {
			t.Errorf("pos(%d) = %v, want %v", tt.off, got, tt.want)
		}
		if got := src.offset(tt.want); got != tt.off {
			t.Errorf("offset(%v) = %d, want %d", tt.want, got, tt.off)
		}
	}
	if got := src.offset(Pos{1, 9}); got != -1 {
		t.Errorf("offset past the end of a line = %d, want -1", got)
	}
}
