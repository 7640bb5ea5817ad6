package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A doc is a JSON document parsed with its layout: every value keeps its
// text, and containers keep the whitespace around their members. A value
// that is set is rendered from its new text, its containers from their
// parts, and everything else as it was, so that an edited sample differs
// from the published one only where it was edited.
type doc struct {
	lead, trail []byte // whitespace around the root value
	root        *node

	// Layout of the sample, for the members and values that are added.
	multiline bool
	unit      string // one level of indentation
	colon     string // between a key and its value, such as ": "
	space     string // before a member, in a document on one line
	// inline means arrays of scalars are written on one line, their
	// elements after the first preceded by sep.
	inline bool
	sep    string
}

// A node is one JSON value.
type node struct {
	raw   []byte  // the text, rendered as is unless edited
	kind  byte    // '{' or '[' for containers, 0 for scalars
	items []*item // members of an object, elements of an array
	tail  []byte  // whitespace before the closing bracket
	line  string  // indentation of the line the value starts on
	// edited means the node or one of its descendants changed: it is
	// rendered from its items.
	edited bool
}

// An item is an object member (key set) or an array element.
type item struct {
	pre    []byte // whitespace before the key or element
	key    string
	rawKey []byte // nil for an array element
	colon  []byte // whitespace, ':' and whitespace between key and value
	val    *node
	post   []byte // whitespace between the value and the comma
}

// errSyntax reports text that is not JSON.
var errSyntax = errors.New("not valid JSON")

// parseDoc parses a JSON document.
func parseDoc(b []byte) (*doc, error) {
	if !json.Valid(b) {
		return nil, errSyntax
	}
	p := parser{src: b}
	d := &doc{}
	d.lead = p.space()
	d.root = p.value()
	d.trail = p.space()
	d.detectLayout()
	return d, nil
}

// parser reads JSON that json.Valid accepted.
type parser struct {
	src []byte
	i   int
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *parser) space() []byte {
	start := p.i
	for p.i < len(p.src) && isSpace(p.src[p.i]) {
		p.i++
	}
	return p.src[start:p.i]
}

func (p *parser) value() *node {
	start := p.i
	n := &node{}
	switch c := p.src[p.i]; c {
	case '{', '[':
		n.kind = c
		n.line = p.lineIndent(start)
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		p.i++
		for {
			ws := p.space()
			if p.src[p.i] == closing {
				n.tail = ws
				p.i++
				break
			}
			it := &item{pre: ws}
			if c == '{' {
				ks := p.i
				p.str()
				it.rawKey = p.src[ks:p.i]
				json.Unmarshal(it.rawKey, &it.key) // valid: checked by json.Valid
				cs := p.i
				p.space()
				p.i++ // ':'
				p.space()
				it.colon = p.src[cs:p.i]
			}
			it.val = p.value()
			ws = p.space()
			n.items = append(n.items, it)
			if p.src[p.i] == ',' {
				it.post = ws
				p.i++
				continue
			}
			n.tail = ws
			p.i++ // the closing bracket
			break
		}
	case '"':
		p.str()
	default:
		for p.i < len(p.src) && !isSpace(p.src[p.i]) && p.src[p.i] != ',' && p.src[p.i] != ']' && p.src[p.i] != '}' {
			p.i++
		}
	}
	n.raw = p.src[start:p.i]
	return n
}

// str skips a string.
func (p *parser) str() {
	p.i++ // '"'
	for p.src[p.i] != '"' {
		if p.src[p.i] == '\\' {
			p.i++
		}
		p.i++
	}
	p.i++
}

// lineIndent returns the whitespace that starts the line holding offset i.
func (p *parser) lineIndent(i int) string {
	start := bytes.LastIndexByte(p.src[:i], '\n') + 1
	end := start
	for end < i && (p.src[end] == ' ' || p.src[end] == '\t') {
		end++
	}
	return string(p.src[start:end])
}

// detectLayout reads the indentation and spacing of the document, for the
// values that are added to it.
func (d *doc) detectLayout() {
	d.multiline = bytes.ContainsRune(d.root.raw, '\n')
	d.unit, d.colon = "  ", ": "
	var walk func(n *node) bool
	walk = func(n *node) bool {
		if n.kind == 0 {
			return false
		}
		for _, it := range n.items {
			if i := bytes.LastIndexByte(it.pre, '\n'); i >= 0 {
				if in := string(it.pre[i+1:]); len(in) > len(n.line) && strings.HasPrefix(in, n.line) {
					d.unit = in[len(n.line):]
					return true
				}
			}
			if walk(it.val) {
				return true
			}
		}
		return false
	}
	walk(d.root)
	var arrays func(n *node)
	arrays = func(n *node) {
		scalars := n.kind == '[' && len(n.items) > 0
		for _, it := range n.items {
			if it.val.kind != 0 {
				scalars = false
				arrays(it.val)
			}
		}
		if scalars && !bytes.ContainsRune(n.raw, '\n') && !d.inline {
			d.inline = true
			if len(n.items) > 1 {
				d.sep = string(n.items[1].pre)
			}
		}
	}
	if d.multiline {
		arrays(d.root)
	}
	if r := d.root; len(r.items) > 0 {
		if r.kind == '{' {
			d.colon = string(r.items[0].colon)
		}
		if !d.multiline {
			d.space = string(r.items[0].pre)
		}
	}
}

// render returns the document's text.
func (d *doc) render() []byte {
	out := append([]byte(nil), d.lead...)
	out = d.root.render(out)
	return append(out, d.trail...)
}

func (n *node) render(out []byte) []byte {
	if !n.edited {
		return append(out, n.raw...)
	}
	closing := byte('}')
	if n.kind == '[' {
		closing = ']'
	}
	out = append(out, n.kind)
	for i, it := range n.items {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, it.pre...)
		if it.rawKey != nil {
			out = append(out, it.rawKey...)
			out = append(out, it.colon...)
		}
		out = it.val.render(out)
		if i < len(n.items)-1 {
			out = append(out, it.post...)
		}
	}
	out = append(out, n.tail...)
	return append(out, closing)
}

// A pointer is a parsed JSON pointer (RFC 6901): the reference tokens.
type pointer []string

// parsePointer parses a JSON pointer such as "/Records/0/body"; "~1" stands
// for '/' and "~0" for '~' in a token.
func parsePointer(s string) (pointer, error) {
	if s == "" {
		return pointer{}, nil
	}
	if s[0] != '/' {
		return nil, fmt.Errorf("a JSON pointer starts with /, not %q", s[:1])
	}
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("%q: a JSON pointer is UTF-8 text", s)
	}
	parts := strings.Split(s[1:], "/")
	for i, t := range parts {
		for j := 0; j < len(t); j++ {
			if t[j] == '~' && (j+1 == len(t) || (t[j+1] != '0' && t[j+1] != '1')) {
				return nil, fmt.Errorf("%q: ~ must be followed by 0 or 1", s)
			}
		}
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return parts, nil
}

// ptr builds a pointer from keys (strings) and indexes (ints).
func ptr(parts ...any) pointer {
	p := make(pointer, len(parts))
	for i, v := range parts {
		switch v := v.(type) {
		case string:
			p[i] = v
		default:
			p[i] = fmt.Sprint(v)
		}
	}
	return p
}

// at returns a new pointer to the value at the path parts below p.
func (p pointer) at(parts ...any) pointer {
	return append(slices.Clip(p), ptr(parts...)...)
}

func (p pointer) String() string {
	var b strings.Builder
	for _, t := range p {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// child returns the item of container n that token t names, or nil.
func (n *node) child(t string) *item {
	switch n.kind {
	case '{':
		// The last member of a key wins, as encoding/json decodes it.
		for i := len(n.items) - 1; i >= 0; i-- {
			if n.items[i].key == t {
				return n.items[i]
			}
		}
	case '[':
		if i, ok := index(t, len(n.items)); ok {
			return n.items[i]
		}
	}
	return nil
}

// index parses an array index token: digits without leading zeros, below
// n.
func index(t string, n int) (int, bool) {
	if t == "" || (len(t) > 1 && t[0] == '0') {
		return 0, false
	}
	i, err := strconv.Atoi(t)
	if err != nil || i < 0 || i >= n || strings.IndexFunc(t, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, false
	}
	return i, true
}

// get returns the value p points to, or nil.
func (d *doc) get(p pointer) *node {
	n := d.root
	for _, t := range p {
		it := n.child(t)
		if it == nil {
			return nil
		}
		n = it.val
	}
	return n
}

// parent returns the container holding the value p points to, marking
// every container on the way as edited, or an error naming the first
// token that does not resolve.
func (d *doc) parent(p pointer) (*node, error) {
	if len(p) == 0 {
		return nil, errors.New("the pointer names the whole event")
	}
	n := d.root
	n.edited = true
	for i, t := range p[:len(p)-1] {
		it := n.child(t)
		if it == nil {
			return nil, fmt.Errorf("%s does not exist", p[:i+1])
		}
		n = it.val
		if n.kind == 0 {
			return nil, fmt.Errorf("%s is not an object or array", p[:i+1])
		}
		n.edited = true
	}
	if n.kind == 0 {
		return nil, fmt.Errorf("%s is not an object or array", p[:len(p)-1])
	}
	return n, nil
}

// set sets the value p points to: an existing member or element is
// replaced, a missing member is added at the end of its object, and the
// token "-" appends to an array. The container must exist.
func (d *doc) set(p pointer, v *node) error {
	c, err := d.parent(p)
	if err != nil {
		return err
	}
	t := p[len(p)-1]
	if it := c.child(t); it != nil {
		it.val = v
		d.fit(v, it, c)
		return nil
	}
	if c.kind == '[' && t != "-" {
		return fmt.Errorf("%s: no element %s in an array of %d", p, t, len(c.items))
	}
	it := &item{val: v}
	if c.kind == '{' {
		it.key = t
		it.rawKey = jsonString(t)
	}
	if len(c.items) > 0 {
		last := c.items[len(c.items)-1]
		it.pre, it.colon = last.pre, last.colon
		if len(c.items) == 1 && len(it.pre) == 0 && bytes.ContainsRune(it.colon, ' ') {
			it.pre = []byte(" ") // {"a": 1} on one line grows into {"a": 1, "b": 2}
		}
	} else {
		it.colon = []byte(d.colon)
		if d.multiline {
			it.pre = []byte("\n" + c.line + d.unit)
			c.tail = []byte("\n" + c.line)
		} else {
			it.pre, c.tail = []byte(d.space), []byte(d.space)
		}
	}
	c.items = append(c.items, it)
	d.fit(v, it, c)
	return nil
}

// fit lays out a value placed at item it of container c: the containers
// in a value that was parsed from compact text get the indentation of the
// lines around them.
func (d *doc) fit(v *node, it *item, c *node) {
	if v.kind == 0 || !v.edited {
		return
	}
	colon := d.colon
	if it.rawKey != nil {
		colon = string(it.colon)
	}
	i := bytes.LastIndexByte(it.pre, '\n')
	if i < 0 {
		d.layout(v, "", d.unit, colon)
		return
	}
	line, unit := string(it.pre[i+1:]), d.unit
	if len(line) > len(c.line) && strings.HasPrefix(line, c.line) {
		unit = line[len(c.line):]
	}
	d.layout(v, line, unit, colon)
}

// layout lays out a new container whose first line starts with line, one
// unit of indentation per level, and colon between keys and values.
func (d *doc) layout(n *node, line, unit, colon string) {
	if n.kind == 0 {
		return
	}
	n.line, n.edited = line, true
	n.tail = nil
	if len(n.items) == 0 {
		return
	}
	scalars := n.kind == '['
	for _, it := range n.items {
		scalars = scalars && it.val.kind == 0
	}
	for i, it := range n.items {
		switch {
		case scalars && d.inline && i == 0:
			it.pre = nil
		case scalars && d.inline:
			it.pre = []byte(d.sep)
		case d.multiline:
			it.pre = []byte("\n" + line + unit)
		default:
			it.pre = []byte(d.space)
		}
		if it.rawKey != nil {
			it.colon = []byte(colon)
		}
		it.post = nil
		d.layout(it.val, line+unit, unit, colon)
	}
	switch {
	case scalars && d.inline:
	case d.multiline:
		n.tail = []byte("\n" + line)
	default:
		n.tail = []byte(d.space)
	}
}

// remove deletes the value p points to; a missing one is no error.
func (d *doc) remove(p pointer) error {
	if d.get(p) == nil {
		return nil
	}
	c, err := d.parent(p)
	if err != nil {
		return err
	}
	t := p[len(p)-1]
	for i := len(c.items) - 1; i >= 0; i-- {
		it := c.items[i]
		if (c.kind == '{' && it.key == t) || (c.kind == '[' && strconv.Itoa(i) == t) {
			if i == 0 && len(c.items) > 1 {
				c.items[1].pre = it.pre
			}
			c.items = append(c.items[:i], c.items[i+1:]...)
			if len(c.items) == 0 {
				c.tail = nil
			}
			return nil
		}
	}
	return nil
}

// rename renames the member old of the object p points to, keeping its
// place.
func (d *doc) rename(p pointer, old, name string) error {
	n := d.get(p)
	if n == nil || n.kind != '{' {
		return fmt.Errorf("%s is not an object", p)
	}
	for _, it := range n.items {
		if it.key == old {
			it.key, it.rawKey = name, jsonString(name)
			_, err := d.parent(p.at(name))
			return err
		}
	}
	return fmt.Errorf("%s has no member %q", p, old)
}

// newValue parses JSON text into a value to set. With layout, containers
// are laid out as the document is; without, the text is kept as it is.
func newValue(text []byte, layout bool) (*node, error) {
	d, err := parseDoc(text)
	if err != nil {
		return nil, err
	}
	v := d.root
	if len(d.lead) > 0 || len(d.trail) > 0 {
		v.raw = bytes.TrimSpace(text)
	}
	if layout && v.kind != 0 {
		v.edited = true
		var mark func(n *node)
		mark = func(n *node) {
			for _, it := range n.items {
				if it.val.kind != 0 {
					it.val.edited = true
					mark(it.val)
				}
			}
		}
		mark(v)
	}
	return v, nil
}

// jsonString returns s as a JSON string, without escaping <, > and &.
func jsonString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// Typed accessors, for the override mappings.

// has reports whether p points to a value.
func (d *doc) has(p pointer) bool { return d.get(p) != nil }

// str returns the string p points to.
func (d *doc) str(p pointer) (string, bool) {
	n := d.get(p)
	if n == nil || n.kind != 0 || len(n.raw) == 0 || n.raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(n.raw, &s) != nil {
		return "", false
	}
	return s, true
}

// length returns the number of items of the container p points to.
func (d *doc) length(p pointer) int {
	if n := d.get(p); n != nil {
		return len(n.items)
	}
	return 0
}

// keys returns the member names of the object p points to.
func (d *doc) keys(p pointer) []string {
	n := d.get(p)
	if n == nil || n.kind != '{' {
		return nil
	}
	keys := make([]string, len(n.items))
	for i, it := range n.items {
		keys[i] = it.key
	}
	return keys
}

// setString sets the value p points to to the string s.
func (d *doc) setString(p pointer, s string) error {
	return d.set(p, &node{raw: jsonString(s)})
}

// setRaw sets the value p points to to JSON text, laid out as the
// document is if it is a container.
func (d *doc) setRaw(p pointer, text []byte) error {
	v, err := newValue(text, true)
	if err != nil {
		return err
	}
	return d.set(p, v)
}

// setJSON sets the value p points to to v encoded as JSON.
func (d *doc) setJSON(p pointer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return d.setRaw(p, b.Bytes())
}

// An object is a JSON object with its members in order.
type object []field

type field struct {
	key string
	val any
}

// MarshalJSON encodes the members in order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(jsonString(f.key))
		b.WriteByte(':')
		var v bytes.Buffer
		enc := json.NewEncoder(&v)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(f.val); err != nil {
			return nil, err
		}
		b.Write(bytes.TrimSuffix(v.Bytes(), []byte("\n")))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
