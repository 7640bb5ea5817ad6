package faas

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/anyfaas/faas/route"
)

// TriggerSpec is a trigger a function declares in code with [HTTP], [Timer]
// or [On]. Where f.yml declares triggers for the same function, f.yml wins.
type TriggerSpec struct {
	// Trigger is the trigger name, such as TriggerHTTP.
	Trigger string `json:"trigger"`
	// Route is the route of an HTTP trigger in canonical form, such as
	// "GET /items/{id}".
	Route string `json:"route,omitempty"`
	// Schedule is a timer's schedule.
	Schedule string `json:"schedule,omitempty"`
	// Source is what the platform's events of a trigger other than HTTP
	// carry to say where they come from, as anyfaas deploys the trigger:
	// a timer's trigger or rule name ([TimerEvent.Name]), a message
	// trigger's queue or topic ([Message.Source]), a storage trigger's
	// bucket ([StorageRecord.Bucket]). Where several functions of a unit
	// declare an event's trigger, the App gives the event to the one
	// whose Source names the event's source, as it is or in the
	// platform's resource form: an ARN ending in ":NAME" or "/NAME"
	// (arn:aws:sqs:…:NAME, arn:aws:events:…:rule/NAME), an MNS
	// subject's queues/NAME, a COS bucket NAME-APPID. Empty for a trigger
	// the code declares, which says nothing of its source; see
	// [App.Invoke].
	Source string `json:"source,omitempty"`
	// Prefix, Suffix and Ops are a storage trigger's filter, as f.yml
	// gives it and the platform applies it: the trigger's records have
	// keys that begin with Prefix and end with Suffix, and one of Ops
	// as their [StorageRecord.Op] if Ops is not empty. Where several
	// functions of a unit declare storage triggers whose Source names
	// an event's bucket, the App gives the event to the one whose
	// trigger's filter selects its first record. anyfaas gives them for
	// the storage triggers of a unit that shares its bucket with another
	// function's only, so that the manifests of other units stay as
	// they were.
	Prefix string   `json:"prefix,omitempty"`
	Suffix string   `json:"suffix,omitempty"`
	Ops    []string `json:"ops,omitempty"`
}

// selects reports whether the storage filter of t (Prefix, Suffix, Ops)
// selects rec; every record when rec is nil.
func (t *TriggerSpec) selects(rec *StorageRecord) bool {
	return rec == nil || strings.HasPrefix(rec.Key, t.Prefix) && strings.HasSuffix(rec.Key, t.Suffix) &&
		(len(t.Ops) == 0 || slices.Contains(t.Ops, rec.Op))
}

// FuncOption configures a function registered with [App.Func].
type FuncOption func(*function)

// HTTP declares an HTTP trigger on a route pattern in the syntax of
// net/http's ServeMux: an optional method and a path whose segments may be
// parameters ({id}, or :id) and whose last segment may be a wildcard
// ({rest...}, or *). See package route for the matching rules.
//
// A function with HTTP routes serves only the requests one of them
// matches, also when it is the only function of its App or the invocation
// names it: any other request gets the App's 404, or 405 with Allow, and
// never reaches the handler (see [App.Invoke]). A function without one
// takes every request that reaches it.
func HTTP(pattern string) FuncOption {
	return func(f *function) {
		p, err := route.Parse(pattern)
		if err != nil {
			f.errs = append(f.errs, err)
			return
		}
		f.patterns = append(f.patterns, p)
		f.triggers = append(f.triggers, TriggerSpec{Trigger: TriggerHTTP, Route: p.String()})
	}
}

// Timer declares a scheduled trigger. The schedule is "@every" and a
// duration ("@every 5m"), a cron expression of five to seven fields, or an
// AWS rate(...) or cron(...) expression.
func Timer(schedule string) FuncOption {
	return func(f *function) {
		if err := checkSchedule(schedule); err != nil {
			f.errs = append(f.errs, err)
			return
		}
		f.triggers = append(f.triggers, TriggerSpec{Trigger: TriggerTimer, Schedule: schedule})
	}
}

// On declares that the function handles events of a trigger, such as
// TriggerStorage or TriggerMessage. In a unit of several functions, an event
// of that trigger is routed to the function that declares it.
func On(trigger string) FuncOption {
	return func(f *function) {
		switch {
		case trigger == TriggerHTTP:
			f.errs = append(f.errs, errors.New(`faas.On("http") declares no route: use faas.HTTP("METHOD /path")`))
			return
		case !validName.MatchString(trigger):
			f.errs = append(f.errs, fmt.Errorf("trigger name %q is not valid", trigger))
			return
		}
		f.triggers = append(f.triggers, TriggerSpec{Trigger: trigger})
	}
}

// WithLayers applies layers to this function only. They run inside the
// global layers of [App.Use].
func WithLayers(layers ...Layer) FuncOption {
	return func(f *function) { f.layers = append(f.layers, layers...) }
}

// everyDuration returns the duration of an "@every <duration>" schedule,
// as the regular expression `^@every\s+(\S+)$` would capture it. The
// package does without regexp, which would add to every binary.
func everyDuration(s string) (string, bool) {
	const space = "\t\n\f\r " // what \s matches
	rest, ok := strings.CutPrefix(s, "@every")
	if !ok {
		return "", false
	}
	d := strings.TrimLeft(rest, space)
	if len(d) == len(rest) || d == "" || strings.ContainsAny(d, space) {
		return "", false
	}
	return d, true
}

func checkSchedule(s string) error {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return errors.New("timer schedule is empty")
	case strings.HasPrefix(s, "@every"):
		every, ok := everyDuration(s)
		if !ok {
			return fmt.Errorf("timer schedule %q: want \"@every\" and a duration, such as \"@every 5m\"", s)
		}
		d, err := time.ParseDuration(every)
		if err != nil || d <= 0 {
			return fmt.Errorf("timer schedule %q: %q is not a positive duration", s, every)
		}
	case strings.HasPrefix(s, "rate(") || strings.HasPrefix(s, "cron("):
		if !strings.HasSuffix(s, ")") {
			return fmt.Errorf("timer schedule %q: missing \")\"", s)
		}
	default:
		if n := len(strings.Fields(s)); n < 5 || n > 7 {
			return fmt.Errorf("timer schedule %q: a cron expression has 5 to 7 fields, not %d", s, n)
		}
	}
	return nil
}

// validName is what function and trigger names may be: what every platform
// accepts as a function name, `^[A-Za-z_][A-Za-z0-9_-]{0,63}$`.
var validName nameSyntax

type nameSyntax struct{}

// MatchString reports whether s is a valid name.
func (nameSyntax) MatchString(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', c == '_':
		case i > 0 && ('0' <= c && c <= '9' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// function is one registered function.
type function struct {
	name   string
	source any // what was passed to Func
	// caller is the program counter of the call of App.Func that
	// registered the function, for FunctionInfo.Source.
	caller   uintptr
	ctor     bool
	handler  Handler // resolved at FunctionStart for constructors
	triggers []TriggerSpec
	patterns []*route.Pattern
	// routeTable holds the function's own routes, to find path parameters
	// when the function is invoked by name or alone.
	routeTable *route.Table[*function]
	// routeParams reports whether a route in routeTable has parameters.
	routeParams bool
	// literal is routeTable's one route when it has one and that has no
	// parameter (GET /hello): match compares a request with it before it
	// looks the request up.
	literal *route.Pattern
	layers  []Layer
	errs    []error
	chain   Handler // layers around handler, built at start
	// preflight, when one of layers answers CORS preflights, is the
	// function as the App routes a preflight to it: a copy, built at
	// start, with the same chain, whose innermost handler gives an
	// invocation routed to the copy the App's answer to a request it does
	// not route instead of the function's handler.
	preflight *function
	// logger is the Logger hook of the innermost layer of the function's
	// invocations with one, global or its own, built at start.
	logger func(*Context) *slog.Logger
	// timeout is the function's own timeout, from WithFunctionTimeouts;
	// zero for none.
	timeout time.Duration
	// storageFilters select the records of the storage events the
	// function is given, from WithStorageFilters; nil for all.
	storageFilters []StorageFilter
}

// handlerTypes are the types Func accepts as a handler, and that a
// constructor may return.
var (
	handlerFuncType = reflect.TypeFor[HandlerFunc]()
	plainFuncType   = reflect.TypeFor[func(*Context, any) (any, error)]()
	handlerType     = reflect.TypeFor[Handler]()
	httpHandlerType = reflect.TypeFor[http.Handler]()
	httpFuncType    = reflect.TypeFor[func(http.ResponseWriter, *http.Request)]()
	errorType       = reflect.TypeFor[error]()
)

// asHandler converts v to a Handler if it is one of the accepted handler
// forms.
func asHandler(v any) (Handler, bool) {
	switch h := v.(type) {
	case HandlerFunc:
		return h, h != nil
	case func(*Context, any) (any, error):
		return HandlerFunc(h), h != nil
	case Handler:
		return h, !isNil(h)
	case http.Handler:
		return FromHTTP(h), !isNil(h)
	case func(http.ResponseWriter, *http.Request):
		return FromHTTP(http.HandlerFunc(h)), h != nil
	}
	return nil, false
}

func isNil(v any) bool {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Interface, reflect.Slice, reflect.Chan:
		return rv.IsNil()
	}
	return v == nil
}

func isHandlerType(t reflect.Type) bool {
	return t == handlerFuncType || t == plainFuncType || t == httpFuncType ||
		t.Implements(handlerType) || t.Implements(httpHandlerType) ||
		(t.Kind() == reflect.Interface && (t == handlerType || t == httpHandlerType))
}

// isConstructor reports whether t is a function returning a handler,
// optionally followed by an error.
func isConstructor(t reflect.Type) bool {
	if t.Kind() != reflect.Func {
		return false
	}
	switch t.NumOut() {
	case 1:
		return isHandlerType(t.Out(0))
	case 2:
		return isHandlerType(t.Out(0)) && t.Out(1) == errorType
	}
	return false
}

// funcName returns the name of the function v, for messages.
func funcName(v any) string {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Func {
		return fmt.Sprintf("%T", v)
	}
	if f := runtime.FuncForPC(rv.Pointer()); f != nil {
		file, line := f.FileLine(f.Entry())
		return fmt.Sprintf("%s (%s:%d)", f.Name(), shortPath(file), line)
	}
	return rv.Type().String()
}

func shortPath(file string) string {
	parts := strings.Split(file, "/")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	return strings.Join(parts, "/")
}
