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
