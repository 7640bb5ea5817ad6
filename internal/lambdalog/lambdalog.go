// Package lambdalog writes what AWS Lambda's JSON log format reads of an
// application's log line: the keys and values its log-level filtering
// (the function's ApplicationLogLevel) needs.
//
// AWS Lambda Developer Guide, "Log-level filtering"
// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html):
// for a runtime that is not one of the managed ones Lambda formats itself,
// such as provided.al2023, a function configured with the JSON log format
// has its application lines filtered by level only if each is a JSON
// object with a "level" key (TRACE, DEBUG, INFO, WARN, ERROR or FATAL; an
// invalid or missing one is taken for INFO) and a valid RFC 3339 timestamp
// under the key the runtimes use, "timestamp": a line without a valid one
// is taken for INFO, whatever its level. The guide asks for no other key.
package lambdalog

import (
	"context"
	"log/slog"
	"strings"
)

// The keys of a line in Lambda's JSON log format.
const (
	TimeKey    = "timestamp"
	LevelKey   = "level"
	MessageKey = "message" // the key Lambda's own JSON lines use
)

// TimeFormat is the layout of a line's timestamp: RFC 3339 in UTC, in
// milliseconds, as Lambda writes its own.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// FormatEnv is the environment variable in which Lambda gives a function
// its log format (LoggingConfig.LogFormat): JSON or Text.
const FormatEnv = "AWS_LAMBDA_LOG_FORMAT"

// LevelEnv is the environment variable in which Lambda gives a function
// configured with the JSON log format its ApplicationLogLevel.
const LevelEnv = "AWS_LAMBDA_LOG_LEVEL"

// EnvLevel returns the level LevelEnv names, as getenv reads it (TRACE,
// DEBUG, INFO, WARN, ERROR or FATAL, in any case; TRACE is below
// slog.LevelDebug and FATAL above slog.LevelError, as Level names them),
// and whether it names one.
func EnvLevel(getenv func(string) string) (slog.Level, bool) {
	switch strings.ToUpper(getenv(LevelEnv)) {
	case "TRACE":
		return slog.LevelDebug - 4, true
	case "DEBUG":
		return slog.LevelDebug, true
	case "INFO":
		return slog.LevelInfo, true
	case "WARN":
		return slog.LevelWarn, true
	case "ERROR":
		return slog.LevelError, true
	case "FATAL":
		return slog.LevelError + 4, true
	}
	return 0, false
}

// JSON reports whether the function's log format, as getenv (usually
// os.Getenv) reads FormatEnv, is JSON.
func JSON(getenv func(string) string) bool {
	return strings.EqualFold(getenv(FormatEnv), "JSON")
}

// Level names l as Lambda's log-level filtering knows levels: below
// slog.LevelDebug is TRACE, and ERROR+4 and above is FATAL.
func Level(l slog.Level) string {
	switch {
	case l < slog.LevelDebug:
		return "TRACE"
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARN"
	case l < slog.LevelError+4:
		return "ERROR"
	}
	return "FATAL"
}

// ReplaceAttr is a slog.HandlerOptions.ReplaceAttr that turns the lines of
// a slog.JSONHandler into Lambda's JSON log format: the record's time
// becomes "timestamp" in TimeFormat, its level Level's name, and its
// message "message". Attributes in groups are left as they are.
//
// ReplaceAttr cannot tell the record's own time, level and message from
// the caller's attributes of the same names; wrap the handler with Handler
// so that the caller's are renamed before it sees them.
func ReplaceAttr(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.TimeKey:
		if a.Value.Kind() == slog.KindTime {
			return slog.String(TimeKey, a.Value.Time().UTC().Format(TimeFormat))
		}
	case slog.LevelKey:
		if l, ok := a.Value.Any().(slog.Level); ok {
			return slog.String(LevelKey, Level(l))
		}
	case slog.MessageKey:
		a.Key = MessageKey
	}
	return a
}

// FieldPrefix is what Handler puts before the key of a caller's top-level
// attribute that a line's own keys use, as in "fields.msg".
const FieldPrefix = "fields."

// Handler returns a slog.Handler that passes its records to h, a
// slog.JSONHandler whose ReplaceAttr is ReplaceAttr, with every top-level
// attribute keyed as a line's own keys are before or after ReplaceAttr
// renames them ("time", "level", "msg", "timestamp" or "message", whatever
// its value) renamed with FieldPrefix, so that no line holds two of one
// key: logger.Info("m", "msg", "x") writes "message":"m" and
// "fields.msg":"x". Attributes given to WithAttrs are renamed alike, and
// so are those of a group with an empty key, which the line inlines (a
// slog.LogValuer with an empty key is resolved to find them). An attribute
// already named "fields.msg" is not renamed, and then shares its key with
// the renamed one. A record none of whose attributes collides is passed
// as it is, without allocating.
func Handler(h slog.Handler) slog.Handler { return handler{h} }

// handler is Handler's slog.Handler.
type handler struct{ next slog.Handler }

// Enabled reports whether the wrapped handler handles records at l.
func (h handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle passes r to the wrapped handler, its colliding attributes
// renamed.
func (h handler) Handle(ctx context.Context, r slog.Record) error {
	collides := false
	r.Attrs(func(a slog.Attr) bool {
		collides = collision(a)
		return !collides
	})
	if collides {
		renamed := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
		r.Attrs(func(a slog.Attr) bool {
			renamed.AddAttrs(rename(a))
			return true
		})
		r = renamed
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs returns a handler whose lines hold attrs, their colliding
// ones renamed.
func (h handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	for i, a := range attrs {
		if collision(a) {
			renamed := make([]slog.Attr, len(attrs))
			copy(renamed, attrs[:i])
			for j := i; j < len(attrs); j++ {
				renamed[j] = rename(attrs[j])
			}
			attrs = renamed
			break
		}
	}
	return handler{h.next.WithAttrs(attrs)}
}

// WithGroup returns the wrapped handler's WithGroup: the attributes of
// its records are in the group, where nothing collides with a line's own
// keys.
func (h handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return h.next.WithGroup(name)
}

// reserved reports whether key is one of a line's own keys, before or
// after ReplaceAttr.
func reserved(key string) bool {
	switch key {
	case slog.TimeKey, slog.LevelKey, slog.MessageKey, TimeKey, MessageKey:
		return true
	}
	return false
}

// collision reports whether a, a top-level attribute, would share a key
// with a line's own, as itself or as a member of an inlined group.
func collision(a slog.Attr) bool {
	if a.Key != "" {
		return reserved(a.Key)
	}
	v := a.Value.Resolve()
	if v.Kind() != slog.KindGroup {
		return false
	}
	for _, m := range v.Group() {
		if collision(m) {
			return true
		}
	}
	return false
}

// rename returns a with FieldPrefix before its key if it collides, and
// with the colliding members of an inlined group renamed.
func rename(a slog.Attr) slog.Attr {
	if a.Key != "" {
		if reserved(a.Key) {
			a.Key = FieldPrefix + a.Key
		}
		return a
	}
	v := a.Value.Resolve()
	if v.Kind() != slog.KindGroup || !collision(a) {
		return a
	}
	members := v.Group()
	renamed := make([]slog.Attr, len(members))
	for i, m := range members {
		renamed[i] = rename(m)
	}
	return slog.Attr{Value: slog.GroupValue(renamed...)}
}
