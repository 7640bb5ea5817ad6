package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/catalog"
	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/internal/devserver"
	"github.com/anyfaas/faas/internal/project"
	"github.com/anyfaas/faas/route"
	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen/scf"
)

func (c *cli) invokeCmd() *cobra.Command {
	var (
		function, platform, trigger, event, data string
		sets, headers                            []string
	)
	cmd := &cobra.Command{
		Use:   "invoke [dir] -f NAME",
		Short: "Run one function once under its platform's emulator, with a sample or given event",
		Long: `Invoke builds the project for this machine once (the go command caches the work),
runs the unit serving the function under the platform's emulator — the
binary as it is deployed, speaking the platform's runtime protocol — sends
it one native event and prints the result on standard output, with the
platform's log lines (request id, duration, billed duration, max memory)
on standard error.

The event is, the first that applies:
  --event FILE     a native event in a file ("-" reads standard input)
  --event NAME     a sample of the catalog, such as aws/sqs (anyfaas event list)
  --trigger T      the catalog's first sample of trigger T on the platform,
                   a trigger the function declares (if it declares any)
  (none)           the catalog's sample of the function's first trigger
A sample chosen by trigger is of the source the function's event of that
trigger names in f.yml (an SNS topic rather than an SQS queue on aws), and
carries its bucket, queue or topic, or timer payload. --set key=value
overrides a sample's fields (anyfaas event show NAME lists them) and
--data sets its body or payload.

On gcf and web, events arrive as CloudEvents, over HTTP. A sample goes in
binary mode, as Eventarc (and Knative Eventing) delivers it: attributes
as ce-* headers, data as the body. A CloudEvent in the structured JSON
format given with --event goes as it is, in structured mode. To send one
in binary mode, give its data as --event and its attributes as headers,
as gcloud's documentation and Eventarc's samples show them:
  anyfaas invoke -p gcf -f onUpload --event object.json \
    -H 'ce-type: google.cloud.storage.object.v1.finalized' \
    -H 'ce-source: //storage.googleapis.com/projects/_/buckets/uploads' \
    -H 'ce-subject: objects/in/a.jpg'
ce-specversion defaults to 1.0 and ce-id to a new id; Content-Type, to
application/json, is the data's content type. For an HTTP function on
gcf and web, -H adds any header to the request.

What f.yml and the catalog decide (--trigger, --event, --set, --data of
a sample) is checked before building; a function f.yml does not name
may be one the code registers, so -f naming none is refused (exit 2, as
package's -f) once the code is read. So is an event file shaped like
another platform's native event (an SQS batch on web), sent to a
function that serves no HTTP, as anyfaas dev refuses it (exit 2).

Exit code 6 means the function failed (for an HTTP function, a 5xx
answer, in the platform's envelope or not; on aws, an answer naming
messages of the batch in batchItemFailures, which Lambda delivers again);
its error is printed as the platform reports it, or for a partial batch
failure, after the answer, how many messages failed.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Ctrl-C stops the function and removes the build.
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if function == "" {
				return usageError("name the function to invoke with -f")
			}
			platform, err := platformFlag(platform)
			if err != nil {
				return err
			}
			// The code is read from the build that runs: one build.
			p, err := c.loadWith(ctx, projectDir(args), false, project.LoadSpecOrCode)
			if err != nil {
				return err
			}
			platform = cmp.Or(platform, p.spec.Provider.Platform, faas.PlatformWeb)
			// --trigger picks the sample only without --event, and only
			// one of a trigger the function declares. Where f.yml gives
			// the function events, they are its triggers (the code's
			// give way), known before building.
			askedTrigger := trigger != "" && event == ""
			if askedTrigger {
				if err := sampleTrigger(platform, trigger); err != nil {
					return err
				}
				if f := p.spec.Function(function); f != nil {
					if err := declaresTrigger(f, trigger, p.spec.File); err != nil {
						return err
					}
				}
			}
			overrides, err := parseSets(sets)
			if err != nil {
				return err
			}
			header, err := parseHeaders(headers)
			if err != nil {
				return err
			}
			// ce-* headers: --event is the data of a CloudEvent in
			// binary mode, whatever it holds.
			binary := binaryHeader(header)
			if binary != nil {
				if !devserver.DeliversBinary(platform) {
					return usageError("-H ce-…: a CloudEvent in binary mode is delivered by gcf and web, not %s: give -p gcf, or a native event of %s with --event", platform, platform)
				}
				if event != "-" && !fileExists(event) {
					return usageError("-H ce-…: the headers are the attributes of a CloudEvent in binary mode, whose data --event FILE (or - for standard input) gives")
				}
				if binary.Get("Ce-Type") == "" || binary.Get("Ce-Source") == "" {
					return usageError("-H ce-…: a CloudEvent needs ce-type and ce-source, such as -H 'ce-type: google.cloud.storage.object.v1.finalized' -H 'ce-source: //storage.googleapis.com/projects/_/buckets/BUCKET'")
				}
				if len(overrides) > 0 || data != "" {
					return usageError("--set and --data change catalog samples, not --event files")
				}
			}
			// What f.yml and the catalog decide is made before
			// building, once: a wrong --set or --data costs no build,
			// and the event checked is the event sent (the same ids).
			// Where the code gives the function its triggers (f.yml
			// names it without events, or not at all), the code's
			// events and routes decide the sample, so it is made once
			// the code is read, and what f.yml and the catalog decide
			// of it only checked now.
			var sent *sentEvent
			if binary != nil {
				payload, err := readEvent(event)
				if err != nil {
					return err
				}
				sent = &sentEvent{payload: payload}
			} else if f := p.spec.Function(function); event != "" || f != nil && len(f.Events) > 0 && !timerSample(f, trigger) {
				sent, err = makeEvent(p.spec, f, function, platform, event, trigger, data, overrides, time.Now())
			} else {
				err = checkEvent(function, platform, trigger, p.spec.Provider.Project, data, overrides)
			}
			if err != nil {
				return err
			}
			// Another platform's event in --event FILE, checked where
			// f.yml says what the function serves; else once the code
			// is read.
			checkedForeign := false
			if f := p.spec.Function(function); f != nil && len(f.Events) > 0 {
				if err := foreignEvent(platform, event, binary, sent, f); err != nil {
					return err
				}
				checkedForeign = true
			}
			tmp, err := os.MkdirTemp("", "anyfaas-invoke-")
			if err != nil {
				return withCode(exitOther, err)
			}
			defer os.RemoveAll(tmp)
			c.progress("building %s for %s", cmp.Or(p.spec.Package.Main, "."), platform)
			bin, err := buildNative(ctx, p, platform, tmp)
			if err != nil {
				return err
			}
			if err := c.readCode(ctx, p, bin); err != nil {
				return err
			}
			unit, fn := unitOf(p.merged, function)
			if unit == nil {
				return usageError("no function %q: the functions are %s", function, strings.Join(functionNames(p.merged), ", "))
			}
			if askedTrigger {
				// The triggers the code declares, where f.yml gives none.
				if err := declaresTrigger(fn, trigger, p.spec.File); err != nil {
					return err
				}
			}
			if sent == nil {
				sent, err = makeEvent(p.merged, fn, function, platform, event, trigger, data, overrides, time.Now())
				if err != nil {
					return err
				}
			}
			if !checkedForeign {
				if err := foreignEvent(platform, event, binary, sent, fn); err != nil {
					return err
				}
			}
			if sent.note != "" {
				c.progress("%s", sent.note)
			}
			req, payload, eventTrigger := sent.req, sent.payload, sent.trigger

			f, err := devserver.UnitFunction(p.merged, unit, platform, bin, p.dir, tmp)
			if err != nil {
				return withCode(exitOther, err)
			}
			f.Log = c.stderr
			emu, err := devserver.NewEmulator(platform, f, p.merged, unit)
			if err != nil {
				return withCode(exitOther, err)
			}
			if err := emu.Start(ctx); err != nil {
				emu.Close(context.WithoutCancel(ctx))
				var start *emulator.StartError
				if errors.As(err, &start) && ctx.Err() == nil {
					// The function failed to initialise: its failure.
					return withCode(exitFunction, err)
				}
				return withCode(exitOther, err)
			}
			// The headers the event goes with: binary mode's, or for a
			// structured CloudEvent given as a file, a Content-Type that
			// has it sent as it is.
			deliver := binary
			if deliver == nil && event != "" && (event == "-" || fileExists(event)) {
				deliver = devserver.DeliveryHeader(nil, payload)
			}
			if other := otherHeaders(header); len(other) > 0 {
				if req == nil {
					return usageError("-H %s: only an HTTP function's request on gcf and web takes headers other than ce-* (a CloudEvent in binary mode)", slices.Sorted(maps.Keys(other))[0])
				}
				for k, vs := range other {
					req.Header[k] = vs
				}
			}
			if req != nil {
				rec := httptest.NewRecorder()
				emu.ServeHTTP(rec, req.WithContext(ctx))
				if err := emu.Close(ctx); err != nil {
					c.progress("stopping the function: %v", err)
				}
				return c.printHTTP(function, rec.Result())
			}
			invokeCtx := emulator.WithFunction(ctx, function)
			if deliver != nil {
				invokeCtx = emulator.WithHeader(invokeCtx, deliver)
			}
			res, err := emu.Invoke(invokeCtx, payload)
			closeErr := emu.Close(ctx)
			if err != nil {
				return withCode(exitOther, err)
			}
			if closeErr != nil {
				c.progress("stopping the function: %v", closeErr)
			}
			var failed error
			switch {
			case res.Error != nil:
				failed = fmt.Errorf("%s failed: %s", function, describeFailure(res.Error))
			case platform != faas.PlatformWeb && platform != faas.PlatformGCF && isHTTPEvent(platform, eventTrigger, payload, fn):
				// (On web and gcf the payload is the body itself, no
				// envelope: printHTTP judges the status.)
				// An HTTP function answers in the platform's HTTP
				// envelope: a 5xx there is the function failing, as
				// on web and gcf.
				if status, ok := envelopeStatus(res.Payload); ok && status >= 500 {
					failed = fmt.Errorf("%s failed: HTTP %d %s", function, status, http.StatusText(status))
				}
			case platform == faas.PlatformAWS:
				// A partial batch response: the messages it names fail,
				// and Lambda delivers them again.
				if n := batchItemFailures(res.Payload); n > 0 {
					failed = fmt.Errorf("%s failed: %s", function, batchFailed(n, batchSize(payload)))
				}
			}
			if c.json {
				out := map[string]any{"ok": failed == nil, "requestId": res.RequestID, "durationMs": float64(res.Duration.Microseconds()) / 1000,
					"billedMs": res.Billed.Milliseconds(), "maxMemoryMB": res.MaxMemoryMB, "payload": string(res.Payload)}
				if res.MaxMemoryMB == emulator.MemoryUnknown {
					out["maxMemoryMB"] = nil // not measured (see emulator.MemoryUnknown)
				}
				if res.Error != nil {
					out["errorType"], out["errorMessage"] = res.Error.Type, res.Error.Message
				}
				if failed != nil {
					out["error"], out["exitCode"] = failed.Error(), exitFunction
					failed = reportedError{failed}
				}
				c.printJSON(out)
			} else {
				c.stdout.Write(res.Payload)
				if !bytes.HasSuffix(res.Payload, []byte("\n")) {
					fmt.Fprintln(c.stdout)
				}
			}
			return withCode(exitFunction, failed)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&function, "function", "f", "", "the function to invoke")
	f.StringVarP(&platform, "platform", "p", "", "the platform to emulate: aws, fc, scf, gcf, web (default: provider.name of f.yml, else web)")
	f.StringVar(&trigger, "trigger", "", "the trigger whose sample event to send: http, timer, storage, message, log…")
	f.StringVar(&event, "event", "", "a native event: a file, - for standard input, or a catalog name such as aws/sqs")
	f.StringVar(&data, "data", "", "the body (HTTP, message) or payload (timer) of the sample event")
	f.StringArrayVar(&sets, "set", nil, "override a field of the sample event, key=value (repeatable)")
	f.StringArrayVarP(&headers, "header", "H", nil, "a header, 'Name: value' (repeatable): ce-* headers send --event FILE as the data of a CloudEvent in binary mode (gcf, web); others go on an HTTP function's request")
	return cmd
}

// sentEvent is the event invoke sends: on a plain HTTP host, the request
// itself an HTTP function gets (req), else a native event (payload); for
// a sample of the catalog, its trigger and the progress line that names
// it (note).
type sentEvent struct {
	req     *http.Request
	payload []byte
	trigger string
	note    string
}

// timerSample reports whether invoke sends function fn of the spec a
// timer's sample, with --trigger trigger and no --event: one whose name,
// the one its trigger is deployed under, depends on its unit's other
// timers, which the code may declare (spec.Unit.TimerNames).
func timerSample(fn *spec.Function, trigger string) bool {
	if trigger == "" && len(fn.Events) > 0 {
		trigger = fn.Events[0].Trigger
	}
	return trigger == faas.TriggerTimer
}

// makeEvent returns the event invoke sends to function, fn in the spec s
// (nil if s does not name it; then event is not ""), for --event
// (event), --trigger (trigger), --data and --set (overrides, to which it
// adds what the sample takes of fn and f.yml): of trigger, or else of
// fn's first trigger, or raw. The sample of an HTTP trigger is of fn's
// first route, that of a timer named as its deployed trigger is
// (spec.Spec.EventSource), else for the function, firing at now.
func makeEvent(s *spec.Spec, fn *spec.Function, function, platform, event, trigger, data string, overrides map[string]string, now time.Time) (*sentEvent, error) {
	project := s.Provider.Project
	if trigger == "" && event == "" {
		trigger = faas.TriggerRaw
		if len(fn.Events) > 0 {
			trigger = fn.Events[0].Trigger
		}
	}
	// On a plain HTTP host, and as an SCF web function, an HTTP function
	// gets the request itself, which no event envelope wraps.
	requests := servesRequests(s, platform, function)
	if requests && platform == faas.PlatformSCF {
		if event != "" {
			return nil, usageError("--event %s: function %s is an SCF web function (platforms.scf type: web), which takes HTTP requests, not events: give the request with --set method=…, path=…, query=…, header.<name>=… and --data", event, function)
		}
		if trigger != faas.TriggerHTTP {
			return nil, usageError("--trigger %s: function %s is an SCF web function (platforms.scf type: web), which takes HTTP requests alone", trigger, function)
		}
	}
	if event == "" && trigger == faas.TriggerHTTP && requests {
		req, err := httpRequest(fn, data, overrides)
		if err != nil {
			return nil, err
		}
		return &sentEvent{req: req}, nil
	}
	if event == "" && trigger == faas.TriggerHTTP {
		// The sample is of some other route: make it the function's.
		method, path := routeOf(fn)
		if _, ok := overrides["method"]; !ok {
			overrides["method"] = method
		}
		if _, ok := overrides["path"]; !ok {
			overrides["path"] = path
		}
	}
	if event == "" && trigger == faas.TriggerTimer {
		// The timer's name as deployed, by which the unit's App routes
		// it, as it routes the platform's events.
		devserver.TimerDefaults(overrides, cmp.Or(s.EventSource(platform, fn.EventOf(trigger)), function), now)
	}
	var declared *spec.Event // what f.yml says of the trigger
	if event == "" {
		declared = fn.EventOf(trigger)
	}
	payload, eventTrigger, note, err := invokeEvent(platform, event, trigger, declared, project, data, overrides)
	if err != nil {
		return nil, err
	}
	return &sentEvent{payload: payload, trigger: eventTrigger, note: note}, nil
}

// servesRequests reports whether function, of s, takes the HTTP requests
// themselves on platform, rather than events that wrap them: on a plain
// HTTP host and Cloud Run, and as an SCF web function (scf.FunctionType).
func servesRequests(s *spec.Spec, platform, function string) bool {
	switch platform {
	case faas.PlatformWeb, faas.PlatformGCF:
		return true
	case faas.PlatformSCF:
		u, _ := unitOf(s, function)
		return u != nil && scf.FunctionType(s, u) == "web"
	}
	return false
}

// invokeEvent returns the native event to send and, for a sample of the
// catalog, its trigger ("" for an event file) and the progress line that
// names it. A sample chosen by trigger is the one sampleOf picks for
// declared, the function's event of that trigger (nil if it has none),
// with what f.yml says of it.
func invokeEvent(platform, event, trigger string, declared *spec.Event, project, data string, overrides map[string]string) (_ []byte, eventTrigger, note string, _ error) {
	if event != "" && (event == "-" || fileExists(event)) {
		if len(overrides) > 0 || data != "" {
			return nil, "", "", usageError("--set and --data change catalog samples, not --event files")
		}
		payload, err := readEvent(event)
		if err != nil {
			return nil, "", "", err
		}
		name := event
		if event == "-" {
			name = "standard input"
		}
		if err := devserver.CheckJSON(payload); err != nil {
			return nil, "", "", withCode(exitInvalid, fmt.Errorf("%s: %w", name, err))
		}
		return payload, "", "", nil
	}
	entry, applied, unset, payload, err := invokeSample(platform, event, trigger, declared, project, data, overrides)
	if err != nil {
		return nil, "", "", err
	}
	var notes []string
	if len(applied) > 0 {
		notes = append(notes, "from f.yml: "+strings.Join(applied, ", "))
	}
	if len(unset) > 0 {
		notes = append(notes, "left as the sample has it, as its ${env.…} is not set: "+strings.Join(unset, ", "))
	}
	note = "event: " + entry.Name
	if len(notes) > 0 {
		note += " (" + strings.Join(notes, "; ") + ")"
	}
	return payload, entry.Trigger, note, nil
}

// foreignEvent returns the usage error of --event FILE (event) holding
// another platform's native event, sent to fn, which serves no HTTP, as
// anyfaas dev's invoke endpoint refuses it (see devserver.CheckNative),
// or nil: on web, say, it would go as a request to /<fn>, which no route
// serves. sent is the event made of it, and binary the headers of a
// CloudEvent in binary mode, whose data it is then, whatever it holds.
func foreignEvent(platform, event string, binary http.Header, sent *sentEvent, fn *spec.Function) error {
	if sent == nil || sent.req != nil || sent.trigger != "" || binary != nil || fn.EventOf(faas.TriggerHTTP) != nil {
		return nil // a sample of the catalog (of the platform), or a request
	}
	err := devserver.CheckNative(platform, sent.payload)
	var foreign *devserver.ForeignEventError
	if !errors.As(err, &foreign) {
		return nil
	}
	like := foreign.Like
	sample := "leave --event out for the sample of its trigger on " + platform
	if fn.CheckTrigger(like.Trigger, "") == nil {
		sample = fmt.Sprintf("give --trigger %s instead of --event for a sample of %s", like.Trigger, platform)
	}
	return usageError("--event %s: %w: give -p %s to emulate %s, or %s", event, err, like.Platform, like.Platform, sample)
}

// readEvent reads the event of --event FILE, or of standard input for -.
func readEvent(event string) ([]byte, error) {
	var payload []byte
	var err error
	if event == "-" {
		payload, err = io.ReadAll(os.Stdin)
	} else {
		payload, err = os.ReadFile(event)
	}
	if err != nil {
		return nil, withCode(exitInvalid, fmt.Errorf("--event: %w", err))
	}
	return payload, nil
}

// parseHeaders reads -H 'Name: value' flags.
func parseHeaders(list []string) (http.Header, error) {
	h := make(http.Header)
	for _, kv := range list {
		name, value, ok := strings.Cut(kv, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, usageError("-H %q: want 'Name: value', such as -H 'ce-type: google.cloud.storage.object.v1.finalized'", kv)
		}
		h.Add(name, strings.TrimSpace(value))
	}
	return h, nil
}

// binaryHeader returns the headers of a CloudEvent in binary mode that h
// gives, its ce-* headers and Content-Type, with ce-specversion 1.0 and a
// new ce-id where h gives none, or nil if h has no ce-* header.
func binaryHeader(h http.Header) http.Header {
	out := make(http.Header)
	for k, vs := range h {
		if len(k) > 3 && strings.EqualFold(k[:3], "ce-") {
			out[k] = vs
		}
	}
	if len(out) == 0 {
		return nil
	}
	if out.Get("Ce-Specversion") == "" {
		out.Set("Ce-Specversion", "1.0")
	}
	if out.Get("Ce-Id") == "" {
		out.Set("Ce-Id", newID("00000000-0000-4000-8000-000000000000"))
	}
	if ct := h.Get("Content-Type"); ct != "" {
		out.Set("Content-Type", ct)
	}
	return out
}

// otherHeaders returns the headers of h that are neither ce-* nor, with
// them, Content-Type.
func otherHeaders(h http.Header) http.Header {
	binary := binaryHeader(h) != nil
	out := make(http.Header)
	for k, vs := range h {
		if len(k) > 3 && strings.EqualFold(k[:3], "ce-") || binary && k == "Content-Type" {
			continue
		}
		out[k] = vs
	}
	return out
}

// newID makes the new ids of the samples invoke and dev send (see
// catalog.FreshIDs), as the platform gives each invocation and message
// its own; tests make them deterministic.
var newID = catalog.NewID

// invokeSample returns the catalog's sample that invoke sends, as
// invokeEvent describes it, with --data and the overrides (to which it
// adds f.yml's) applied: the sample's entry, the overrides f.yml gave
// (applied) and those it left out (unset), and the native event.
func invokeSample(platform, event, trigger string, declared *spec.Event, project, data string, overrides map[string]string) (entry catalog.Entry, applied, unset []string, payload []byte, _ error) {
	switch {
	case event != "":
		e, err := catalog.Lookup(event)
		if err != nil {
			return entry, nil, nil, nil, usageError("--event %s: no such file, and %v", event, err)
		}
		if e.Platform != platform {
			return entry, nil, nil, nil, usageError("--event %s is an event of %s, not of %s: pick one of %s/…", event, e.Platform, platform, platform)
		}
		entry = e
	default:
		entries, err := catalog.Find(platform, trigger)
		if err != nil {
			return entry, nil, nil, nil, usageError("--trigger: %v", err)
		}
		entry, applied, unset = sampleOf(entries, declared, project, overrides)
	}
	if data != "" {
		key := ""
		for _, k := range []string{"body", "payload"} {
			if slices.Contains(entry.Keys, k) {
				key = k
				break
			}
		}
		if key == "" {
			return entry, nil, nil, nil, usageError("--data: the sample %s has no body or payload; set its fields with --set (keys: %s)", entry.Name, strings.Join(entry.Keys, ", "))
		}
		overrides[key] = data
		// --data has the last word over f.yml (a timer's payload).
		applied = slices.DeleteFunc(applied, func(kv string) bool { return strings.HasPrefix(kv, key+"=") })
	}
	if err := catalog.FreshIDs(entry.Name, overrides, newID); err != nil {
		return entry, nil, nil, nil, usageError("%v", err)
	}
	payload, err := catalog.Event(entry.Name, overrides)
	if err != nil {
		return entry, nil, nil, nil, usageError("%v", err)
	}
	return entry, applied, unset, payload, nil
}

// checkEvent returns the error invoke would find, once the code is read,
// in the event it sends to function, a function whose triggers the code
// gives (f.yml names it without events, or not at all), where the
// catalog decides it already: the overrides and --data of the sample of
// --trigger (trigger), or of the request itself an HTTP function gets on
// web and gcf. The sample is made again once the code is read, as the
// code's events and routes change it (a bucket, a route); what the code
// alone decides (its first trigger, without --trigger) is checked then.
func checkEvent(function, platform, trigger, project, data string, overrides map[string]string) error {
	if trigger == "" {
		return nil // the code's first trigger
	}
	if trigger == faas.TriggerHTTP && (platform == faas.PlatformWeb || platform == faas.PlatformGCF) {
		_, err := httpRequest(&spec.Function{Name: function}, data, maps.Clone(overrides))
		return err
	}
	_, _, _, _, err := invokeSample(platform, "", trigger, nil, project, data, maps.Clone(overrides))
	return err
}

// sampleOf returns, of a platform's samples of e's trigger (entries, in
// the catalog's order), the one e is delivered as, and sets in overrides,
// where they do not set them already, the keys that make it carry what
// f.yml says of e: a storage event's bucket, and a key that its filter's
// prefix and suffix pass (prefix + "sample" + suffix), a message event's
// queue or topic, a timer's payload (none where f.yml gives none); applied
// lists those it set, as
// key=value. A value that holds an ${env.NAME} whose variable is not set
// is left out, the sample keeping its own, and listed in unset as f.yml
// gives it (the key path: the value).
// The sample is the first that takes them all (a Kafka one for a kafka
// event), which is the source the deploy specs subscribe the function to: an SQS queue, an SNS topic or
// MSK on aws, an MNS queue or topic on fc, a CMQ topic or CKafka on scf,
// Pub/Sub on gcf and web. Without e, or if no sample takes what it says
// (a queue on scf, gcf or web, which their deploy specs refuse), it is the
// first sample, without overrides.
func sampleOf(entries []catalog.Entry, e *spec.Event, project string, overrides map[string]string) (_ catalog.Entry, applied, unset []string) {
	entry, want, unset := sampleFor(entries, e, project)
	// What is set already (with --set, or in dev's request) has the last
	// word.
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if _, ok := overrides[k]; !ok {
			overrides[k] = want[k]
			applied = append(applied, k+"="+want[k])
		}
	}
	// A timer configured without a payload sends none: the sample's
	// is the publisher's invention.
	if _, ok := overrides["payload"]; !ok && entry.Trigger == faas.TriggerTimer && slices.Contains(entry.Keys, "payload") &&
		(e == nil || !e.Unresolved("payload")) {
		overrides["payload"] = ""
	}
	return entry, applied, unset
}

// sampleName is the name between a storage filter's prefix and suffix in
// the key of a sample.
const sampleName = "sample"

// sampleFor is sampleOf's choice: the sample, the overrides from e and
// project, and what of e it leaves out.
func sampleFor(entries []catalog.Entry, e *spec.Event, project string) (catalog.Entry, map[string]string, []string) {
	entry, want, unset := sampleOfEvent(entries, e)
	// The Google Cloud project of a Pub/Sub topic or Cloud Scheduler job
	// given by name is provider.project, as the deploy specs make it (a
	// Knative Trigger's or Eventarc trigger's source): the sample's is
	// another's. One given as projects/<p>/… says its own, which the
	// topic key sets after this.
	if project != "" && !strings.Contains(project, "${") && slices.Contains(entry.Keys, "project") {
		if want == nil {
			want = map[string]string{}
		}
		want["project"] = project
	}
	return entry, want, unset
}

// sampleOfEvent is sampleFor's choice by e alone.
func sampleOfEvent(entries []catalog.Entry, e *spec.Event) (catalog.Entry, map[string]string, []string) {
	want := map[string]string{}
	var needs, unset []string // the keys the sample must take; what is left out
	// put sets key to value, f.yml's field of e, unless its ${env.NAME} is
	// not set; the sample must take key either way.
	put := func(key, field, value string) {
		needs = append(needs, key)
		if e.Unresolved(field) {
			unset = append(unset, field+": "+value)
			return
		}
		want[key] = value
	}
	switch {
	case e == nil:
	case e.Storage != nil:
		if e.Storage.Bucket != "" {
			put("bucket", "bucket", e.Storage.Bucket)
		}
		if e.Storage.Prefix != "" || e.Storage.Suffix != "" {
			// A key the filter passes, of the parts that are known.
			key := sampleName
			if e.Unresolved("filter.prefix") {
				unset = append(unset, "filter.prefix: "+e.Storage.Prefix)
			} else {
				key = e.Storage.Prefix + key
			}
			if e.Unresolved("filter.suffix") {
				unset = append(unset, "filter.suffix: "+e.Storage.Suffix)
			} else {
				key += e.Storage.Suffix
			}
			needs = append(needs, "key")
			want["key"] = key
		}
	case e.Message != nil && e.Message.Queue != "":
		put("queue", "queue", e.Message.Queue)
	case e.Message != nil && e.Message.Topic != "":
		put("topic", "topic", e.Message.Topic)
	case e.Timer != nil && e.Timer.Payload != "":
		put("payload", "payload", e.Timer.Payload)
	}
	if len(needs) == 0 {
		return entries[0], nil, nil
	}
	takes := func(entry catalog.Entry) bool {
		for _, k := range needs {
			if !slices.Contains(entry.Keys, k) {
				return false
			}
		}
		return true
	}
	if e.Key == "kafka" {
		for _, entry := range entries {
			if strings.Contains(entry.Kind, "kafka") && takes(entry) {
				return entry, want, unset
			}
		}
	}
	for _, entry := range entries {
		if takes(entry) {
			return entry, want, unset
		}
	}
	return entries[0], nil, nil
}

// sampleTrigger returns the error of a trigger the catalog has no sample
// of on platform. An HTTP function on web and gcf is sent the request
// itself, which needs none.
func sampleTrigger(platform, trigger string) error {
	if trigger == faas.TriggerHTTP && (platform == faas.PlatformWeb || platform == faas.PlatformGCF) {
		return nil
	}
	if _, err := catalog.Find(platform, trigger); err != nil {
		return usageError("--trigger: %v", err)
	}
	return nil
}

// declaresTrigger returns the usage error of --trigger naming a trigger
// fn does not declare, or nil; see spec.Function.CheckTrigger.
func declaresTrigger(fn *spec.Function, trigger, file string) error {
	if err := fn.CheckTrigger(trigger, file); err != nil {
		return usageError("--trigger %s: %v", trigger, err)
	}
	return nil
}

// parseSets reads --set key=value flags.
func parseSets(sets []string) (map[string]string, error) {
	out := map[string]string{}
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return nil, usageError("--set %q: want key=value", s)
		}
		out[k] = v
	}
	return out, nil
}

// unitOf returns the unit that serves function name, its own unit before
// a group's, and the function.
func unitOf(s *spec.Spec, name string) (*spec.Unit, *spec.Function) {
	var found *spec.Unit
	var fn *spec.Function
	for _, u := range s.Units() {
		for _, f := range u.Functions {
			if f.Name == name && (found == nil || found.Group != nil) {
				found, fn = u, f
			}
		}
	}
	return found, fn
}

func functionNames(s *spec.Spec) []string {
	var names []string
	for _, f := range s.Functions {
		names = append(names, f.Name)
	}
	slices.Sort(names)
	return names
}

// httpRequest makes the request an HTTP function gets on a plain HTTP
// host: its first route's method and path (a {param} standing for itself)
// unless --set gives method, path, query, header.<name> or cookie, with
// --data (or --set body=) as the body.
func httpRequest(fn *spec.Function, data string, overrides map[string]string) (*http.Request, error) {
	method, path := routeOf(fn)
	body := data
	h := http.Header{}
	var query string
	for _, k := range slices.Sorted(maps.Keys(overrides)) {
		v := overrides[k]
		switch name, isHeader := strings.CutPrefix(k, "header."); {
		case k == "method":
			method = strings.ToUpper(v)
		case k == "path":
			if !strings.HasPrefix(v, "/") || strings.ContainsAny(v, "?#") {
				return nil, usageError("--set path=%s: a path starts with / and holds no query (give it as query=…)", v)
			}
			path = v
		case k == "query":
			if _, err := url.ParseQuery(v); err != nil {
				return nil, usageError("--set query=%s: %v", v, err)
			}
			query = v
		case k == "body":
			body = v
		case k == "cookie":
			h.Add("Cookie", v)
		case isHeader && name != "":
			h.Add(name, v)
		default:
			return nil, usageError("--set %s: an HTTP request takes method, path, query, header.<name>, cookie and body", k)
		}
	}
	target := path
	if query != "" {
		target += "?" + query
	}
	req, err := http.NewRequest(method, "http://127.0.0.1"+target, strings.NewReader(body))
	if err != nil {
		return nil, usageError("the request: %v", err)
	}
	maps.Copy(req.Header, h)
	if body != "" && req.Header.Get("Content-Type") == "" {
		ct := "text/plain; charset=utf-8"
		if json.Valid([]byte(body)) {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	return req, nil
}

// printHTTP prints a response: its status and headers on standard error
// (in JSON mode, all of it on standard output), its body on standard
// output. A 5xx answer is the function failing.
func (c *cli) printHTTP(function string, res *http.Response) error {
	body, _ := io.ReadAll(res.Body)
	var failed error
	if res.StatusCode >= 500 {
		failed = fmt.Errorf("%s failed: HTTP %s", function, res.Status)
	}
	if c.json {
		out := map[string]any{"ok": failed == nil, "status": res.StatusCode, "headers": res.Header, "body": string(body)}
		if failed != nil {
			out["error"], out["exitCode"] = failed.Error(), exitFunction
			failed = reportedError{failed}
		}
		c.printJSON(out)
	} else {
		fmt.Fprintf(c.stderr, "HTTP %s\n", res.Status)
		for _, k := range slices.Sorted(maps.Keys(res.Header)) {
			for _, v := range res.Header[k] {
				fmt.Fprintf(c.stderr, "%s: %s\n", k, v)
			}
		}
		c.stdout.Write(body)
		if !bytes.HasSuffix(body, []byte("\n")) {
			fmt.Fprintln(c.stdout)
		}
	}
	return withCode(exitFunction, failed)
}

// batchItemFailures returns the number of items a Lambda partial batch
// response (SQS, Kinesis, DynamoDB streams) says failed: the length of
// its batchItemFailures, 0 if payload is no such response.
func batchItemFailures(payload []byte) int {
	var resp struct {
		BatchItemFailures []json.RawMessage `json:"batchItemFailures"`
	}
	if json.Unmarshal(payload, &resp) != nil {
		return 0
	}
	return len(resp.BatchItemFailures)
}

// batchSize returns the number of records of a batch event, 0 if it has
// none.
func batchSize(event []byte) int {
	var ev struct {
		Records []json.RawMessage `json:"Records"`
	}
	json.Unmarshal(event, &ev)
	return len(ev.Records)
}

// batchFailed says that n messages of a batch of size failed (size 0:
// unknown).
func batchFailed(n, size int) string {
	of := ""
	if size > 0 {
		of = fmt.Sprintf(" of %d", size)
	}
	what := "messages"
	if n == 1 && size <= 1 {
		what = "message"
	}
	return fmt.Sprintf("%d%s %s failed (the answer's batchItemFailures); the platform delivers them again", n, of, what)
}

// describeFailure says how the function failed: as the platform reports
// it, but a failure an HTTP-hosted function names by a 4xx status alone
// (the emulators' Type "415 Unsupported Media Type") is the event refused,
// before any handler ran.
func describeFailure(fe *emulator.FunctionError) string {
	if code, text, ok := strings.Cut(fe.Type, " "); ok && len(code) == 3 && code[0] == '4' && text != "" && text == statusText(code) {
		return fmt.Sprintf("rejected the event (%s): %s", fe.Type, fe.Message)
	}
	return fe.Error()
}

// statusText is http.StatusText of the status code, "" if it is none.
func statusText(code string) string {
	n, err := strconv.Atoi(code)
	if err != nil {
		return ""
	}
	return http.StatusText(n)
}

// isHTTPEvent reports whether the event sent to fn on platform is an HTTP
// request: a sample of trigger http or, for an event file (eventTrigger
// ""), one shaped like the platform's HTTP samples (an API Gateway
// request), or, of no shape the catalog knows, one sent to a function
// whose every trigger is HTTP.
func isHTTPEvent(platform, eventTrigger string, payload []byte, fn *spec.Function) bool {
	if eventTrigger != "" {
		return eventTrigger == faas.TriggerHTTP
	}
	if t := devserver.NativeTrigger(platform, payload); t != "" {
		return t == faas.TriggerHTTP
	}
	for _, e := range fn.Events {
		if e.Trigger != faas.TriggerHTTP {
			return false
		}
	}
	return len(fn.Events) > 0
}

// envelopeStatus returns the status of an HTTP response in a platform's
// envelope: statusCode, as AWS's API Gateway and ALB, FC's HTTP trigger
// and SCF's API Gateway all have it.
func envelopeStatus(payload []byte) (int, bool) {
	var env struct {
		StatusCode *int `json:"statusCode"`
	}
	if err := json.Unmarshal(payload, &env); err != nil || env.StatusCode == nil {
		return 0, false
	}
	return *env.StatusCode, true
}

// routeOf returns the method and path of fn's first HTTP route, a {param}
// in it standing for itself; GET / if it has none.
func routeOf(fn *spec.Function) (method, path string) {
	method, path = http.MethodGet, "/"
	for _, e := range fn.Events {
		if e.HTTP != nil {
			path = strings.NewReplacer("{", "", "}", "", "...", "").Replace(e.HTTP.Path)
			if len(e.HTTP.Methods) > 0 && e.HTTP.Methods[0] != route.Any {
				method = e.HTTP.Methods[0]
			}
			break
		}
	}
	return method, path
}
