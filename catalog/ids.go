package catalog

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path"
	"strconv"
	"strings"
	"unicode"
)

// The ids of the samples: the request, message and event ids a platform
// gives each invocation or message anew. A sample has the same ones every
// time; FreshIDs gives an event new ones, so that an invocation looks like
// the next one a platform delivers (a handler that deduplicates messages
// by id takes each).

// uuidForm is the form of the ids whose sample is a placeholder (such as
// "MessageID_1") where the platform gives a UUID.
const uuidForm = "00000000-0000-4000-8000-000000000000"

// An idField is an id of a sample: the JSON pointers that carry it (more
// than one where the platform gives them the same value, as Eventarc gives
// a Pub/Sub CloudEvent its message's id), and the form of a new one, "" for
// the sample's own. A token "*" stands for each element of an array, each
// getting an id of its own.
type idField struct {
	pointers []string
	form     string
}

// id is an id at the pointers, of the form of the sample's value.
func id(pointers ...string) idField { return idField{pointers: pointers} }

// uuid is an id at the pointers whose sample is a placeholder: a new one
// is a UUID, as the platform gives.
func uuid(pointers ...string) idField { return idField{pointers: pointers, form: uuidForm} }

// FreshIDs sets in overrides new ids for the named entry's sample: for each
// of its request ids, message ids and event ids (a CloudEvent's id), a JSON
// pointer key with an id newID makes, as a JSON string. newID is given the
// form of the id, the sample's value or a UUID where the sample's is a
// placeholder, and returns a new one; NewID makes a random id of the form,
// and a test can give a deterministic source. Where the platform gives
// several fields one id (a Pub/Sub CloudEvent's id and its message's
// messageId), they get one; where overrides sets one of them already (a
// user's JSON pointer), the others get its value, and the ids overrides
// sets are left as they are. Each element of a batch gets its own id. An
// unknown name is an error wrapping ErrNotFound.
func FreshIDs(name string, overrides map[string]string, newID func(form string) string) error {
	s, err := lookup(name)
	if err != nil {
		return err
	}
	if len(s.ids) == 0 {
		return nil
	}
	data, err := files.ReadFile(path.Join("samples", s.Platform, s.Kind+".json"))
	if err != nil {
		return fmt.Errorf("catalog: %s: reading the sample: %w", name, err)
	}
	d, err := parseDoc(data)
	if err != nil {
		return fmt.Errorf("catalog: %s: the sample: %w", name, err)
	}
	for _, f := range s.ids {
		for _, group := range expand(d, f.pointers) {
			value, set := "", false
			for _, p := range group {
				if v, ok := overrides[p]; ok {
					value, set = v, true
					break
				}
			}
			if !set {
				form := f.form
				if form == "" {
					p, _ := parsePointer(group[0])
					form, _ = d.str(p)
				}
				b, _ := json.Marshal(newID(form))
				value = string(b)
			}
			for _, p := range group {
				if _, ok := overrides[p]; !ok {
					overrides[p] = value
				}
			}
		}
	}
	return nil
}

// expand returns the pointers of one id, each "*" token replaced with the
// indexes of the array it stands in: a group of pointers per element, in
// order. A pointer to no string of the sample is left out.
func expand(d *doc, pointers []string) [][]string {
	var out [][]string
	for _, s := range pointers {
		for i, p := range expandOne(d, s) {
			if i == len(out) {
				out = append(out, nil)
			}
			if pp, err := parsePointer(p); err == nil {
				if _, ok := d.str(pp); ok {
					out[i] = append(out[i], p)
				}
			}
		}
	}
	return out
}

// expandOne expands the first "*" of a pointer, and the rest recursively.
func expandOne(d *doc, s string) []string {
	before, after, ok := strings.Cut(s, "/*")
	if !ok || (after != "" && after[0] != '/') {
		return []string{s}
	}
	p, err := parsePointer(before)
	if err != nil {
		return nil
	}
	n := d.get(p)
	if n == nil || n.kind != '[' {
		return nil
	}
	var out []string
	for i := range len(n.items) {
		out = append(out, expandOne(d, before+"/"+strconv.Itoa(i)+after)...)
	}
	return out
}

// NewID returns a random id of the form of form: in a hexadecimal id
// (one whose letters are all a to f, in one case), each digit, letter or
// '*' (a masked character of a published sample) is replaced with a random
// hex digit of the id's case; in any other, each digit or '*' with a random
// digit and each letter with a random letter of its case. A UUID is
// hexadecimal, and keeps its version and variant; the rest of the form
// is kept.
func NewID(form string) string {
	hasLetter := strings.IndexFunc(form, isLetter) >= 0
	notHex := strings.IndexFunc(form, func(c rune) bool { return isLetter(c) && !strings.ContainsRune("abcdefABCDEF", c) }) >= 0
	lower, upper := strings.IndexFunc(form, unicode.IsLower) >= 0, strings.IndexFunc(form, unicode.IsUpper) >= 0
	digits := "0123456789abcdef"
	if upper {
		digits = "0123456789ABCDEF"
	}
	isUUID := !notHex && len(form) == 36 && form[8] == '-' && form[13] == '-' && form[18] == '-' && form[23] == '-'
	hex := (hasLetter || isUUID) && !notHex && !(lower && upper)
	b := []byte(form)
	for i, c := range b {
		switch {
		case isUUID && (i == 14 || i == 19): // version and variant
		case hex && (c == '*' || c >= '0' && c <= '9' || isLetter(rune(c))):
			b[i] = digits[rand.IntN(16)]
		case c >= '0' && c <= '9', c == '*':
			b[i] = '0' + byte(rand.IntN(10))
		case c >= 'a' && c <= 'z':
			b[i] = 'a' + byte(rand.IntN(26))
		case c >= 'A' && c <= 'Z':
			b[i] = 'A' + byte(rand.IntN(26))
		}
	}
	return string(b)
}

func isLetter(c rune) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
