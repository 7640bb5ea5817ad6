// Package gen is what the generators of platform deploy specs share: their
// interface, ordered YAML node builders, the merge of f.yml's platforms
// blocks into what they generate, and deterministic encoding. Each
// platform's generator is a package under it: gen/aws (SAM), gen/fc
// (Serverless Devs s.yaml and funcraft template.yml), gen/scf (Serverless
// Framework serverless.yml), gen/gcf (Cloud Run) and gen/web (Knative).
package gen

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas/spec"
)

// File is one generated file.
type File struct {
	// Name is the file's path relative to the output directory, such as
	// "template.yaml".
	Name string
	Data []byte
}

// Input is what a generator generates from.
type Input struct {
	// Spec is the spec, merged with the code's triggers (spec.Merge).
	Spec *spec.Spec
	// Units are the deployment units, as Spec.Units returns them.
	Units []*spec.Unit
	// Artifacts maps a unit's name to its packaged artifact (a zip, or an
	// OCI image reference), as the generated spec should refer to it,
	// relative to the output directory. A unit without one refers to
	// "<unit>.zip".
	Artifacts map[string]string
}

// Artifact returns the artifact of the unit named name.
func (in *Input) Artifact(name string) string {
	if a, ok := in.Artifacts[name]; ok {
		return a
	}
	return name + ".zip"
}

// Generator writes a platform's own deploy spec.
type Generator interface {
	// Platform is the canonical platform name, such as "aws".
	Platform() string
	// Generate returns the files of the deploy spec. A spec the platform
	// cannot express is a spec.Errors naming the f.yml position.
	Generate(in *Input) ([]File, error)
}

// Map builds a mapping node from key and value pairs, in order. A value is
// a *yaml.Node, a string, an int, a bool, a []string or a map[string]string
// (whose keys are sorted); a nil *yaml.Node, an empty string, a zero int,
// an empty slice or map leaves the pair out, as Midway drops empty fields.
// A bool is always kept.
func Map(pairs ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(pairs); i += 2 {
		key := pairs[i].(string)
		if v := Value(pairs[i+1]); v != nil {
			n.Content = append(n.Content, Str(key), v)
		}
	}
	return n
}

// Seq builds a sequence node of values, as Map takes them; values that Map
// would leave out are left out.
func Seq(items ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, it := range items {
		if v := Value(it); v != nil {
			n.Content = append(n.Content, v)
		}
	}
	return n
}

// Str is a string scalar node.
func Str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// Int is an integer scalar node.
func Int(n int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(n)}
}

// Bool is a boolean scalar node.
func Bool(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

// Value converts what Map and Seq take to a node, or nil for an empty
// value.
func Value(v any) *yaml.Node {
	switch x := v.(type) {
	case nil:
		return nil
	case *yaml.Node:
		if x == nil || (x.Kind == yaml.MappingNode || x.Kind == yaml.SequenceNode) && len(x.Content) == 0 {
			return nil
		}
		return x
	case string:
		if x == "" {
			return nil
		}
		return Str(x)
	case int:
		if x == 0 {
			return nil
		}
		return Int(x)
	case bool:
		return Bool(x)
	case []string:
		if len(x) == 0 {
			return nil
		}
		s := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, it := range x {
			s.Content = append(s.Content, Str(it))
		}
		return s
	case map[string]string:
		if len(x) == 0 {
			return nil
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, k := range keys {
			m.Content = append(m.Content, Str(k), Str(x[k]))
		}
		return m
	}
	panic(fmt.Sprintf("gen: cannot make a node of %T", v)) // a bug in a generator
}

// Get returns the value of key in mapping n, or nil.
func Get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// Set sets key in mapping n to v, replacing its value or appending it.
func Set(n *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			n.Content[i+1] = v
			return
		}
	}
	n.Content = append(n.Content, Str(key), v)
}

// Merge merges src, one of f.yml's platforms blocks, into dst verbatim:
// mappings merge key by key, recursively; any other value of src, a list
// included, replaces dst's. src is copied, never shared.
func Merge(dst, src *yaml.Node) {
	if dst == nil || src == nil || dst.Kind != yaml.MappingNode || src.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(src.Content); i += 2 {
		k, v := src.Content[i], src.Content[i+1]
		if cur := Get(dst, k.Value); cur != nil && cur.Kind == yaml.MappingNode && v.Kind == yaml.MappingNode {
			Merge(cur, v)
			continue
		}
		Set(dst, k.Value, clone(v))
	}
}

// clone copies a node tree, dropping comments and positions so that the
// output depends on values only.
func clone(n *yaml.Node) *yaml.Node {
	c := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Value: n.Value, Style: n.Style &^ (yaml.FlowStyle)}
	if c.Kind == yaml.AliasNode && n.Alias != nil {
		return clone(n.Alias)
	}
	for _, ch := range n.Content {
		c.Content = append(c.Content, clone(ch))
	}
	return c
}

// Encode writes doc as YAML with two-space indentation, beginning with
// header (comment lines, without #), deterministically.
func Encode(doc *yaml.Node, header ...string) ([]byte, error) {
	quoteAmbiguous(doc)
	var buf bytes.Buffer
	for _, h := range header {
		buf.WriteString("# " + h + "\n")
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("gen: encoding YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("gen: encoding YAML: %w", err)
	}
	return buf.Bytes(), nil
}

// Header is the first line of every generated file.
const Header = "Generated by anyfaas from f.yml; edit f.yml (or its platforms block), not this file."

// StorageKind is what a portable storage event name subscribes to.
type StorageKind int

// The kinds of portable storage event names.
const (
	StorageOther   StorageKind = iota // a platform's own name, or none
	StorageCreated                    // every creation of an object
	StorageRemoved                    // every removal of an object
)

// StorageWildcard reads a storage event name that every platform's
// generator takes: the standard event's Op, created or removed, or a
// platform's wildcard of every creation or removal,
// <service>:ObjectCreated:* or <service>:ObjectRemoved:* (ObjectRemove on
// COS), so that an f.yml written for one platform carries over to
// another. Any other name is StorageOther.
func StorageWildcard(name string) StorageKind {
	switch name {
	case "created":
		return StorageCreated
	case "removed":
		return StorageRemoved
	}
	parts := strings.Split(name, ":")
	if len(parts) != 3 || parts[0] == "" || parts[2] != "*" {
		return StorageOther
	}
	switch parts[1] {
	case "ObjectCreated":
		return StorageCreated
	case "ObjectRemoved", "ObjectRemove":
		return StorageRemoved
	}
	return StorageOther
}

// ErrorAt reports a problem with the spec at a position, for a spec the
// platform cannot express. A problem with what the code declares, whose
// path is a spec.Function.EventPath starting "code: ", has no place in the
// file, and names none.
func ErrorAt(s *spec.Spec, pos spec.Pos, path, format string, args ...any) *spec.Error {
	e := &spec.Error{File: s.File, Line: pos.Line, Column: pos.Column, Path: path, Problem: fmt.Sprintf(format, args...)}
	if pos.Line == 0 && strings.HasPrefix(path, "code: ") {
		e.File = ""
	}
	return e
}

// yaml11 matches the plain scalars that a YAML 1.1 reader, such as the
// PyYAML of the SAM CLI and CloudFormation's, takes for something other
// than a string, though YAML 1.2 (and so the encoder) takes them for
// strings: yes, no, on, off, y, n; numbers with underscores, in base 60
// (1:30) or with a leading 0 (octal); dates; ~ and =.
var yaml11 = regexp.MustCompile(`^(?:` +
	`[yYnN]|[yY]es|YES|[nN]o|NO|[oO]n|ON|[oO]ff|OFF|~|=|<<|` +
	`[-+]?(?:0b[01_]+|0[0-7_]+|[0-9][0-9_]*|0x[0-9a-fA-F_]+)|` +
	`[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|` +
	`[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|` +
	`[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*` +
	`)$`)

// quoteAmbiguous double-quotes every plain string scalar of n that a YAML
// 1.1 reader would read as another type, so that a value (an environment
// variable MODE: off) stays a string whichever YAML the deploy tool reads.
func quoteAmbiguous(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 && yaml11.MatchString(n.Value) {
		n.Style = yaml.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		quoteAmbiguous(c)
	}
}
