package aws

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"github.com/anyfaas/faas/spec"
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
			base += hashOf(n)
		}
		ids[n] = base + suffix
	}
	return ids
}

// hashOf is the FNV-32a hash of name in hex, which sets apart the ids of
// names whose CamelCase is empty or shared.
func hashOf(name string) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	return fmt.Sprintf("%08X", h.Sum32())
}

// maxEventID bounds the id of an event: SAM names the resources an event
// makes after its function's logical id and the event's, and a
// CloudFormation logical id has at most 255 characters.
const maxEventID = 128

// eventIDs returns the ids of the unit's named events (not kafka events,
// whose name is their cluster's ARN): in a group, the function's
// CamelCase, then the name's. As logicalIDs does, a name whose CamelCase
// is empty or shared with another named event of the unit takes its hash
// too, so that its id is never empty and does not depend on the order of
// the events; a name too long is cut, and takes its hash.
func eventIDs(u *spec.Unit) map[*spec.Event]string {
	base := map[*spec.Event]string{}
	count := map[string]int{}
	for _, f := range u.Functions {
		prefix := ""
		if u.Group != nil {
			prefix = camel(f.Name)
		}
		for _, e := range f.Events {
			if e.Name != "" && e.Key != "kafka" {
				base[e] = prefix + camel(e.Name)
				count[base[e]]++
			}
		}
	}
	ids := make(map[*spec.Event]string, len(base))
	for e, id := range base {
		if camel(e.Name) == "" || count[id] > 1 {
			id += hashOf(e.Name)
		}
		if len(id) > maxEventID {
			id = id[:maxEventID-8] + hashOf(e.Name)
		}
		ids[e] = id
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
