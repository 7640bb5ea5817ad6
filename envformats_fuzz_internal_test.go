package faas

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// FuzzFunctionTimeouts checks parseFunctionTimeouts on any value of
// FunctionTimeoutsEnv: it does not panic, and what it accepts is named
// functions with positive timeouts, a bare number being that many
// seconds (not wrapped round), that read back the same when written as
// anyfaas writes them (name=duration, comma-separated).
func FuzzFunctionTimeouts(f *testing.F) {
	for _, s := range []string{"", "api=3s,report=1m", " api = 3 , ", "api=3s,api=4s", "api", "=3s", "api=0", "api=-1s",
		"api=1h2m3.5s", "a=9223372036", "a=9223372037", "a=18446744074", "a=-9223372037", "a=1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseFunctionTimeouts(s)
		if err != nil {
			return
		}
		for pair := range strings.SplitSeq(s, ",") {
			name, value, _ := strings.Cut(pair, "=")
			if n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64); err == nil && (got[strings.TrimSpace(name)]%time.Second != 0 || int64(got[strings.TrimSpace(name)]/time.Second) != n) {
				t.Fatalf("parseFunctionTimeouts(%q) = %v: %q is %d seconds", s, got, pair, n)
			}
		}
		var pairs []string
		for _, name := range slices.Sorted(maps.Keys(got)) {
			d := got[name]
			if name == "" || name != strings.TrimSpace(name) || d <= 0 {
				t.Fatalf("parseFunctionTimeouts(%q) = %v: a function %q with timeout %v", s, got, name, d)
			}
			pairs = append(pairs, name+"="+d.String())
		}
		again, err := parseFunctionTimeouts(strings.Join(pairs, ","))
		if err != nil {
			t.Fatalf("parseFunctionTimeouts(%q) = %v, written back %q: %v", s, got, strings.Join(pairs, ","), err)
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Errorf("parseFunctionTimeouts(%q), written back and read again (-first +again):\n%s", s, diff)
		}
	})
}

// FuzzStorageFilters checks parseStorageFilters on any value of
// StorageFiltersEnv: it does not panic, and what it accepts reads back
// the same when written as anyfaas writes it (name=, then the filter's
// String, semicolon-separated). A filter of no field ("a=bucket:"
// accepted) is left out of that: its String is "", and "a=" is refused;
// anyfaas writes none.
func FuzzStorageFilters(f *testing.F) {
	for _, s := range []string{"", "api=prefix:up/,suffix:.jpg;report=bucket:logs,op:created;report=bucket:audit",
		"a=prefix:%25%2C%3B%3D", "a=prefix:x,prefix:y", "a=nope:x", "a=prefix", "a=prefix:%zz", "=bucket:b", " a = bucket: b ;;",
		"a=op:created,op:removed", "a=", "a=bucket:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseStorageFilters(s)
		if err != nil {
			return
		}
		var items []string
		for _, name := range slices.Sorted(maps.Keys(got)) {
			if name == "" || name != strings.TrimSpace(name) {
				t.Fatalf("parseStorageFilters(%q) = %v: a function named %q", s, got, name)
			}
			for _, filter := range got[name] {
				if filter.String() == "" {
					got[name] = slices.DeleteFunc(got[name], func(f StorageFilter) bool { return f.String() == "" })
					continue
				}
				items = append(items, name+"="+filter.String())
			}
			if len(got[name]) == 0 {
				delete(got, name)
			}
		}
		again, err := parseStorageFilters(strings.Join(items, ";"))
		if err != nil {
			t.Fatalf("parseStorageFilters(%q) = %v, written back %q: %v", s, got, strings.Join(items, ";"), err)
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Errorf("parseStorageFilters(%q), written back %q and read again (-first +again):\n%s", s, strings.Join(items, ";"), diff)
		}
	})
}
