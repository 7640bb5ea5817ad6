package aws

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
)

// camel returns s in CamelCase with its letters and digits only: each run
// of letters and digits starts with an upper-case letter (get-item_v2 is
// GetItemV2).
func camel(s string) string {
	var b strings.Builder
	upper := true
	for _, r := range s {
		if !isAlnum(r) {
			upper = true
			continue
		}
		if upper && 'a' <= r && r <= 'z' {
			r -= 'a' - 'A'
		}
		upper = false
		b.WriteRune(r)
	}
	return b.String()
}

func isAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

// logicalIDs returns the CloudFormation logical id of each name: its
// CamelCase and suffix. Names whose CamelCase is empty or shared with
// another name take the FNV-32a hash of the name too, in hex, so that an
// id depends only on its name and on whether another name collides with
// it, never on the order of the names.
func logicalIDs(names []string, suffix string) map[string]string {
	count := map[string]int{}
	for _, n := range names {
		count[camel(n)]++
	}
	ids := make(map[string]string, len(names))
	for _, n := range names {
		base := camel(n)
		if base == "" || count[base] > 1 {
			h := fnv.New32a()
			h.Write([]byte(n))
			base += fmt.Sprintf("%08X", h.Sum32())
		}
		ids[n] = base + suffix
	}
	return ids
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func itoa(n int) string { return strconv.Itoa(n) }
