package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas/route"
)

// Find returns the path of the spec file in dir: the first of Files that
// exists. A dir that does not exist or is not a directory is an error
// that says so, not ErrNoSpec.
func Find(dir string) (string, error) {
	switch fi, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("spec: directory %s does not exist", dir)
	case err != nil:
		return "", fmt.Errorf("spec: %w", err)
	case !fi.IsDir():
		return "", fmt.Errorf("spec: %s is not a directory: give the project's directory, or the spec file with --file", dir)
	}
	for _, name := range Files {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("spec: no %s in %s: %w", strings.Join(Files, ", "), dir, ErrNoSpec)
}

// ErrNoSpec is the error Find wraps when a directory holds no spec file.
var ErrNoSpec = errors.New("no spec file")

// Load reads, parses and validates the spec at path, replacing ${env.NAME}
// from the process's environment.
func Load(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	return Parse(path, data, os.Getenv)
}

// Parse parses and validates a spec read from file, replacing ${env.NAME}
// with getenv(NAME) where that is not empty (a nil getenv sets nothing).
// The error is Errors, every problem with its position.
func Parse(file string, data []byte, getenv func(string) string) (*Spec, error) {
	p := &parser{file: file, getenv: getenv, src: newSource(data)}
	s := p.parse(data)
	if len(p.errs) == 0 {
		p.validate(s)
	}
	if len(p.errs) > 0 {
		sortErrors(p.errs)
		return nil, p.errs
	}
	sortErrors(p.warns)
	s.Warnings = p.warns
	return s, nil
}

// sortErrors orders errors by position, those of the whole file first.
func sortErrors(errs Errors) {
	slices.SortStableFunc(errs, func(a, b *Error) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
}

type parser struct {
	file   string
	getenv func(string) string
	src    *source
	errs   Errors
	// unresolved are the ${env.NAME} whose variable is not set.
	unresolved []EnvRef
	// fromEnv are the ${env.NAME} set in the environment that give an
	// environment value.
	fromEnv []EnvRef
	// warns are what does not stop a deploy but is most likely a
	// mistake; Parse returns them in Spec.Warnings.
	warns Errors
	// serviceName is the node of the service's name.
	serviceName *yaml.Node
	// root is the document's top-level node, where a missing top-level
	// key is reported.
	root *yaml.Node
}

func (p *parser) fail(n *yaml.Node, path, format string, args ...any) {
	e := &Error{File: p.file, Path: path, Problem: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
}

// warn records a warning at n, which Parse returns in Spec.Warnings.
func (p *parser) warn(n *yaml.Node, path, format string, args ...any) {
	p.warns = append(p.warns, &Error{File: p.file, Line: n.Line, Column: n.Column, Path: path, Problem: fmt.Sprintf(format, args...)})
}

// mappingKey returns the node of key in the mapping n, or nil.
func mappingKey(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return nil
}

func (p *parser) parse(data []byte) *Spec {
	s := &Spec{File: p.file}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		p.errs = append(p.errs, p.syntaxError(err))
		return s
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		p.errs = append(p.errs, &Error{File: p.file, Problem: "the spec is empty"})
		return s
	}
	p.moreDocuments(doc.Content[0], dec)
	p.checkDuplicates(doc.Content[0], "")
	root, ok := p.resolveAliases(doc.Content[0])
	if !ok {
		return s
	}
	p.root = root
	p.substitute(root, "")
	s.Unresolved = sortRefs(p.unresolved)
	s.FromEnv = sortRefs(p.fromEnv)
	p.mapping(root, "", map[string]func(*yaml.Node, string){
		"service": func(n *yaml.Node, path string) {
			if n.Kind == yaml.ScalarNode {
				s.Service.Name, p.serviceName = p.str(n, path), n
				return
			}
			p.mapping(n, path, map[string]func(*yaml.Node, string){
				"name":        func(n *yaml.Node, path string) { s.Service.Name, p.serviceName = p.str(n, path), n },
				"description": func(n *yaml.Node, path string) { s.Service.Description = p.str(n, path) },
			})
		},
		"provider":    func(n *yaml.Node, path string) { p.provider(n, path, &s.Provider) },
		"functions":   func(n *yaml.Node, path string) { s.Functions = p.functions(n, path) },
		"aggregation": func(n *yaml.Node, path string) { s.Aggregation = p.aggregation(n, path) },
		"layers":      func(n *yaml.Node, path string) { s.Layers = p.layers(n, path) },
		"package":     func(n *yaml.Node, path string) { p.pkg(n, path, &s.Package) },
		"custom": func(n *yaml.Node, path string) {
			if n.Kind != yaml.MappingNode && !isNull(n) {
				p.fail(n, path, "want a mapping of free-form settings, not %s", kindOf(n))
			}
			s.Custom = n
		},
		"platforms": func(n *yaml.Node, path string) { s.Platforms = p.platforms(n, path) },
		"plugins":   func(n *yaml.Node, path string) { s.Plugins = p.strList(n, path) },
		"resources": func(*yaml.Node, string) {}, // reserved by Midway, unused
	})
	if s.Package.Main == "" {
		s.Package.Main = "."
	}
	return s
}

// moreDocuments reports a document after the first, which the spec would
// otherwise drop unread: the first that holds anything, at its ---. An
// empty one (a --- closing the file) is no harm. One that does not parse
// is reported as a document too, at the first --- after the last
// document read (the yaml module places a syntax error of a later
// document on a line of its own counting), or else as the syntax error.
func (p *parser) moreDocuments(first *yaml.Node, dec *yaml.Decoder) {
	const problem = "a second YAML document (after ---): the spec is one document; merge it into the first, or remove it"
	last := first.Line // of the last document read
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		switch {
		case errors.Is(err, io.EOF):
			return
		case err != nil:
			if line := p.src.marker(last); line > 0 {
				p.errs = append(p.errs, &Error{File: p.file, Line: line, Column: 1, Problem: problem})
			} else {
				p.errs = append(p.errs, p.syntaxError(err))
			}
			return
		case len(doc.Content) == 1 && isNull(doc.Content[0]) && doc.Content[0].Value == "":
			last = doc.Line
			continue
		}
		p.fail(&doc, "", "%s", problem)
		return
	}
}

// pkg reads the package section.
func (p *parser) pkg(n *yaml.Node, path string, pkg *Package) {
	globs := func(n *yaml.Node, path string) []string {
		out, items := p.strItems(n, path)
		for i, pattern := range out {
			if problem := checkGlob(pattern); problem != "" {
				p.fail(items[i].node, items[i].path, "%q %s", pattern, problem)
			}
		}
		return out
	}
	p.mapping(n, path, map[string]func(*yaml.Node, string){
		"main":    func(n *yaml.Node, path string) { pkg.Main = p.str(n, path) },
		"include": func(n *yaml.Node, path string) { pkg.Include = globs(n, path) },
		"exclude": func(n *yaml.Node, path string) { pkg.Exclude = globs(n, path) },
		"artifact": func(n *yaml.Node, path string) {
			pkg.Artifact, pkg.ArtifactPos = p.str(n, path), Pos{n.Line, n.Column}
			switch a := pkg.Artifact; {
			case n.Kind != yaml.ScalarNode || isNull(n):
			case a == "" || a == "." || a == ".." || strings.ContainsAny(a, `/\`):
				p.fail(n, path, "%q is not a file name: name the artifact's file, such as serverless.zip, without a directory", a)
			}
		},
	})
}

// checkGlob says what is wrong with a package.include or exclude pattern,
// relative to the project directory with / between names, or "" if it is
// a good one.
func checkGlob(pattern string) string {
	switch {
	case pattern == "":
		return "is empty: name files relative to the project directory"
	case strings.HasPrefix(pattern, "/") || strings.HasPrefix(pattern, `\`) || filepath.IsAbs(pattern) || filepath.VolumeName(pattern) != "":
		return "is an absolute path: name files relative to the project directory"
	case slices.Contains(strings.FieldsFunc(pattern, func(r rune) bool { return r == '/' || r == '\\' }), ".."):
		return "leaves the project directory (..): name files inside it"
	}
	if _, err := filepath.Match(filepath.FromSlash(pattern), ""); err != nil {
		return "is not a valid pattern: " + err.Error()
	}
	return ""
}

// keysSeen, when set (by a test), is told the keys each mapping knows, to
// keep the JSON Schema in step with the parser.
var keysSeen func(path string, keys []string)

// mapping walks the keys of a mapping, calling the field's function for
// each and reporting keys it does not know.
func (p *parser) mapping(n *yaml.Node, path string, fields map[string]func(*yaml.Node, string)) {
	if keysSeen != nil {
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		keysSeen(path, keys)
	}
	if n.Kind != yaml.MappingNode {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return // an empty section
		}
		p.fail(n, path, "want a mapping, not %s", kindOf(n))
		return
	}
	for k, v := range pairs(n) {
		sub := join(path, k.Value)
		fn, ok := fields[k.Value]
		if !ok && path == "" && strings.HasPrefix(k.Value, "x-") {
			continue // an extension key, such as one holding YAML anchors
		}
		if !ok {
			p.fail(k, sub, "unknown key %q%s", k.Value, suggest(k.Value, fields))
			continue
		}
		fn(v, sub)
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// suggest returns a hint naming the known key closest to key, if any is
// close, or the known keys.
func suggest(key string, fields map[string]func(*yaml.Node, string)) string {
	known := make([]string, 0, len(fields))
	best, bestDist := "", 3
	lk := strings.ToLower(key)
	for k := range fields {
		known = append(known, k)
		lower := strings.ToLower(k)
		d := distance(lk, lower)
		if len(lk) >= 3 && strings.HasPrefix(lower, lk) {
			d = 1 // a key cut short, such as memory for memorySize
		}
		if d < bestDist || (d == bestDist && k < best) {
			best, bestDist = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	slices.Sort(known)
	return fmt.Sprintf(" (known keys: %s)", strings.Join(known, ", "))
}

// Suggest returns a hint naming the one of known closest to v, such as
// ` (did you mean "ap-guangzhou"?)`, if one is close (a typo), or "".
func Suggest(v string, known []string) string {
	best, bestDist := "", 3
	lv := strings.ToLower(v)
	for _, k := range known {
		if d := distance(lv, strings.ToLower(k)); d < bestDist || (d == bestDist && k < best) {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func kindOf(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "a boolean"
	case "!!null":
		return "nothing"
	}
	return fmt.Sprintf("%q", n.Value)
}

func (p *parser) str(n *yaml.Node, path string) string {
	if n.Kind != yaml.ScalarNode {
		p.fail(n, path, "want a string, not %s", kindOf(n))
		return ""
	}
	if n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// int reads a whole number, written in decimal.
func (p *parser) int(n *yaml.Node, path string) int {
	v, err := WholeNumber(n)
	if err != nil {
		p.fail(n, path, "%v", err)
	}
	return v
}

// WholeNumber reads n, a value of a spec, as the spec reads its numbers
// (memorySize, timeout, …): a whole number written in decimal, without a
// leading zero, as a number or a string. A generator reads with it the
// numbers of keys spec keeps as nodes, such as an event's timeout. The
// error names the value and says why it is no such number, as in
//
//	want a whole number, not 0x200: write whole numbers in decimal, as 512
//
// and has no position: the caller places it at n.
func WholeNumber(n *yaml.Node) (int, error) {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!bool" && n.Tag != "!!null" {
		text := strings.TrimSpace(n.Value)
		if why := leadingZero(text, n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0); why != "" {
			return 0, fmt.Errorf("want a whole number, not %s: %s", text, why)
		}
		v, err := strconv.Atoi(text)
		if err == nil && (n.Tag == "!!int" || n.Tag == "!!str") {
			return v, nil
		}
		if why := numberProblem(text, err); why != "" {
			return 0, fmt.Errorf("want a whole number, not %s: %s", text, why)
		}
	}
	return 0, fmt.Errorf("want a whole number, not %s%s", kindOf(n), unsetHint(n))
}

// leadingZero says why text, a decimal number with a leading zero (017,
// -08, 00), is not taken, or returns "" for any other text. YAML 1.1
// reads 017 as octal, 15, and YAML 1.2 as 17: the spec cannot know which
// the writer meant, so it takes neither. A quoted one (quoted) is no
// YAML number, and has the leading zero all the same.
func leadingZero(text string, quoted bool) string {
	digits := strings.TrimPrefix(strings.TrimPrefix(text, "-"), "+")
	if len(digits) < 2 || digits[0] != '0' || strings.Trim(digits, "0123456789") != "" {
		return ""
	}
	dec, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return "it has a leading zero: write it without the leading zero"
	}
	if oct, err := strconv.ParseInt(text, 8, 64); err == nil && oct != dec && !quoted {
		return fmt.Sprintf("it has a leading zero, which YAML 1.1 reads as octal (%d) and YAML 1.2 as decimal (%d): write it without the leading zero", oct, dec)
	}
	return fmt.Sprintf("it has a leading zero: write it without, as %d", dec)
}

// numberProblem says why text, which looks like a number, is not a whole
// number in decimal; err is what strconv.Atoi made of it. It returns ""
// for text that is no number at all.
func numberProblem(text string, err error) string {
	tooLarge := "it is too large"
	if strings.HasPrefix(text, "-") {
		tooLarge = "it is too small"
	}
	if errors.Is(err, strconv.ErrRange) {
		return tooLarge
	}
	// Hex, octal, binary, and digits with '_', which YAML reads as numbers.
	if v, err := strconv.ParseInt(text, 0, 64); err == nil {
		return fmt.Sprintf("write whole numbers in decimal, as %d", v)
	} else if errors.Is(err, strconv.ErrRange) {
		return tooLarge + " (and write whole numbers in decimal)"
	}
	if !strings.ContainsAny(text, "0123456789") {
		switch strings.ToLower(strings.TrimLeft(text, "+-")) {
		case ".inf", ".nan": // YAML's, which strconv does not read
			return "it is not a whole number"
		}
		return "" // a word, such as NaN or infinity
	}
	f, err := strconv.ParseFloat(text, 64)
	switch {
	case errors.Is(err, strconv.ErrRange) || err == nil && math.Abs(f) > math.MaxInt32:
		return tooLarge
	case err != nil:
		return ""
	case f != math.Trunc(f):
		return "it has a fraction"
	}
	return fmt.Sprintf("write whole numbers in decimal, without a fraction or an exponent, as %d", int(f))
}

// unsetHint says why a value may still hold an ${env.NAME}.
func unsetHint(n *yaml.Node) string {
	if m := envRef.FindStringSubmatch(n.Value); m != nil {
		return fmt.Sprintf(" (the environment variable %s is not set)", m[1])
	}
	return ""
}

// positive reads a number that must be above zero (memorySize, timeout,
// …): 0 is not the platform's default, which leaving the key out gives.
func (p *parser) positive(n *yaml.Node, path string) int {
	v, err := WholeNumber(n)
	if err != nil {
		p.fail(n, path, "%v", err)
		return 0
	}
	if v <= 0 {
		p.fail(n, path, "want a positive number, not %d", v)
	}
	return v
}

func (p *parser) bool(n *yaml.Node, path string) bool {
	if n.Kind == yaml.ScalarNode {
		switch strings.ToLower(n.Value) {
		case "true":
			return true
		case "false":
			return false
		}
	}
	p.fail(n, path, "want true or false, not %s%s", kindOf(n), unsetHint(n))
	return false
}

// strList reads a list of strings, or one string as a list of one.
func (p *parser) strList(n *yaml.Node, path string) []string {
	out, _ := p.strItems(n, path)
	return out
}

// item is where one string of a list is, for an error about it.
type item struct {
	node *yaml.Node
	path string
}

// strItems is strList that also returns where each string is.
func (p *parser) strItems(n *yaml.Node, path string) ([]string, []item) {
	if n.Kind == yaml.ScalarNode {
		if isNull(n) {
			return nil, nil
		}
		return []string{n.Value}, []item{{n, path}}
	}
	if n.Kind != yaml.SequenceNode {
		p.fail(n, path, "want a list of strings, not %s", kindOf(n))
		return nil, nil
	}
	out := make([]string, 0, len(n.Content))
	items := make([]item, 0, len(n.Content))
	for i, c := range n.Content {
		ipath := fmt.Sprintf("%s[%d]", path, i)
		out = append(out, p.str(c, ipath))
		items = append(items, item{c, ipath})
	}
	return out, items
}

// strMap reads a mapping of environment variables' names to values,
// and where each name is. A name is not empty, and holds no '=' and no
// NUL: the environment a process is given is NAME=value strings, each
// ended by a NUL, so that no platform can give a process such a variable
// under its name, whatever its deploy API makes of it.
func (p *parser) strMap(n *yaml.Node, path string) (map[string]string, map[string]Pos) {
	if n.Kind != yaml.MappingNode {
		if isNull(n) {
			return nil, nil
		}
		p.fail(n, path, "want a mapping of names to values, not %s", kindOf(n))
		return nil, nil
	}
	out := make(map[string]string, len(n.Content)/2)
	at := make(map[string]Pos, len(n.Content)/2)
	for k, v := range pairs(n) {
		if k.Value == "" {
			p.fail(k, join(path, `""`), "an environment variable's name is empty: name it, such as MODE")
			continue
		}
		if i := strings.IndexAny(k.Value, "=\x00"); i >= 0 {
			what := "'=', which ends a variable's name (an environment holds NAME=value)"
			if k.Value[i] == 0 {
				what = "a NUL character, which ends a variable (an environment holds NAME=value strings, each ended by a NUL)"
			}
			p.fail(k, join(path, strconv.Quote(k.Value)), "the environment variable name %q holds %s: no platform can set it; rename it", k.Value, what)
			continue
		}
		out[k.Value] = p.str(v, join(path, k.Value))
		at[k.Value] = Pos{k.Line, k.Column}
	}
	return out, at
}

// Platform names, canonical and as Midway's f.yml spells them.
var platformAliases = map[string]string{
	"aws": "aws", "lambda": "aws",
	"fc": "fc", "aliyun": "fc", "alibaba": "fc",
	"scf": "scf", "tencent": "scf",
	"gcf": "gcf", "gcp": "gcf", "google": "gcf",
	"web": "web", "knative": "web", "http": "web",
}

// Platforms are the canonical platform names.
var Platforms = []string{"aws", "fc", "scf", "gcf", "web"}

// PlatformName returns the canonical name of the platform that name
// names as f.yml's provider.name and platforms keys take it: a canonical
// name, or an alias of one, such as gcp or google for gcf, aliyun for fc,
// tencent for scf. Any other name is an error that lists the names.
func PlatformName(name string) (string, error) {
	if c, ok := platformAliases[name]; ok {
		return c, nil
	}
	hint := " (or aliyun, tencent, gcp, knative)"
	if _, ok := platformAliases[strings.ToLower(name)]; ok {
		hint = fmt.Sprintf(" (did you mean %q?)", strings.ToLower(name))
	}
	return "", fmt.Errorf("unknown platform %q: want one of %s%s", name, strings.Join(Platforms, ", "), hint)
}

func (p *parser) platform(n *yaml.Node, path string) string {
	name, err := PlatformName(p.str(n, path))
	if err != nil {
		p.fail(n, path, "%v", err)
	}
	return name
}

func (p *parser) platforms(n *yaml.Node, path string) map[string]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		if isNull(n) {
			return nil
		}
		p.fail(n, path, "want a mapping of platform names to their settings, not %s", kindOf(n))
		return nil
	}
	out := map[string]*yaml.Node{}
	first := map[string]*yaml.Node{}
	for k, v := range pairs(n) {
		name := p.platform(k, join(path, k.Value))
		if name == "" || p.platformTwice(first, name, k, path) {
			continue
		}
		if v.Kind != yaml.MappingNode {
			p.fail(v, join(path, k.Value), "want a mapping of the platform's own settings, not %s", kindOf(v))
			continue
		}
		out[name] = v
	}
	return out
}

// perPlatform reads a provider setting that is either one string for every
// platform or a mapping of platforms to strings, each with its position.
func (p *parser) perPlatform(n *yaml.Node, path string) (one string, each map[string]string, pos map[string]Pos) {
	if n.Kind != yaml.MappingNode {
		return p.str(n, path), nil, nil
	}
	each, pos = map[string]string{}, map[string]Pos{}
	first := map[string]*yaml.Node{}
	for k, v := range pairs(n) {
		if name := p.platform(k, join(path, k.Value)); name != "" && !p.platformTwice(first, name, k, path) {
			each[name], pos[name] = p.str(v, join(path, k.Value)), Pos{v.Line, v.Column}
		}
	}
	return "", each, pos
}

// platformTwice reports, as an error, whether key k names a platform an
// earlier key of the same mapping named, under another alias (aws and
// lambda); first holds the earlier keys by platform.
func (p *parser) platformTwice(first map[string]*yaml.Node, name string, k *yaml.Node, path string) bool {
	if f := first[name]; f != nil {
		p.fail(k, join(path, k.Value), "names platform %s, as %s does (%s): give each platform once", name, f.Value, p.at(f.Line, f.Column))
		return true
	}
	first[name] = k
	return false
}

func (p *parser) settings(fields map[string]func(*yaml.Node, string), s *Settings) {
	fields["runtime"] = func(n *yaml.Node, path string) { s.Runtime = p.str(n, path) }
	fields["memorySize"] = func(n *yaml.Node, path string) { s.MemorySize = p.positive(n, path) }
	fields["timeout"] = func(n *yaml.Node, path string) { s.Timeout = p.positive(n, path) }
	fields["initTimeout"] = func(n *yaml.Node, path string) { s.InitTimeout = p.positive(n, path) }
	fields["concurrency"] = func(n *yaml.Node, path string) { s.Concurrency = p.positive(n, path) }
	fields["environment"] = func(n *yaml.Node, path string) { s.Environment, s.envPos = p.strMap(n, path) }
	fields["description"] = func(n *yaml.Node, path string) { s.Description = p.str(n, path) }
	for _, key := range []string{"runtime", "memorySize", "timeout", "initTimeout", "concurrency", "environment", "description"} {
		read := fields[key]
		fields[key] = func(n *yaml.Node, path string) {
			if s.keyPos == nil {
				s.keyPos = map[string]Pos{}
			}
			s.keyPos[key] = Pos{n.Line, n.Column}
			read(n, path)
		}
	}
}

// providerExtra are Midway's provider keys that only some platforms read;
// the generators of those platforms check them.
var providerExtra = []string{
	"vpcConfig", "internetAccess", "policies", "logConfig", "nasConfig", "asyncConfiguration",
	"tracingConfig", "authType", "layers", "access", "credentials", "cosBucket", "serviceId", "starter",
}

func (p *parser) provider(n *yaml.Node, path string, pr *Provider) {
	pr.Pos = Pos{n.Line, n.Column}
	fields := map[string]func(*yaml.Node, string){
		"name": func(n *yaml.Node, path string) {
			pr.Name = p.str(n, path)
			pr.Platform = p.platform(n, path)
		},
		// One region per platform: {aws: us-east-1, fc: cn-hangzhou}.
		"region": func(n *yaml.Node, path string) { pr.Region, pr.Regions, pr.regionPos = p.perPlatform(n, path) },
		"stage":  func(n *yaml.Node, path string) { pr.Stage = p.str(n, path) },
		// One role per platform, as each names it differently: {fc:
		// acs:ram::…:role/…, gcf: …@….iam.gserviceaccount.com}.
		"role":    func(n *yaml.Node, path string) { pr.Role, pr.Roles, pr.rolePos = p.perPlatform(n, path) },
		"project": func(n *yaml.Node, path string) { pr.Project = p.str(n, path) },
		"architecture": func(n *yaml.Node, path string) {
			switch a := p.str(n, path); a {
			case "x86_64", "amd64":
				pr.Architecture = "x86_64"
			case "arm64":
				pr.Architecture = "arm64"
			default:
				p.fail(n, path, "architecture %q is not one of x86_64, arm64", a)
			}
		},
	}
	p.settings(fields, &pr.Function)
	for _, key := range providerExtra {
		fields[key] = func(n *yaml.Node, _ string) {
			if pr.Extra == nil {
				pr.Extra = map[string]*yaml.Node{}
			}
			pr.Extra[key] = n
		}
	}
	p.mapping(n, path, fields)
	if n.Kind == yaml.MappingNode {
		pr.KeyPos = map[string]Pos{}
		for k, v := range pairs(n) {
			pr.KeyPos[k.Value] = Pos{v.Line, v.Column}
		}
	}
	if pr.Architecture == "" {
		pr.Architecture = "x86_64"
	}
}

var validName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]{0,63}$`)

func (p *parser) functions(n *yaml.Node, path string) []*Function {
	if n.Kind != yaml.MappingNode {
		p.fail(n, path, "want a mapping of function names to functions, not %s", kindOf(n))
		return nil
	}
	var out []*Function
	for k, v := range pairs(n) {
		fpath := join(path, k.Value)
		if !validName.MatchString(k.Value) {
			p.fail(k, fpath, "function name %q must start with a letter or '_' and hold at most 64 letters, digits, '_' or '-'", k.Value)
			continue
		}
		f := &Function{Name: k.Value, Pos: Pos{k.Line, k.Column}}
		fields := map[string]func(*yaml.Node, string){
			"handler": func(n *yaml.Node, path string) { f.Handler, f.handlerPos = p.str(n, path), Pos{n.Line, n.Column} },
			"name": func(n *yaml.Node, path string) {
				f.UnitName, f.namePos = p.str(n, path), Pos{n.Line, n.Column}
				if n.Kind == yaml.ScalarNode && !validName.MatchString(f.UnitName) {
					p.fail(n, path, "function name %q must start with a letter or '_' and hold at most 64 letters, digits, '_' or '-'", f.UnitName)
				}
			},
			"stage":  func(n *yaml.Node, path string) { f.Stage = p.str(n, path) },
			"events": func(n *yaml.Node, path string) { f.Events = p.events(n, path) },
			"layers": func(n *yaml.Node, path string) {
				var items []item
				f.Layers, items = p.strItems(n, path)
				for _, it := range items {
					f.layerPos = append(f.layerPos, Pos{it.node.Line, it.node.Column})
				}
			},
			"platforms": func(n *yaml.Node, path string) { f.Platforms = p.platforms(n, path) },
		}
		p.settings(fields, &f.Settings)
		p.mapping(v, fpath, fields)
		if f.Handler == "" && (v.Kind == yaml.MappingNode || isNull(v)) {
			p.fail(k, join(fpath, "handler"), "missing: name the function as the code registers it with app.Func")
		}
		out = append(out, f)
	}
	return out
}

// eventKeys maps an event's key to its trigger.
var eventKeys = map[string]string{
	"http": TriggerHTTP, "apigw": TriggerHTTP,
	"timer":   TriggerTimer,
	"storage": TriggerStorage, "os": TriggerStorage, "oss": TriggerStorage, "cos": TriggerStorage, "s3": TriggerStorage,
	"message": TriggerMessage, "mq": TriggerMessage, "mns": TriggerMessage, "cmq": TriggerMessage,
	"sqs": TriggerMessage, "sns": TriggerMessage, "kafka": TriggerMessage,
	"log": TriggerLog,
}

func (p *parser) events(n *yaml.Node, path string) []*Event {
	if n.Kind != yaml.SequenceNode {
		p.fail(n, path, "want a list of events, such as - http: {path: /items}, not %s", kindOf(n))
		return nil
	}
	var out []*Event
	for i, c := range n.Content {
		epath := fmt.Sprintf("%s[%d]", path, i)
		if c.Kind != yaml.MappingNode || len(c.Content) != 2 {
			keys := []string{}
			for j := 0; j+1 < len(c.Content); j += 2 {
				keys = append(keys, c.Content[j].Value)
			}
			p.fail(c, epath, "an event is an object of one key, such as - http: {path: /items}; this one has %s", describeKeys(c, keys))
			continue
		}
		k, v := c.Content[0], c.Content[1]
		trigger, ok := eventKeys[k.Value]
		if !ok {
			known := make([]string, 0, len(eventKeys))
			for key := range eventKeys {
				known = append(known, key)
			}
			slices.Sort(known)
			p.fail(k, join(epath, k.Value), "unknown event %q: want one of %s", k.Value, strings.Join(known, ", "))
			continue
		}
		e := &Event{Trigger: trigger, Key: k.Value, Pos: Pos{k.Line, k.Column}}
		p.event(v, join(epath, k.Value), e)
		out = append(out, e)
	}
	return out
}

func describeKeys(n *yaml.Node, keys []string) string {
	if n.Kind != yaml.MappingNode {
		return kindOf(n)
	}
	return fmt.Sprintf("%d keys (%s)", len(keys), strings.Join(keys, ", "))
}

// Keys Midway's events carry that the adapters' deploy specs may read.
var eventExtra = []string{"role", "version", "serviceId", "timeout", "region", "retryTime", "interval"}

func (p *parser) event(n *yaml.Node, path string, e *Event) {
	fields := map[string]func(*yaml.Node, string){
		"name": func(n *yaml.Node, path string) { e.Name = p.str(n, path) },
	}
	for _, key := range eventExtra {
		fields[key] = func(n *yaml.Node, _ string) {
			if e.Extra == nil {
				e.Extra = map[string]*yaml.Node{}
			}
			e.Extra[key] = n
		}
	}
	required := func(name, value string) {
		if value == "" {
			p.fail(n, join(path, name), "missing")
		}
	}
	switch e.Trigger {
	case TriggerHTTP:
		h := &HTTPEvent{}
		e.HTTP = h
		var pathNode *yaml.Node
		fields["path"] = func(n *yaml.Node, path string) { h.Path, pathNode = p.str(n, path), n }
		fields["method"] = func(n *yaml.Node, path string) { h.Methods = p.methods(n, path) }
		fields["cors"] = func(n *yaml.Node, path string) { h.CORS = p.bool(n, path) }
		fields["integratedResponse"] = func(n *yaml.Node, path string) {
			b := p.bool(n, path)
			h.IntegratedResponse = &b
		}
		fields["protocols"] = func(n *yaml.Node, path string) { h.Protocols = p.protocols(n, path) }
		p.mapping(n, path, fields)
		required("path", h.Path)
		if pathNode != nil && h.Path != "" {
			// route.Parse takes a method before the path, as in "GET
			// /items"; f.yml's path is the path alone, the method goes
			// under method.
			if i := strings.IndexAny(h.Path, " \t"); i > 0 && slices.Contains(route.Methods, strings.ToUpper(h.Path[:i])) {
				m := h.Path[:i]
				p.fail(pathNode, join(path, "path"), "path %q starts with the method %s: a path starts with \"/\"; give the method under method, as {path: %s, method: %s}",
					h.Path, m, strings.TrimSpace(h.Path[i:]), m)
			} else {
				off, problem := pathProblem(h.Path)
				if problem == "" {
					var rerr *route.Error
					if _, err := route.Parse(h.Path); errors.As(err, &rerr) {
						off, problem = rerr.Offset, rerr.Problem
					} else if err != nil {
						off, problem = 0, err.Error()
					}
				}
				if problem != "" {
					col := pathNode.Column
					if pathNode.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
						col++
					}
					col += utf8.RuneCountInString(h.Path[:off]) // YAML counts characters
					p.errs = append(p.errs, &Error{File: p.file, Line: pathNode.Line, Column: col, Path: join(path, "path"), Problem: problem})
				}
			}
		}
	case TriggerTimer:
		t := &TimerEvent{Enable: true}
		e.Timer = t
		var valueNode, typeNode *yaml.Node
		fields["type"] = func(n *yaml.Node, path string) { t.Type, typeNode = p.str(n, path), n }
		fields["value"] = func(n *yaml.Node, path string) { t.Value, valueNode = p.str(n, path), n }
		fields["payload"] = func(n *yaml.Node, path string) { t.Payload = p.str(n, path) }
		fields["enable"] = func(n *yaml.Node, path string) { t.Enable = p.bool(n, path) }
		p.mapping(n, path, fields)
		required("value", t.Value)
		if t.Value != "" {
			p.timer(t, typeNode, valueNode, path)
		}
	case TriggerStorage:
		s := &StorageEvent{}
		e.Storage = s
		fields["bucket"] = func(n *yaml.Node, path string) { s.Bucket = p.str(n, path) }
		fields["events"] = func(n *yaml.Node, path string) { s.Events = p.strList(n, path) }
		fields["filter"] = func(n *yaml.Node, path string) {
			p.mapping(n, path, map[string]func(*yaml.Node, string){
				"prefix": func(n *yaml.Node, path string) { s.Prefix = p.str(n, path) },
				"suffix": func(n *yaml.Node, path string) { s.Suffix = p.str(n, path) },
			})
		}
		fields["enable"] = func(n *yaml.Node, path string) { s.Disabled = !p.bool(n, path) }
		p.mapping(n, path, fields)
		required("bucket", s.Bucket)
	case TriggerMessage:
		m := &MessageEvent{}
		e.Message = m
		fields["topic"] = func(n *yaml.Node, path string) { m.Topic = p.str(n, path) }
		fields["queue"] = func(n *yaml.Node, path string) { m.Queue = p.str(n, path) }
		fields["tags"] = func(n *yaml.Node, path string) { m.Tags = p.str(n, path) }
		fields["strategy"] = func(n *yaml.Node, path string) {
			switch m.Strategy = p.str(n, path); m.Strategy {
			case "", "BACKOFF_RETRY", "EXPONENTIAL_DECAY_RETRY":
			default:
				p.fail(n, path, "strategy %q is not one of BACKOFF_RETRY, EXPONENTIAL_DECAY_RETRY", m.Strategy)
			}
		}
		fields["enable"] = func(n *yaml.Node, path string) { m.Disabled = !p.bool(n, path) }
		fields["batchSize"] = func(n *yaml.Node, path string) { m.BatchSize = p.positive(n, path) }
		fields["maximumBatchingWindow"] = func(n *yaml.Node, path string) {
			if m.BatchWindow = p.int(n, path); m.BatchWindow < 0 {
				p.fail(n, path, "want a number of seconds, 0 or more, not %d", m.BatchWindow)
			}
		}
		p.mapping(n, path, fields)
		switch {
		case m.Topic == "" && m.Queue == "":
			p.fail(n, path, "missing topic or queue: name what the function reads")
		case m.Topic != "" && m.Queue != "":
			p.fail(n, path, "give a topic or a queue, not both")
		}
	case TriggerLog:
		l := &LogEvent{}
		e.Log = l
		fields["source"] = func(n *yaml.Node, path string) { l.Source = p.str(n, path) }
		fields["project"] = func(n *yaml.Node, path string) { l.Project = p.str(n, path) }
		fields["log"] = func(n *yaml.Node, path string) { l.Log = p.str(n, path) }
		fields["enable"] = func(n *yaml.Node, path string) { l.Disabled = !p.bool(n, path) }
		p.mapping(n, path, fields)
		required("source", l.Source)
	}
	if n.Kind == yaml.MappingNode {
		e.keyPos = map[string]Pos{}
		for k, v := range pairs(n) {
			e.keyPos[k.Value] = Pos{v.Line, v.Column}
		}
	}
	for _, r := range p.unresolved {
		if key, ok := strings.CutPrefix(r.Path, path+"."); ok {
			if e.unresolved == nil {
				e.unresolved = map[string]bool{}
			}
			e.unresolved[key] = true
		}
	}
}

// scalars returns the items of n, one value or a list of them, each with
// its key path; for a node of another kind it reports it, saying it wants
// want, and returns none.
func (p *parser) scalars(n *yaml.Node, path, want string) (items []*yaml.Node, paths []string) {
	switch n.Kind {
	case yaml.ScalarNode:
		return []*yaml.Node{n}, []string{path}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			items = append(items, item)
			paths = append(paths, fmt.Sprintf("%s[%d]", path, i))
		}
		return items, paths
	}
	p.fail(n, path, "want %s, not %s", want, kindOf(n))
	return nil, nil
}

// protocols returns an HTTP event's protocols: http, https or both, as
// one value or a list.
func (p *parser) protocols(n *yaml.Node, path string) []string {
	items, paths := p.scalars(n, path, "http, https or a list of both")
	if items == nil && n.Kind != yaml.SequenceNode {
		return nil
	}
	var out []string
	for i, item := range items {
		ipath := paths[i]
		v := strings.ToLower(p.str(item, ipath))
		switch {
		case v != "http" && v != "https":
			p.fail(item, ipath, "%q is not a protocol: want http or https", item.Value)
		case slices.Contains(out, v):
			p.fail(item, ipath, "protocol %s is listed twice", v)
		default:
			out = append(out, v)
		}
	}
	if len(out) == 0 && len(items) == 0 {
		p.fail(n, path, "want http, https or both, not an empty list")
	}
	return out
}

// methods reads an HTTP event's method: one, a list, or any (also "all"
// and empty), which is every method.
func (p *parser) methods(n *yaml.Node, path string) []string {
	items, paths := p.scalars(n, path, "a method or a list of methods")
	if items == nil && n.Kind != yaml.SequenceNode {
		return nil
	}
	var out []string
	for i, item := range items {
		ipath := paths[i]
		m := strings.ToUpper(p.str(item, ipath))
		switch {
		case m == "ANY" || m == "ALL" || m == "":
			return nil // every method
		case !slices.Contains(route.Methods, m):
			p.fail(item, ipath, "%q is not one of %s", item.Value, strings.Join(route.Methods, ", "))
		case slices.Contains(out, m):
			p.fail(item, ipath, "method %s is listed twice", m)
		default:
			out = append(out, m)
		}
	}
	return out
}

func (p *parser) aggregation(n *yaml.Node, path string) []*Aggregation {
	if n.Kind != yaml.MappingNode {
		if isNull(n) {
			return nil
		}
		p.fail(n, path, "want a mapping of group names to groups, not %s", kindOf(n))
		return nil
	}
	var out []*Aggregation
	for k, v := range pairs(n) {
		gpath := join(path, k.Value)
		if !validName.MatchString(k.Value) {
			p.fail(k, gpath, "group name %q must start with a letter or '_' and hold at most 64 letters, digits, '_' or '-'", k.Value)
			continue
		}
		g := &Aggregation{Name: k.Value, Pos: Pos{k.Line, k.Column}}
		var patterns *yaml.Node
		p.mapping(v, gpath, map[string]func(*yaml.Node, string){
			"deployOrigin": func(n *yaml.Node, path string) { g.DeployOrigin = p.bool(n, path) },
			"functions": func(n *yaml.Node, path string) {
				var items []item
				g.Functions, items = p.strItems(n, path)
				for _, it := range items {
					g.functionPos = append(g.functionPos, itemPos{Pos{it.node.Line, it.node.Column}, it.path})
				}
			},
			"functionsPattern": func(n *yaml.Node, path string) {
				var items []item
				g.Patterns, items = p.strItems(n, path)
				g.patternsPos = itemPos{Pos{n.Line, n.Column}, path}
				patterns = n
				for j, pat := range g.Patterns {
					if _, err := filepath.Match(strings.TrimPrefix(pat, "!"), ""); err != nil {
						p.fail(items[j].node, items[j].path, "bad pattern %q: %v", pat, err)
					}
				}
			},
		})
		if len(g.Functions) == 0 && len(g.Patterns) == 0 && (v.Kind == yaml.MappingNode || isNull(v)) {
			p.fail(k, gpath, "the group selects no functions: give functions or functionsPattern")
		}
		if len(g.Functions) > 0 && patterns != nil {
			// Midway takes the list and ignores the patterns.
			p.warn(patterns, gpath+".functionsPattern", "ignored: the group's functions list says which functions it holds, as in Midway; remove one of them")
		}
		out = append(out, g)
	}
	return out
}

func (p *parser) layers(n *yaml.Node, path string) map[string]*Layer {
	if n.Kind != yaml.MappingNode {
		if isNull(n) {
			return nil
		}
		p.fail(n, path, "want a mapping of layer names to layers, not %s", kindOf(n))
		return nil
	}
	out := map[string]*Layer{}
	for k, v := range pairs(n) {
		l := &Layer{Name: k.Value, Pos: Pos{k.Line, k.Column}}
		p.mapping(v, join(path, k.Value), map[string]func(*yaml.Node, string){
			"path": func(n *yaml.Node, path string) { l.Path = p.str(n, path) },
			"name": func(n *yaml.Node, path string) { l.Name = p.str(n, path) },
		})
		out[k.Value] = l
	}
	return out
}

// pathProblem returns the offset of the first character of an f.yml HTTP
// path that the platforms' route definitions cannot take, and what is
// wrong with it; "" if none is. API Gateway's route keys and resource
// paths, FC's and SCF's trigger paths and Knative's routes are written as
// a URL shows a path, so a character a URL path holds only escaped (RFC
// 3986: whitespace and other control characters, " < > [ \ ] ^ ` |), or
// one that ends the path ('?' begins the query, '#' the fragment), is
// refused here, where route.Parse, which matches code routes against the
// decoded path, takes it. '%' and characters beyond ASCII are left as
// they are; '{' and '}' are the parameters' syntax, which route.Parse
// checks.
func pathProblem(path string) (int, string) {
	for i := 0; i < len(path); i++ {
		c := path[i]
		var what string
		switch {
		case c == ' ':
			what = "a space"
		case c == '\t':
			what = "a tab"
		case c < 0x20 || c == 0x7f:
			what = fmt.Sprintf("a control character (%q)", c)
		case c == '?':
			return i, "the path holds '?', which begins a URL's query: a route matches the path alone"
		case c == '#':
			return i, "the path holds '#', which begins a URL's fragment, which a client does not send: a route matches the path alone"
		case strings.IndexByte(`"<>[\]^`+"`|", c) >= 0:
			what = fmt.Sprintf("%q", c)
		default:
			continue
		}
		return i, "the path holds " + what + ", which a URL path cannot hold as it is"
	}
	return 0, ""
}
