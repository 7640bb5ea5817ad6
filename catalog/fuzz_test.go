package catalog_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/anyfaas/faas/catalog"
)

// FuzzEvent sets one override on one entry. Event never panics; it fails
// only with the package's errors; what it returns is JSON; and an event
// made with a semantic key is still a valid event of the entry's trigger,
// which its platform's adapter decodes.
func FuzzEvent(f *testing.F) {
	entries := catalog.List()
	for i, e := range entries {
		for _, pattern := range e.Keys {
			for _, try := range typicals[pattern] {
				f.Add(uint(i), keyOf(pattern), try.value)
			}
		}
		f.Add(uint(i), "/xcatalog", `{"a":[1,"b"]}`)
		f.Add(uint(i), "/0/body", "x")
	}
	f.Add(uint(0), "path", "/%zz")
	f.Add(uint(0), "header.X", "\u2028")
	f.Add(uint(0), "query", "a=%2&b")
	f.Fuzz(func(t *testing.T, i uint, key, value string) {
		e := entries[i%uint(len(entries))]
		b, err := catalog.Event(e.Name, map[string]string{key: value})
		if err != nil {
			if !errors.Is(err, catalog.ErrUnknownKey) && !errors.Is(err, catalog.ErrInvalidValue) {
				t.Fatalf("%s %s=%q: an error of no kind: %v", e.Name, key, value, err)
			}
			return
		}
		if !json.Valid(b) {
			t.Fatalf("%s %s=%q: not JSON:\n%s", e.Name, key, value, b)
		}
		if strings.HasPrefix(key, "/") {
			return // a pointer may make any JSON, valid as an event or not
		}
		s, err := replay(e, b)
		if err != nil {
			t.Fatalf("%s %s=%q: the adapter refused the event: %v\n%s", e.Name, key, value, err, b)
		}
		if s.trigger != e.Trigger {
			t.Fatalf("%s %s=%q: trigger %q, want %q\n%s", e.Name, key, value, s.trigger, e.Trigger, b)
		}
	})
}
