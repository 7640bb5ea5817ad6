// Package jsonwire reads and writes the JSON of platform wire formats
// without reflection: it walks the members of an object and the elements
// of an array as raw slices of the input, and appends JSON strings. Adapters
// use it to tell one event shape from another before decoding, and to write
// responses.
package jsonwire

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// SyntaxError reports malformed JSON at a byte offset.
type SyntaxError struct {
	Offset int
	msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s at offset %d", e.msg, e.Offset) }

// ErrNotObject is returned by Object for a value that is not an object.
var ErrNotObject = errors.New("not a JSON object")

// MaxDepth is how deeply objects and arrays may nest, as in encoding/json.
// Deeper input is a SyntaxError: without a bound, a few megabytes of "["
// would exhaust the stack, which no recover can catch.
const MaxDepth = 10000

// Object calls fn with the unescaped key and the raw value of each member
// of the object in data, in order, until fn returns false. Leading and
// trailing whitespace is allowed; anything else around the object is an
// error. Object checks the syntax of everything it walks over.
func Object(data []byte, fn func(key string, value []byte) bool) error {
	return Members(data, func(key, value []byte) bool { return fn(string(key), value) })
}

// Members is Object with each key as bytes: the unescaped key, which is a
// slice of data when the key holds no escape or non-ASCII byte, and is
// valid only during the call. For such keys it allocates nothing, and
// neither does a switch on string(key): it is what decoders on hot paths
// use.
func Members(data []byte, fn func(key, value []byte) bool) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return ErrNotObject
	}
	end, err := object(data, i, 0, fn)
	if err != nil {
		return err
	}
	if j := skipSpace(data, end); j != len(data) {
		return &SyntaxError{j, "invalid character after the top-level value"}
	}
	return nil
}

// Array calls fn with the raw value of each element of the array in data,
// in order, until fn returns false.
func Array(data []byte, fn func(value []byte) bool) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '[' {
		return errors.New("not a JSON array")
	}
	end, err := array(data, i, 0, fn)
	if err != nil {
		return err
	}
	if j := skipSpace(data, end); j != len(data) {
		return &SyntaxError{j, "invalid character after the top-level value"}
	}
	return nil
}

// Member returns the raw value of the member key of the object in data,
// or nil if there is none.
func Member(data []byte, key string) []byte {
	var found []byte
	Members(data, func(k, v []byte) bool {
		if string(k) == key {
			found = v
			return false
		}
		return true
	})
	return found
}

// String returns the string value raw holds, or "" and false if raw is not
// a JSON string.
func String(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	if end, err := stringEnd(raw, 0); err != nil || end != len(raw) {
		return "", false
	}
	b, err := unquoteBytes(raw)
	return string(b), err == nil
}

// Bytes returns a new slice holding the string value raw holds, or nil and
// false if raw is not a JSON string.
func Bytes(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return nil, false
	}
	if end, err := stringEnd(raw, 0); err != nil || end != len(raw) {
		return nil, false
	}
	b, err := unquoteBytes(raw)
	if err != nil {
		return nil, false
	}
	if len(b) > 0 && &b[0] == &raw[1] { // a slice of raw: copy it
		b = append([]byte(nil), b...)
	}
	return b, true
}

// Valid reports whether data is one valid JSON value.
func Valid(data []byte) bool {
	i := skipSpace(data, 0)
	end, err := value(data, i, 0)
	return err == nil && skipSpace(data, end) == len(data)
}

func object(data []byte, i, depth int, fn func(key, value []byte) bool) (int, error) {
	if depth >= MaxDepth {
		return i, &SyntaxError{i, "exceeded the maximum nesting depth"}
	}
	i = skipSpace(data, i+1) // past '{'
	if i < len(data) && data[i] == '}' {
		return i + 1, nil
	}
	stopped := false
	for {
		if i >= len(data) {
			return i, &SyntaxError{i, "unexpected end of JSON input"}
		}
		if data[i] != '"' {
			return i, &SyntaxError{i, "expected a string key"}
		}
		kend, err := stringEnd(data, i)
		if err != nil {
			return i, err
		}
		rawKey := data[i:kend]
		i = skipSpace(data, kend)
		if i >= len(data) || data[i] != ':' {
			return i, &SyntaxError{i, "expected ':' after an object key"}
		}
		i = skipSpace(data, i+1)
		vend, err := value(data, i, depth+1)
		if err != nil {
			return i, err
		}
		if !stopped && fn != nil {
			key, err := unquoteBytes(rawKey)
			if err != nil {
				return i, err
			}
			stopped = !fn(key, data[i:vend])
		}
		i = skipSpace(data, vend)
		if i >= len(data) {
			return i, &SyntaxError{i, "unexpected end of JSON input"}
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return i + 1, nil
		default:
			return i, &SyntaxError{i, "expected ',' or '}' after an object member"}
		}
	}
}

func array(data []byte, i, depth int, fn func([]byte) bool) (int, error) {
	if depth >= MaxDepth {
		return i, &SyntaxError{i, "exceeded the maximum nesting depth"}
	}
	i = skipSpace(data, i+1) // past '['
	if i < len(data) && data[i] == ']' {
		return i + 1, nil
	}
	stopped := false
	for {
		end, err := value(data, i, depth+1)
		if err != nil {
			return i, err
		}
		if !stopped && fn != nil {
			stopped = !fn(data[i:end])
		}
		i = skipSpace(data, end)
		if i >= len(data) {
			return i, &SyntaxError{i, "unexpected end of JSON input"}
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case ']':
			return i + 1, nil
		default:
			return i, &SyntaxError{i, "expected ',' or ']' after an array element"}
		}
	}
}

// value returns the end of the JSON value starting at i, depth levels in.
func value(data []byte, i, depth int) (int, error) {
	if i >= len(data) {
		return i, &SyntaxError{i, "unexpected end of JSON input"}
	}
	switch c := data[i]; {
	case c == '{':
		return object(data, i, depth, nil)
	case c == '[':
		return array(data, i, depth, nil)
	case c == '"':
		return stringEnd(data, i)
	case c == 't':
		return literal(data, i, "true")
	case c == 'f':
		return literal(data, i, "false")
	case c == 'n':
		return literal(data, i, "null")
	case c == '-' || ('0' <= c && c <= '9'):
		return number(data, i)
	}
	return i, &SyntaxError{i, fmt.Sprintf("invalid character %q looking for the beginning of a value", data[i])}
}

func literal(data []byte, i int, lit string) (int, error) {
	if len(data)-i >= len(lit) && string(data[i:i+len(lit)]) == lit {
		return i + len(lit), nil
	}
	return i, &SyntaxError{i, "invalid literal"}
}

func number(data []byte, i int) (int, error) {
	start := i
	if data[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case digits() == 0:
		return start, &SyntaxError{i, "invalid number"}
	}
	if i < len(data) && data[i] == '.' {
		i++
		if digits() == 0 {
			return start, &SyntaxError{i, "invalid number: no digits after '.'"}
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if digits() == 0 {
			return start, &SyntaxError{i, "invalid number: no digits in the exponent"}
		}
	}
	return i, nil
}

// stringEnd returns the end of the string starting at the quote at i,
// checking its escapes and that it holds no control characters.
func stringEnd(data []byte, i int) (int, error) {
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			return j + 1, nil
		case c == '\\':
			j++
			if j >= len(data) {
				break
			}
			switch data[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(data) || !isHex4(data[j+1:j+5]) {
					return i, &SyntaxError{j, `invalid \u escape in a string`}
				}
				j += 4
			default:
				return i, &SyntaxError{j, "invalid escape in a string"}
			}
		case c < 0x20:
			return i, &SyntaxError{j, "control character in a string"}
		}
	}
	return i, &SyntaxError{len(data), "unexpected end of JSON input in a string"}
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// unquoteBytes decodes a JSON string literal whose syntax stringEnd
// checked: a slice of raw when it holds no escape and no byte beyond ASCII,
// else a new slice. As encoding/json does, invalid UTF-8 and lone
// surrogates become U+FFFD.
func unquoteBytes(raw []byte) ([]byte, error) {
	body := raw[1 : len(raw)-1]
	simple := true
	for _, c := range body {
		if c == '\\' || c >= utf8.RuneSelf {
			simple = false
			break
		}
	}
	if simple {
		return body, nil
	}
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '\\':
			i++
			switch body[i] {
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r := rune(hex4(body[i+1 : i+5]))
				i += 5
				if utf16.IsSurrogate(r) {
					// A pair decodes to one rune; anything else is U+FFFD,
					// and a following escape is decoded on its own.
					if i+6 <= len(body) && body[i] == '\\' && body[i+1] == 'u' {
						if d := utf16.DecodeRune(r, rune(hex4(body[i+2:i+6]))); d != utf8.RuneError {
							r, i = d, i+6
						} else {
							r = utf8.RuneError
						}
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
				continue
			default: // '"', '\\', '/'
				out = append(out, body[i])
			}
			i++
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(body[i:])
			out = utf8.AppendRune(out, r)
			i += size
		}
	}
	return out, nil
}

func hex4(b []byte) uint16 {
	n, _ := strconv.ParseUint(string(b), 16, 16)
	return uint16(n)
}

// AppendBytes is AppendString of the text in b, without converting it to
// a string first.
func AppendBytes(dst, b []byte) []byte {
	if len(b) == 0 {
		return append(dst, '"', '"')
	}
	// AppendString only reads s, and b outlives the call.
	return AppendString(dst, unsafe.String(unsafe.SliceData(b), len(b)))
}

// AppendString appends s to dst as a JSON string, escaping as encoding/json
// does without HTML escaping: quotes, backslashes, control characters and
// U+2028 and U+2029 are escaped, and invalid UTF-8 becomes U+FFFD.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// Kind names the JSON type of a raw value for messages: "an object", "an
// array", "a string", "a boolean", "null", "a number", or "nothing" for an
// empty one. Surrounding white space is ignored.
func Kind(raw []byte) string {
	i := skipSpace(raw, 0)
	if i == len(raw) {
		return "nothing"
	}
	switch raw[i] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// PathAt returns the path of the innermost member or element of the JSON
// value in data that holds the byte at offset pos, such as
// Records[1].messageAttributes.a.stringValue, or "" when pos is in none
// (outside the value, or on a key or a comma). Of data that is not valid
// JSON it reads what comes before pos. It reads data once, up to the end
// of the value it names.
func PathAt(data []byte, pos int) string {
	path, _, _ := pathAt(data, pos)
	return path
}

// TypeErrorField returns the path of the value of data that encoding/json
// refused with err, as PathAt names it: with the array indexes and map
// keys that err.Field lacks (Records[1].messageAttributes.a.stringValue,
// not Records.messageAttributes.stringValue). err.Offset is just past the
// end of a refused literal, or just past the opening of a refused object
// or array; where it is neither for the value PathAt finds, as when a
// type's own UnmarshalJSON decoded a part of data, it returns err.Field.
func TypeErrorField(data []byte, err *json.UnmarshalTypeError) string {
	off := int(err.Offset)
	path, start, end := pathAt(data, off-1)
	if path != "" && (off == end || off-1 == start && (data[start] == '{' || data[start] == '[')) {
		return path
	}
	return err.Field
}

// pathAt is PathAt, with where the value it names starts and ends (end
// -1 when it was not read to its end).
func pathAt(data []byte, pos int) (path string, start, end int) {
	i := skipSpace(data, 0)
	if pos < i || pos >= len(data) {
		return "", 0, -1
	}
	f := pathFinder{data: data, pos: pos, end: -1}
	f.walk(i, 0)
	return f.found, f.start, f.end
}

// pathFinder reads a JSON value for pathAt, up to the innermost value that
// holds pos.
type pathFinder struct {
	data  []byte
	pos   int
	path  []byte // of the value being read
	done  bool
	found string
	start int
	end   int
}

// walk reads the value at i and returns its end, unless it or a value in
// it holds pos (done), or it is not valid JSON (ok false).
func (f *pathFinder) walk(i, depth int) (end int, ok bool) {
	data := f.data
	if depth >= MaxDepth || i >= len(data) {
		return i, false
	}
	start := i
	switch data[i] {
	case '{', '[':
		closer := byte('}')
		if data[i] == '[' {
			closer = ']'
		}
		i = skipSpace(data, i+1)
		for n := 0; ; n++ {
			if i < len(data) && data[i] == closer && n == 0 {
				end = i + 1
				break
			}
			mark := len(f.path)
			if closer == '}' {
				if i >= len(data) || data[i] != '"' {
					return i, false
				}
				kend, err := stringEnd(data, i)
				if err != nil {
					return i, false
				}
				key, err := unquoteBytes(data[i:kend])
				if err != nil {
					return i, false
				}
				if mark > 0 {
					f.path = append(f.path, '.')
				}
				f.path = append(f.path, key...)
				if i = skipSpace(data, kend); i >= len(data) || data[i] != ':' {
					return i, false
				}
				i = skipSpace(data, i+1)
			} else {
				f.path = append(strconv.AppendInt(append(f.path, '['), int64(n), 10), ']')
			}
			if i > f.pos { // pos is between members: in this value, in none of them
				f.path = f.path[:mark]
				f.hold(start, -1)
				return i, true
			}
			vend, ok := f.walk(i, depth+1)
			f.path = f.path[:mark]
			if !ok || f.done {
				return vend, ok
			}
			i = skipSpace(data, vend)
			if i < len(data) && data[i] == ',' {
				i = skipSpace(data, i+1)
				continue
			}
			if i >= len(data) || data[i] != closer {
				return i, false
			}
			end = i + 1
			break
		}
	default:
		var err error
		if end, err = value(data, i, depth); err != nil {
			return i, false
		}
	}
	if f.pos < end {
		f.hold(start, end)
	}
	return end, true
}

// hold records the value being read, from start to end, as the one that
// holds pos.
func (f *pathFinder) hold(start, end int) {
	f.done, f.found, f.start, f.end = true, string(f.path), start, end
}
