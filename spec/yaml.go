package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// This file holds what the parser does to the YAML before it reads the
// spec's keys: it places syntax errors, reports keys given twice, expands
// aliases and merge keys, and replaces ${env.NAME}.

// source is the text of a spec, for turning positions into offsets and
// back.
type source struct {
	data  []byte
	lines []int // the offset at which each line starts
}

func newSource(data []byte) *source {
	s := &source{data: data, lines: []int{0}}
	for i := 0; i < len(data); i++ {
		// The line breaks YAML counts: \n, \r\n, \r, and NEL, LS and PS.
		if n := lineBreak(data[i:]); n > 0 {
			i += n - 1
			s.lines = append(s.lines, i+1)
		}
	}
	return s
}

// lineBreak returns the length of the line break b starts with, 0 if none.
func lineBreak(b []byte) int {
	switch {
	case len(b) >= 2 && b[0] == '\r' && b[1] == '\n':
		return 2
	case b[0] == '\r' || b[0] == '\n':
		return 1
	case len(b) >= 2 && b[0] == 0xC2 && b[1] == 0x85:
		return 2
	case len(b) >= 3 && b[0] == 0xE2 && b[1] == 0x80 && (b[2] == 0xA8 || b[2] == 0xA9):
		return 3
	}
	return 0
}

// pos returns the line and column (both from 1, the column counting
// characters, as YAML does) of the byte at off.
func (s *source) pos(off int) Pos {
	line, _ := slices.BinarySearch(s.lines, off+1)
	start := s.lines[line-1]
	return Pos{Line: line, Column: utf8.RuneCount(s.data[start:off]) + 1}
}

// offset returns the offset of a position, or -1 if the text has no such
// position.
func (s *source) offset(p Pos) int {
	if p.Line < 1 || p.Line > len(s.lines) {
		return -1
	}
	off := s.lines[p.Line-1]
	for range p.Column - 1 {
		if off >= len(s.data) || lineBreak(s.data[off:]) > 0 {
			return -1
		}
		_, size := utf8.DecodeRune(s.data[off:])
		off += size
	}
	return off
}

// lineEnd returns the offset just past the end of line, its newline
// included.
func (s *source) lineEnd(line int) int {
	if line < len(s.lines) {
		return s.lines[line]
	}
	return len(s.data)
}

// marker returns the first line after line that starts with the
// document marker ---, 0 if none.
func (s *source) marker(line int) int {
	for l := line + 1; l <= len(s.lines); l++ {
		text := s.data[s.lines[l-1]:s.lineEnd(l)]
		if rest, ok := bytes.CutPrefix(text, []byte("---")); ok && (len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || lineBreak(rest) > 0) {
			return l
		}
	}
	return 0
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlProblem splits an error of the yaml module into its problem and the
// line it names, 0 if none. That line is not always the problem's: it is
// where the construct the problem is in starts, and counts from 0 or from
// 1 depending on the problem.
func yamlProblem(err error) (string, int) {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return m[2], line
	}
	return strings.TrimPrefix(err.Error(), "yaml: "), 0
}

// syntaxBudget bounds the bytes syntaxPos may parse while it looks for a
// syntax error's position.
const syntaxBudget = 32 << 20

// syntaxPos finds where the problem of a syntax error is: the first
// character after which the text, cut there, fails the same way (at the
// same construct). The yaml module gives no column, and its line can be
// that of the construct rather than the problem's. An unclosed flow
// collection is placed at its bracket, an unknown alias at its *. It
// reports false if the cut text never fails the same way.
func (s *source) syntaxPos(err error) (Pos, bool) {
	problem, line := yamlProblem(err)
	budget := syntaxBudget
	same := func(end int) bool {
		if budget -= end; budget < 0 {
			return true // give up: take what is found so far
		}
		var n yaml.Node
		err := yaml.Unmarshal(s.data[:end], &n)
		if err == nil {
			return false
		}
		p, l := yamlProblem(err)
		return p == problem && l == line
	}
	// The problem is on the line the module names or after it, and the
	// whole text fails: find the first line at whose end the text fails,
	// then the character.
	first := max(line, 1)
	if first > len(s.lines) || !same(len(s.data)) {
		return Pos{}, false
	}
	found := firstTrue(first, len(s.lines), func(l int) bool { return same(s.lineEnd(l)) })
	start, end := s.lines[found-1], s.lineEnd(found)
	off := end - 1
	if end-start <= 256 {
		for e := start + 1; e < end; e++ {
			if same(e) {
				off = e - 1
				break
			}
		}
	} else {
		off = firstTrue(start+1, end, same) - 1
	}
	switch {
	case strings.HasPrefix(problem, "did not find expected ',' or ']'"):
		off = opening(s.data, off, '[', ']')
	case strings.HasPrefix(problem, "did not find expected ',' or '}'"):
		off = opening(s.data, off, '{', '}')
	case strings.HasPrefix(problem, "unknown anchor"):
		if i := strings.LastIndexByte(string(s.data[:off+1]), '*'); i >= 0 {
			off = i
		}
	}
	return s.pos(max(off, 0)), true
}

// firstTrue returns the least i in [lo, hi] for which ok(i) holds, taking
// ok(hi) to hold and ok to hold from some i on: it gallops, then
// bisects, in about 2*log2(hi-lo) calls.
func firstTrue(lo, hi int, ok func(int) bool) int {
	prev, i := lo-1, lo
	for step := 1; i < hi && !ok(i); step *= 2 {
		prev, i = i, min(lo+step, hi)
	}
	for prev+1 < i {
		mid := prev + (i-prev)/2
		if ok(mid) {
			i = mid
		} else {
			prev = mid
		}
	}
	return i
}

// opening returns the offset of the bracket open that the text before off
// leaves unclosed, or off if there is none.
func opening(data []byte, off int, open, close byte) int {
	depth := 0
	for i := off - 1; i >= 0; i-- {
		switch data[i] {
		case close:
			depth++
		case open:
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return off
}

// syntaxError is the Error for a YAML syntax error.
func (p *parser) syntaxError(err error) *Error {
	problem, line := yamlProblem(err)
	e := &Error{File: p.file, Problem: problem}
	if pos, ok := p.src.syntaxPos(err); ok {
		e.Line, e.Column = pos.Line, pos.Column
		// The yaml module names a tab it finds where a token starts only
		// as a character; say which, and why.
		if off := p.src.offset(pos); off >= 0 && off < len(p.src.data) && p.src.data[off] == '\t' && !strings.Contains(problem, "tab") {
			e.Problem += " (a tab: YAML indents with spaces only)"
		} else if hint := p.src.syntaxHint(problem, pos); hint != "" {
			e.Problem += " (" + hint + ")"
		}
	} else if line > 0 {
		e.Line, e.Column = line, 1
	}
	return e
}

// syntaxHint says what most often causes a syntax error of the yaml
// module, when the lines around pos show it, or returns "": a line whose
// indentation lines up with no block above it, a line indented under a
// key that already has a value, a plain value holding ": ", or one holding
// a bracket in a flow collection.
func (s *source) syntaxHint(problem string, pos Pos) string {
	if strings.HasPrefix(problem, "did not find expected ',' or ") {
		// pos is at the bracket that opens the flow collection.
		if off := s.offset(pos); off >= 0 && off < len(s.data) {
			if v := bracketedScalar(s.data[off+1 : s.lineEnd(pos.Line)]); v != "" {
				return fmt.Sprintf("a value holding brackets inside {…} or […] must be quoted: %q", v)
			}
		}
		return ""
	}
	text := s.text(pos.Line)
	ind := indentOf(text)
	prev := pos.Line - 1 // the nearest line above with content
	for prev > 0 && !hasContent(s.text(prev)) {
		prev--
	}
	if prev == 0 {
		return ""
	}
	above := s.text(prev)
	switch problem {
	case "did not find expected key", "did not find expected '-' indicator":
		if opensBlock(above) && ind > indentOf(above) {
			return "" // where any deeper indentation is right
		}
		blocks := s.blocksAbove(pos.Line)
		if len(blocks) == 0 || slices.Contains(blocks, ind) {
			return ""
		}
		those := "those are"
		if len(blocks) == 1 {
			those = "that one is"
		}
		return fmt.Sprintf("line %d is indented %s, which lines up with no block above it: %s indented %s",
			pos.Line, spaces(ind), those, orList(blocks))
	case "mapping values are not allowed in this context":
		if key := keyColumn(above); ind > key && hasPlainValue(above[key:]) {
			return fmt.Sprintf("line %d is indented deeper than the key on line %d, so YAML reads it as more of that key's value; "+
				"indent it %s, as that key is, to make it a key of its own", pos.Line, prev, spaces(key))
		}
		if off := s.offset(pos); off > 0 && bytes.Contains(s.data[s.lines[pos.Line-1]:off], []byte(": ")) {
			return `a value holding ": " must be quoted`
		}
	}
	return ""
}

// bracketedScalar returns the first plain scalar of text, the inside of a
// flow collection, that holds a bracket after its first character, such
// as /items/{id}, which YAML reads as the scalar /items/ and a mapping
// where a ',' or the collection's end must come; or "".
func bracketedScalar(text []byte) string {
	start := 0 // where the scalar at i starts
	var quote byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
			continue
		case c == '"' || c == '\'':
			quote = c
			continue
		case c == ' ' || c == ',' || c == '{' || c == '[' || c == '}' || c == ']' || c == '#':
			if (c == '{' || c == '[') && i > start {
				return string(text[start:scalarEnd(text, i)])
			}
			start = i + 1
		case c == ':' && i+1 < len(text) && text[i+1] == ' ':
			start = i + 1
		}
	}
	return ""
}

// scalarEnd returns where the plain scalar holding the bracket at open
// ends in text: after the bracket that closes it, and what follows up to
// a ',', a space or the end of text.
func scalarEnd(text []byte, open int) int {
	depth := 0
	for i := open; i < len(text); i++ {
		switch text[i] {
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i
			}
			depth--
		case ',', ' ':
			if depth == 0 {
				return i
			}
		}
	}
	return len(text)
}

// text returns line's text, without its line break.
func (s *source) text(line int) []byte {
	t := s.data[s.lines[line-1]:s.lineEnd(line)]
	for n := len(t); n > 0 && (t[n-1] == '\n' || t[n-1] == '\r'); n = len(t) {
		t = t[:n-1]
	}
	return t
}

// blocksAbove returns the indentations at which the text above line may
// go on, deepest first: those of the block mappings and sequences that
// are still open at its end, as the yaml module reads that text (the
// last value of each, down to a scalar). A block scalar's text, a quoted
// or plain scalar over lines, or a flow collection over lines is not a
// block, however it is indented: a line indented as it is would become
// more of that value. It returns nil if the text above is not valid YAML
// on its own.
func (s *source) blocksAbove(line int) []int {
	dec := yaml.NewDecoder(bytes.NewReader(s.data[:s.lines[line-1]]))
	var doc yaml.Node
	for {
		var next yaml.Node
		if err := dec.Decode(&next); err != nil {
			if !errors.Is(err, io.EOF) {
				return nil
			}
			break
		}
		doc = next
	}
	var out []int
	n := &doc
	for n != nil {
		var last *yaml.Node
		switch n.Kind {
		case yaml.DocumentNode:
			if len(n.Content) > 0 {
				last = n.Content[len(n.Content)-1]
			}
		case yaml.MappingNode, yaml.SequenceNode:
			if n.Style&yaml.FlowStyle != 0 {
				break
			}
			if col := n.Column - 1; len(out) == 0 || col > out[0] {
				out = append([]int{col}, out...)
			}
			if len(n.Content) > 0 {
				last = n.Content[len(n.Content)-1]
			}
		}
		n = last
	}
	return out
}

// indentOf returns the number of spaces t starts with.
func indentOf(t []byte) int {
	n := 0
	for n < len(t) && t[n] == ' ' {
		n++
	}
	return n
}

// hasContent reports whether t holds more than spaces and a comment.
func hasContent(t []byte) bool {
	t = bytes.TrimLeft(t, " \t")
	return len(t) > 0 && t[0] != '#'
}

// keyColumn returns the column (from 0) at which the content of t starts
// past its indentation and the "- " of any list items it opens.
func keyColumn(t []byte) int {
	i := indentOf(t)
	for i < len(t) && t[i] == '-' && (i+1 == len(t) || t[i+1] == ' ') {
		i++
		for i < len(t) && t[i] == ' ' {
			i++
		}
	}
	return i
}

// opensBlock reports whether the line t ends with a key and its colon,
// so that the lines below it, indented deeper, hold its value.
func opensBlock(t []byte) bool {
	if i := bytes.Index(t, []byte(" #")); i >= 0 {
		t = t[:i]
	}
	return bytes.HasSuffix(bytes.TrimRight(t, " \t"), []byte(":"))
}

// hasPlainValue reports whether t, a line's content from its key on, is
// a key with a plain scalar value on the same line, which the lines
// below it, if indented deeper, continue.
func hasPlainValue(t []byte) bool {
	_, v, ok := bytes.Cut(t, []byte(": "))
	if !ok || bytes.ContainsAny(t[:len(t)-len(v)], `"'{[`) {
		return false
	}
	v = bytes.TrimLeft(v, " ")
	return len(v) > 0 && !bytes.ContainsAny(v[:1], `#|>&*!"'{[`)
}

// spaces returns n spaces, in words.
func spaces(n int) string {
	if n == 1 {
		return "1 space"
	}
	return strconv.Itoa(n) + " spaces"
}

// orList returns the numbers ns, in ascending order, as "0, 2 or 4".
func orList(ns []int) string {
	ns = slices.Sorted(slices.Values(ns))
	words := make([]string, len(ns))
	for i, n := range ns {
		words[i] = strconv.Itoa(n)
	}
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// isMergeKey reports whether k is YAML's merge key, <<, and not a quoted
// "<<".
func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) == 0
}

// keyOf returns the text of a mapping key, looking through an alias.
func keyOf(k *yaml.Node) string {
	if k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	return k.Value
}

// checkDuplicates reports every key a mapping gives twice, naming where it
// was first given. It reads the tree as written, before aliases are
// expanded, so that each is reported once.
func (p *parser) checkDuplicates(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.MappingNode:
		first := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := keyOf(k)
			sub := join(path, key)
			if isMergeKey(k) {
				p.checkDuplicates(v, sub)
				continue
			}
			if k.Kind == yaml.ScalarNode || k.Kind == yaml.AliasNode {
				if f := first[key]; f != nil {
					p.fail(k, sub, "given twice (first at %s)", p.at(f.Line, f.Column))
				} else {
					first[key] = k
				}
			}
			p.checkDuplicates(k, path)
			p.checkDuplicates(v, sub)
		}
	case yaml.SequenceNode, yaml.DocumentNode:
		for i, c := range n.Content {
			p.checkDuplicates(c, fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

// at formats a position in the spec file for an error's text.
func (p *parser) at(line, column int) string {
	return fmt.Sprintf("%s:%d:%d", p.file, line, column)
}

// pairs yields the keys of a mapping and their values in order, each key
// once: the first time it is given (checkDuplicates reports the others).
func pairs(n *yaml.Node) iter.Seq2[*yaml.Node, *yaml.Node] {
	return func(yield func(k, v *yaml.Node) bool) {
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if seen[k.Value] {
				continue
			}
			seen[k.Value] = true
			if !yield(k, n.Content[i+1]) {
				return
			}
		}
	}
}

// maxExpanded bounds the nodes that aliases may add to a spec: nested
// aliases (the "billion laughs") multiply with each level.
const maxExpanded = 100_000

// expander expands the aliases and merge keys of a tree.
type expander struct {
	p *parser
	// open holds the nodes being expanded, from the root down: an alias
	// to one of them is a cycle.
	open map[*yaml.Node]bool
	// added counts the nodes copied for aliases.
	added int
	// stop is set after an error that ends the expansion.
	stop bool
}

// resolveAliases returns the tree with each alias replaced by a copy of
// what it names, and merge keys (<<: *defaults) expanded, so that anchors
// work as YAML says: keys the mapping sets itself win over merged ones. A
// copy keeps the positions of what it copies. An alias inside the node it
// names, or aliases that expand past maxExpanded nodes, are errors that
// end the parse; it reports false then.
func (p *parser) resolveAliases(root *yaml.Node) (*yaml.Node, bool) {
	x := &expander{p: p, open: map[*yaml.Node]bool{}}
	out := x.expand(root, "", nil, "")
	return out, !x.stop
}

// expand copies n, at path, expanding what it holds. via is the outermost
// alias being expanded, at viaPath, nil if none.
func (x *expander) expand(n *yaml.Node, path string, via *yaml.Node, viaPath string) *yaml.Node {
	if x.stop {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		if x.open[n.Alias] {
			x.p.fail(n, path, "alias *%s is inside the node it names (&%s at %s): it would never end", n.Value, n.Value, x.p.at(n.Alias.Line, n.Alias.Column))
			x.stop = true
			return x.expand(n, path, via, viaPath)
		}
		if via == nil {
			via, viaPath = n, path
		}
		return x.expand(n.Alias, path, via, viaPath)
	}
	if via != nil {
		if x.added++; x.added > maxExpanded {
			x.p.fail(via, viaPath, "aliases expand the spec by more than %d nodes: are they nested too deep?", maxExpanded)
			x.stop = true
			return x.expand(n, path, via, viaPath)
		}
	}
	x.open[n] = true
	defer delete(x.open, n)
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, child := range n.Content {
		sub := fmt.Sprintf("%s[%d]", path, i)
		if n.Kind == yaml.MappingNode {
			sub = path
			if i%2 == 1 {
				sub = join(path, keyOf(n.Content[i-1]))
			}
		}
		c.Content[i] = x.expand(child, sub, via, viaPath)
	}
	if c.Kind == yaml.MappingNode {
		x.merge(&c, path)
	}
	return &c
}

// merge expands the merge keys of mapping n: the keys of the mappings
// they name that n does not set itself, in order, the first winning.
func (x *expander) merge(n *yaml.Node, path string) {
	var own, merged []*yaml.Node
	hasMerge := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !isMergeKey(k) {
			own = append(own, k, v)
			continue
		}
		hasMerge = true
		sources := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			sources = v.Content
		}
		for _, src := range sources {
			if src.Kind != yaml.MappingNode {
				x.p.fail(src, join(path, "<<"), "a merge key (<<) takes a mapping or a list of mappings, not %s", kindOf(src))
				continue
			}
			merged = append(merged, src.Content...)
		}
	}
	if !hasMerge {
		return
	}
	has := map[string]bool{}
	for i := 0; i < len(own); i += 2 {
		has[own[i].Value] = true
	}
	for i := 0; i+1 < len(merged); i += 2 {
		if !has[merged[i].Value] {
			has[merged[i].Value] = true
			own = append(own, merged[i], merged[i+1])
		}
	}
	n.Content = own
}

var envRef = regexp.MustCompile(`\$\{env\.([A-Za-z_][A-Za-z0-9_]*)\}`)

// substitute replaces ${env.NAME} in every scalar, at path, with the
// variable's value, and records each reference to a variable that is not
// set, which stays as written. A plain scalar is typed again, so that
// "${env.MEMORY}" may be a number now; a quoted one stays a string, and
// one with an explicit tag (!Sub, !!str) keeps it.
func (p *parser) substitute(n *yaml.Node, path string) {
	if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "${env.") {
		orig := n.Value
		from := p.src.offset(Pos{n.Line, n.Column})
		nth := map[string]int{}
		n.Value = envRef.ReplaceAllStringFunc(orig, func(ref string) string {
			name := envRef.FindStringSubmatch(ref)[1]
			if p.getenv != nil {
				if v := p.getenv(name); v != "" {
					if envValue.MatchString(path) {
						p.fromEnv = append(p.fromEnv, EnvRef{Name: name, Path: path, Pos: p.refPos(n, from, ref, nth[ref], len(orig))})
						nth[ref]++
					}
					return v
				}
			}
			p.unresolved = append(p.unresolved, EnvRef{Name: name, Path: path, Pos: p.refPos(n, from, ref, nth[ref], len(orig))})
			nth[ref]++
			return ref
		})
		if n.Value != orig && n.Style == 0 {
			var v yaml.Node
			if yaml.Unmarshal([]byte(n.Value), &v) == nil && len(v.Content) == 1 {
				if c := v.Content[0]; c.Kind == yaml.ScalarNode && c.Style == 0 && c.Value == n.Value && c.Anchor == "" {
					n.Tag = c.Tag
				}
			}
		}
	}
	for i, c := range n.Content {
		sub := fmt.Sprintf("%s[%d]", path, i)
		if n.Kind == yaml.MappingNode {
			sub = path
			if i%2 == 1 {
				sub = join(path, n.Content[i-1].Value)
			}
		}
		p.substitute(c, sub)
	}
}

// envValue matches the key path of an environment variable's value:
// provider.environment.KEY, functions.NAME.environment.KEY,
// aggregation.NAME.environment.KEY.
var envValue = regexp.MustCompile(`^(provider|(functions|aggregation)\.[^.]+)\.environment\.[^.]+$`)

// refPos returns the position of the nth occurrence of ref in the text of
// scalar n, which starts at offset from and holds size bytes once read;
// the scalar's own position if it cannot be found near it.
func (p *parser) refPos(n *yaml.Node, from int, ref string, nth, size int) Pos {
	if from < 0 {
		return Pos{n.Line, n.Column}
	}
	// The written text of a scalar is at most about twice what it holds
	// (escapes, quotes, a tag, folded lines).
	end := min(len(p.src.data), from+2*size+len(n.Tag)+16)
	text := string(p.src.data[from:end])
	at := 0
	for i := 0; ; i++ {
		j := strings.Index(text[at:], ref)
		if j < 0 {
			return Pos{n.Line, n.Column}
		}
		if i == nth {
			return p.src.pos(from + at + j)
		}
		at += j + len(ref)
	}
}

// sortRefs orders the unresolved references by position, each once.
func sortRefs(refs []EnvRef) []EnvRef {
	slices.SortStableFunc(refs, func(a, b EnvRef) int {
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Column - b.Pos.Column
	})
	seen := map[EnvRef]bool{}
	return slices.DeleteFunc(refs, func(r EnvRef) bool {
		key := EnvRef{Name: r.Name, Pos: r.Pos}
		if seen[key] {
			return true
		}
		seen[key] = true
		return false
	})
}

// isNull reports whether n is an empty value.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}
