package devserver

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/anyfaas/faas/catalog"
)

// foreignEvent reports whether event is another platform's native event
// rather than one of platform's: when it is shaped like a sample of the
// catalog of another platform (the same keys, at the top and in its
// first record, for the most part) and like none of platform's as much.
// It returns that sample's entry. An event of no known shape, such as a
// direct invocation's payload, is not foreign.
func foreignEvent(platform string, event []byte) (catalog.Entry, bool) {
	keys := shapeOf(event)
	if len(keys) == 0 || keys["specversion"] && (platform == "web" || platform == "gcf") {
		// Any structured CloudEvent is theirs, of whatever source.
		return catalog.Entry{}, false
	}
	var best, own float64
	var match catalog.Entry
	for _, s := range sampleShapes() {
		score := similarity(keys, s.keys)
		switch {
		case s.entry.Platform == platform:
			own = max(own, score)
		case score > best:
			best, match = score, s.entry
		}
	}
	// Half the keys in common, at least: a sample's optional fields may
	// be missing, or the event's carry more.
	if best < 0.5 || best <= own {
		return catalog.Entry{}, false
	}
	return match, true
}

// A ForeignEventError is the error of an event, sent to a function on
// Platform that serves no HTTP, that is shaped like Like, a sample of
// another platform's: the emulator would deliver it as an event of
// Platform that the function does not take (on web, as a request to
// /<function>, which no route serves).
type ForeignEventError struct {
	Platform string
	Like     catalog.Entry
}

// Error says what the event is shaped like and what Platform delivers;
// the caller adds how to send that, in its own terms.
func (e *ForeignEventError) Error() string {
	want := "the event the platform delivers (anyfaas event list " + e.Platform + ")"
	switch e.Platform {
	case "web":
		want = `a CloudEvent in the structured JSON format (an object with "specversion"), as Knative Eventing delivers it`
	case "gcf":
		want = `a CloudEvent in the structured JSON format (an object with "specversion"), or a legacy background event {"context", "data"}`
	}
	return fmt.Sprintf("the event is shaped like %s (%s), not the native event of %s, which is %s",
		e.Like.Name, e.Like.Description, e.Platform, want)
}

// CheckNative returns a *ForeignEventError if event is shaped like
// another platform's native event rather than like one of platform's,
// else nil: anyfaas dev's invoke endpoint and anyfaas invoke refuse such
// an event for a function that serves no HTTP. An event of no known
// shape, such as a direct invocation's payload, and a structured
// CloudEvent on gcf and web, pass.
func CheckNative(platform string, event []byte) error {
	if e, ok := foreignEvent(platform, event); ok {
		return &ForeignEventError{Platform: platform, Like: e}
	}
	return nil
}

// shape is the keys of a sample, and its entry.
type shape struct {
	entry catalog.Entry
	keys  map[string]bool
}

// sampleShapes are the shapes of the catalog's samples, read once.
var sampleShapes = sync.OnceValue(func() []shape {
	var out []shape
	for _, e := range catalog.List() {
		b, err := catalog.Event(e.Name, nil)
		if err != nil {
			continue
		}
		if keys := shapeOf(b); len(keys) > 0 {
			out = append(out, shape{entry: e, keys: keys})
		}
	}
	return out
})

// shapeOf returns the keys of a JSON object: its own, and those of the
// objects its keys hold (of the first element of an array), as "a.b";
// nil if event is not a JSON object.
func shapeOf(event []byte) map[string]bool {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(event, &top); err != nil || len(top) == 0 {
		return nil
	}
	keys := make(map[string]bool)
	for k, raw := range top {
		keys[k] = true
		var inner map[string]json.RawMessage
		if json.Unmarshal(raw, &inner) != nil {
			var list []map[string]json.RawMessage
			if json.Unmarshal(raw, &list) != nil || len(list) == 0 {
				continue
			}
			inner = list[0]
		}
		for sub := range inner {
			keys[k+"."+sub] = true
		}
	}
	return keys
}

// similarity is the share of the keys of a and b that both have.
func similarity(a, b map[string]bool) float64 {
	both := 0
	for k := range a {
		if b[k] {
			both++
		}
	}
	return float64(both) / float64(len(a)+len(b)-both)
}

// NativeTrigger returns the trigger of the catalog's sample of platform
// that event is shaped like most (half its keys in common, at least), or
// "" if it is shaped like none: what an event file holds, such as an API
// Gateway request (http) or an SQS batch (message).
func NativeTrigger(platform string, event []byte) string {
	keys := shapeOf(event)
	if len(keys) == 0 {
		return ""
	}
	best, trigger := 0.0, ""
	for _, s := range sampleShapes() {
		if s.entry.Platform != platform {
			continue
		}
		if score := similarity(keys, s.keys); score > best {
			best, trigger = score, s.entry.Trigger
		}
	}
	if best < 0.5 {
		return ""
	}
	return trigger
}
