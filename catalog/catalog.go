// Package catalog holds real sample events of every platform and trigger
// the anyfaas adapters decode, for local invocations and tests: each is a
// native event as the platform delivers it, published by the platform or
// its SDKs (see samples/SOURCES.md), which a caller can change in a few
// named places and still have a valid event.
//
// An entry is named "<platform>/<kind>", such as "aws/sqs" or
// "fc/http". [List] lists them, [Lookup] finds one by name, [Find] those of
// a platform and trigger, and [Event] returns an entry's event:
//
//	b, err := catalog.Event("aws/sqs", map[string]string{"body": `{"id":7}`})
//
// The package imports no adapter: the CLI links it to print and send
// events, and a user's tests use it through faastest.Event.
//
// # Overrides
//
// Event takes overrides as key=value pairs. A semantic key names a part of
// the standard event the entry becomes, and is written into every place
// the platform carries that part, in the platform's own form; the keys an
// entry takes are in its Keys:
//
//	http     method    the request method, a token such as GET (upper-cased)
//	         path      the decoded path, starting with /; raw paths, stages,
//	                   route keys and path parameters follow it as the
//	                   platform would set them
//	         query     a raw query string, such as a=1&b=x%20y&a=2, written
//	                   to every field that repeats it (raw, single-value,
//	                   multi-value)
//	         header.N  the header N, in the case the event has it or in the
//	                   platform's case; an empty value removes it
//	         body      the body, as text; a body that is not UTF-8 is sent
//	                   in base64, with the platform's base64 flag set
//	         cookie    the cookies of a request that carries them apart
//	                   (HTTP API 2.0, function URLs), such as a=1; b=2;
//	                   header.Cookie sets them too
//	timer    name      the trigger's name; a bare name replaces the name
//	                   in the sample's rule ARN (aws), job (gcf) or
//	                   PingSource (web)
//	         time      when it fired, in RFC 3339
//	         payload   the payload configured on the trigger; empty is
//	                   none, as a trigger configured without one sends
//	storage  bucket    the bucket, with the ARNs, URLs and ids that hold it;
//	                   also as a deploy spec names it: an S3 ARN, a gs://
//	                   URL, a COS <name>-<appid> (whose appid the event
//	                   then carries) or its domain
//	         key       the object key, decoded
//	         size      the object's size in bytes
//	message  body      the message body, in base64 where the platform
//	                   encodes it; where it carries text, a body that is
//	                   not UTF-8 is refused
//	         topic, queue or stream
//	                   where the message came from; a bare name replaces
//	                   the name in the sample's ARN or resource name
//	         attributes.N  the user attribute N (message attributes,
//	                   properties, headers)
//	message, timer
//	         project   the Google Cloud project of a Pub/Sub message's
//	                   topic and subscription, or of a Cloud Scheduler
//	                   job (gcf, web)
//
// Storage and message keys apply to every record of a batch.
//
// Every entry also takes JSON pointers (RFC 6901): a key starting with "/"
// sets the value it points to, to the value parsed as JSON if it is JSON
// and to the value as a string if not; a missing object member is added,
// and "-" appends to an array. Pointers apply after the semantic keys, so
// they can adjust anything those set.
//
// An unknown key is an error wrapping [ErrUnknownKey] that names the keys
// the entry takes; a value of the wrong form, such as a path without a
// leading slash or a method that is not a token, is an error wrapping
// [ErrInvalidValue] that says what the form is.
//
// Without overrides the event is the sample byte for byte. With them it is
// the sample changed only where the overrides point: the rest of the text,
// its member order, spacing and indentation, is kept, and added members
// follow the sample's indentation.
package catalog

import (
	"cmp"
	"embed"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode/utf8"
)

// Errors that callers may branch on; the errors returned wrap them.
var (
	// ErrNotFound is wrapped by the errors for a name, platform or
	// trigger that the catalog has no entry of.
	ErrNotFound = errors.New("not in the catalog")
	// ErrUnknownKey is wrapped by the error for an override key the
	// entry does not take.
	ErrUnknownKey = errors.New("unknown override key")
	// ErrInvalidValue is wrapped by the error for an override value of
	// the wrong form, or a JSON pointer that points nowhere.
	ErrInvalidValue = errors.New("invalid override")
)

// An Entry describes one sample event.
type Entry struct {
	// Name is "<platform>/<kind>", such as "aws/sqs".
	Name string `json:"name"`
	// Platform is the platform that delivers the event: aws, fc, scf, gcf
	// or web.
	Platform string `json:"platform"`
	// Trigger is the trigger its standard event has, as Context.Trigger
	// reports it: one of the standard triggers (http, timer, storage,
	// message, log, raw) or, for a source of no standard shape, the name
	// the adapter gives its RawEvent (such as "dynamodb", "websocket",
	// "firestore").
	Trigger string `json:"trigger"`
	// Kind names the event within its platform, such as "sqs" or
	// "apigw-v2".
	Kind string `json:"kind"`
	// Description says what the event is.
	Description string `json:"description"`
	// Source says where the sample was published; samples/SOURCES.md has
	// the links and licences.
	Source string `json:"source"`
	// ContentType is the Content-Type the event is posted with, for the
	// platforms whose events arrive as HTTP requests (gcf and web):
	// "application/cloudevents+json" for a CloudEvent in structured mode,
	// "application/json" for a legacy or push body. It is empty for the
	// platforms that pass the event to the function as its payload.
	ContentType string `json:"contentType,omitempty"`
	// Keys are the semantic override keys the entry takes, in the order
	// of the package documentation; "header.<name>" and
	// "attributes.<name>" stand for a key per name. Every entry takes
	// JSON pointers besides.
	Keys []string `json:"keys"`
}

//go:embed samples/*/*.json
var files embed.FS

// A sample is a catalog entry with what makes its event.
type sample struct {
	Entry
	mapping *mapping
	ids     []idField // see FreshIDs
}

// A mapping writes semantic overrides into one shape of native event.
type mapping struct {
	trigger string   // the standard trigger it is for
	keys    []string // the key names it takes
	apply   func(d *doc, o override) error
}

// keyList renders the keys an entry takes, for errors.
func (s *sample) keyList() string {
	if len(s.Keys) == 0 {
		return "only JSON pointers (keys starting with /)"
	}
	return strings.Join(s.Keys, ", ") + ", or JSON pointers (keys starting with /)"
}

// List returns every entry, sorted by name.
func List() []Entry {
	out := make([]Entry, len(catalog))
	for i := range catalog {
		out[i] = catalog[i].entry()
	}
	slices.SortFunc(out, func(a, b Entry) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

func (s *sample) entry() Entry {
	e := s.Entry
	e.Keys = slices.Clone(e.Keys)
	return e
}

// Lookup returns the entry of the name, such as "aws/sqs". An unknown name
// is an error wrapping ErrNotFound that lists the names close to it, or
// all names if none is.
func Lookup(name string) (Entry, error) {
	s, err := lookup(name)
	if err != nil {
		return Entry{}, err
	}
	return s.entry(), nil
}

func lookup(name string) (*sample, error) {
	for i := range catalog {
		if catalog[i].Name == name {
			return &catalog[i], nil
		}
	}
	if close := closeNames(name); len(close) > 0 {
		return nil, fmt.Errorf("catalog: %q: %w; did you mean %s?", name, ErrNotFound, strings.Join(close, ", "))
	}
	return nil, fmt.Errorf("catalog: %q: %w; the events are %s", name, ErrNotFound, strings.Join(names(), ", "))
}

// Find returns the entries of a platform and trigger, the one a platform
// most commonly delivers first (for http on aws, API Gateway's HTTP API).
// An empty trigger finds all the platform's entries, and an empty platform
// the trigger's entries of every platform. An unknown platform, or a
// trigger the platform has no entry of, is an error wrapping ErrNotFound
// that lists the valid ones.
func Find(platform, trigger string) ([]Entry, error) {
	var of, out []Entry
	for i := range catalog {
		s := &catalog[i]
		if platform != "" && s.Platform != platform {
			continue
		}
		of = append(of, s.entry())
		if trigger == "" || s.Trigger == trigger {
			out = append(out, s.entry())
		}
	}
	switch {
	case len(of) == 0:
		return nil, fmt.Errorf("catalog: platform %q: %w; the platforms are %s", platform, ErrNotFound, strings.Join(platforms(), ", "))
	case len(out) == 0 && platform == "":
		var triggers []string
		for i := range catalog {
			if !slices.Contains(triggers, catalog[i].Trigger) {
				triggers = append(triggers, catalog[i].Trigger)
			}
		}
		return nil, fmt.Errorf("catalog: trigger %q: %w; the triggers are %s", trigger, ErrNotFound, strings.Join(triggers, ", "))
	case len(out) == 0:
		var triggers []string
		for _, e := range of {
			if !slices.Contains(triggers, e.Trigger) {
				triggers = append(triggers, e.Trigger)
			}
		}
		hint := ""
		if trigger == "http" && (platform == "gcf" || platform == "web") {
			hint = " (an HTTP function on " + platform + " receives the HTTP request itself, which has no event envelope: send it a request)"
		}
		return nil, fmt.Errorf("catalog: %s has no %q events: %w%s; its triggers are %s", platform, trigger, ErrNotFound, hint, strings.Join(triggers, ", "))
	}
	return out, nil
}

// Event returns the native event of the named entry, with the overrides
// applied as the package documentation describes; with none it is the
// sample as published. An unknown name is an error wrapping ErrNotFound,
// an unknown key one wrapping ErrUnknownKey, and a value of the wrong form
// one wrapping ErrInvalidValue.
func Event(name string, overrides map[string]string) ([]byte, error) {
	s, err := lookup(name)
	if err != nil {
		return nil, err
	}
	data, err := files.ReadFile(path.Join("samples", s.Platform, s.Kind+".json"))
	if err != nil {
		return nil, fmt.Errorf("catalog: %s: reading the sample: %w", name, err)
	}
	if len(overrides) == 0 {
		return data, nil // ReadFile returns a copy
	}
	d, err := parseDoc(data)
	if err != nil {
		return nil, fmt.Errorf("catalog: %s: the sample: %w", name, err)
	}
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	// Semantic keys first, in a fixed order; then pointers.
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(isPointer(a), isPointer(b)), cmp.Compare(a, b))
	})
	for _, k := range keys {
		v := overrides[k]
		if strings.HasPrefix(k, "/") {
			if err := applyPointer(d, k, v); err != nil {
				return nil, fmt.Errorf("catalog: %s: %w", name, err)
			}
			continue
		}
		o, err := check(s, k, v)
		if err != nil {
			return nil, fmt.Errorf("catalog: %s: %w", name, err)
		}
		if err := s.mapping.apply(d, o); err != nil {
			return nil, fmt.Errorf("catalog: %s: %w: %s: %w", name, ErrInvalidValue, k, err)
		}
	}
	return d.render(), nil
}

// isPointer is 1 for a JSON pointer key, 0 for a semantic one.
func isPointer(key string) int {
	if strings.HasPrefix(key, "/") {
		return 1
	}
	return 0
}

func names() []string {
	out := make([]string, len(catalog))
	for i := range catalog {
		out[i] = catalog[i].Name
	}
	slices.Sort(out)
	return out
}

func platforms() []string {
	var out []string
	for i := range catalog {
		if !slices.Contains(out, catalog[i].Platform) {
			out = append(out, catalog[i].Platform)
		}
	}
	return out
}

// closeNames returns the names closest to an unknown one: those of the
// same kind on another platform, of the trigger it names on its platform
// ("aws/http"), of a kind it starts ("aws/sq"), or else those fewest edits
// away, if a few.
func closeNames(name string) []string {
	lower := strings.ToLower(name)
	platform, rest, _ := strings.Cut(lower, "/")
	best, out := 3, []string(nil) // more than 2 edits is not close
	for i := range catalog {
		s := &catalog[i]
		score := distance(lower, s.Name)
		if (rest == "" && s.Platform == platform) || (rest != "" && (s.Kind == rest ||
			s.Platform == platform && (s.Trigger == rest || strings.HasPrefix(s.Kind, rest)))) {
			score = 0
		}
		switch {
		case score < best:
			best, out = score, []string{s.Name}
		case score == best:
			out = append(out, s.Name)
		}
	}
	slices.Sort(out)
	return out
}

// distance returns the Levenshtein distance of a and b, by runes.
func distance(a, b string) int {
	if !utf8.ValidString(a) || !utf8.ValidString(b) {
		return max(len(a), len(b))
	}
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
