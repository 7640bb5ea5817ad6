// Package logging is a layer that gives every invocation a log/slog logger
// writing JSON in its platform's own log shape, and logs one line per
// invocation with its request id, function, platform, trigger, duration
// and whether it was a cold start.
//
// In an invocation the layer applies to, ctx.Logger() is that logger (made
// the first time it is asked for: an invocation that does not log pays
// nothing for it), in the layer and the layers around it alike, unless a
// layer or the function sets another with ctx.WithLogger: each record
// carries the invocation's request id, function, platform and trigger,
// under the keys the platform's log service reads:
//
//	platform  log service      a line
//	aws       CloudWatch Logs  {"timestamp":"2024-05-01T12:00:00.000Z","level":"INFO","message":"hi","requestId":"…",…}
//	fc        SLS              2024-05-01T12:00:00.000Z <requestId> [INFO] {"message":"hi","function":"…",…}
//	scf       CLS              {"time":"…","level":"INFO","message":"hi","requestId":"…",…} (flat: top-level strings and numbers)
//	gcf       Cloud Logging    {"time":"…","severity":"INFO","message":"hi","logging.googleapis.com/trace":"projects/p/traces/…",…}
//	web       any              {"time":"…","level":"INFO","msg":"hi","requestId":"…",…} (log/slog's JSON shape)
//
// On AWS, Lambda's log-level filtering reads the "level" and RFC 3339
// "timestamp" fields of a function whose log format is JSON, as anyfaas's
// SAM template sets it (LoggingConfig). On FC the
// line starts as FC's own Go logger's lines do. On SCF every top-level
// string and number becomes a CLS field, so groups are written as dotted
// keys. On Google Cloud the trace fields link the line to its trace: from
// the request's traceparent or X-Cloud-Trace-Context, or from [WithTrace].
//
// Values that carry credentials as a matter of course are written with
// the credentials' values masked: an http.Header (Authorization, cookies,
// FC's x-fc-access-key-* and x-fc-security-token, API keys, tokens),
// url.Values, a URL (written as a string, its password and such query
// parameters masked), cookies (their values), and an *http.Request,
// which is written as its method, URL, host, client address, header and
// length, never its body. A *faas.HTTPRequest masks itself, whatever the
// handler.
//
// The invocation's line has the message "invocation" and the fields
// durationMs, coldStart, status (an HTTP status the outcome fixes) and
// error, and for a panic at level ERROR, stack; its level is ERROR when
// the invocation failed (an error, for an HTTP request one that is not a
// 4xx *faas.Error, or a 5xx response) and INFO otherwise, so that a
// level of ERROR keeps the lines of failed invocations only.
//
// That line is a failure's one ERROR line (the layer is a
// faas.Layer.LogsFailures layer): the App writes neither its "invocation
// failed" line nor its "panic" line for a failure that passes through the
// layer, so that log-based alarms (CloudWatch metric filters, SLS alerts)
// count each failure once. With WithInvocationLog(false) the App writes
// them. An HTTP result that cannot be sent (one that cannot be encoded as
// JSON) fails only when the response is made, after the layer has written
// its INFO line: that failure's ERROR line is the App's "invocation
// failed".
//
// Register the layer first (outermost) to time everything inside it, and
// so that the failures of the other layers pass through it. The App's
// lines are written with the invocation's logger, so in this shape; the
// logs the App writes outside any invocation use the App's logger: give
// it the same shape with
// faas.WithLogger(slog.New(logging.NewHandler(os.Stderr, "", nil))).
package logging

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/platformlog"
	"github.com/anyfaas/faas/layers/internal/origin"
)

// Name is the layer's name unless [WithName] gives another: the name f.yml
// selects it by when the App defines it.
const Name = "logging"

// An Option configures the layer.
type Option func(*config)

type config struct {
	name          string
	w             io.Writer
	level         slog.Leveler
	platform      string
	invocationLog bool
	project       string
	trace         func(context.Context) (traceID, spanID string, sampled bool)
}

// WithName names the layer, for an App that uses two logging layers.
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithWriter sets where lines are written; the default is standard error,
// which every platform sends to its log service.
func WithWriter(w io.Writer) Option { return func(c *config) { c.w = w } }

// WithLevel sets the lowest level written; the default is the level
// FAAS_LOG_LEVEL names (debug, info, warn or error), else info.
func WithLevel(l slog.Leveler) Option { return func(c *config) { c.level = l } }

// WithPlatform writes every line in platform's shape, whatever platform
// the invocation runs on: "web" for log/slog's plain JSON everywhere, say.
func WithPlatform(platform string) Option { return func(c *config) { c.platform = platform } }

// WithInvocationLog turns the line logged for each invocation on (the
// default) or off. Off, the layer has no middleware: it only gives
// invocations their logger, and a tracing layer sees no part of it.
func WithInvocationLog(on bool) Option { return func(c *config) { c.invocationLog = on } }

// WithProjectID sets the Google Cloud project that Cloud Logging's trace
// field names, as projects/ID/traces/TRACE_ID. The default is
// GOOGLE_CLOUD_PROJECT, else GCP_PROJECT; without one the field holds the
// bare trace id, as functions-framework-go writes it.
func WithProjectID(id string) Option { return func(c *config) { c.project = id } }

// WithTrace sets how the layer finds the trace an invocation belongs to,
// for the platforms whose log lines link to traces (Google Cloud): f is
// called with the invocation's Context and returns lower-case hex ids, or
// "" for none. tracing.IDs is such a function, for a tracing layer
// registered outside this one. The default reads the invocation's
// traceparent or X-Cloud-Trace-Context header.
func WithTrace(f func(ctx context.Context) (traceID, spanID string, sampled bool)) Option {
	return func(c *config) { c.trace = f }
}

// New returns the logging layer. See the package documentation.
func New(opts ...Option) faas.Layer {
	cfg := config{name: Name, w: os.Stderr, level: envLevel(), invocationLog: true,
		project: firstEnv("GOOGLE_CLOUD_PROJECT", "GCP_PROJECT")}
	for _, o := range opts {
		o(&cfg)
	}
	// One lock for every shape: they share the writer.
	mu := new(sync.Mutex)
	shaped := func(platform string) *handler {
		h := NewHandler(cfg.w, platform, &slog.HandlerOptions{Level: cfg.level}).(*handler)
		h.mu = mu
		return h
	}
	l := &layer{cfg: cfg, aws: shaped(faas.PlatformAWS), fc: shaped(faas.PlatformFC),
		scf: shaped(faas.PlatformSCF), gcf: shaped(faas.PlatformGCF), web: shaped(faas.PlatformWeb)}
	layer := faas.Layer{Name: cfg.name, Logger: l.logger}
	if cfg.invocationLog {
		// The invocation's line is the one ERROR line of a failure: the
		// App writes none of its own.
		layer.Middleware, layer.LogsFailures = l.middleware, true
	}
	return layer
}

type layer struct {
	cfg config
	// The handler of each platform's shape; web's for the others.
	aws, fc, scf, gcf, web *handler
}

func (l *layer) middleware(next faas.Handler) faas.Handler {
	return faas.HandlerFunc(func(ctx *faas.Context, event any) (any, error) {
		begin := time.Now()
		result, err := next.Invoke(ctx, event)
		level := slog.LevelInfo
		if origin.Failed(ctx, result, err) {
			level = slog.LevelError
		}
		h := l.handlerOf(ctx)
		if !h.Enabled(ctx, level) {
			return result, err
		}
		// The end's wall clock is the beginning's plus the monotonic time
		// since: one clock read rather than time.Now's two.
		took := time.Since(begin)
		end := begin.Add(took)
		// The line is written by the handler straight away rather than
		// logged through a Logger, which would look up its caller's
		// program counter for a source location the line has no use for,
		// and build a record the handler would take apart again; and the
		// invocation's fields are gathered here rather than in a handler of
		// the invocation's own, which only an invocation that logs needs.
		o := outcome{duration: took, coldStart: ctx.ColdStart()}
		if status := origin.Status(result, err); status != 0 && ctx.Trigger() == faas.TriggerHTTP {
			o.status = status
		}
		if err != nil {
			o.failed, o.err = true, err.Error()
			var perr *faas.PanicError
			if level == slog.LevelError && errors.As(err, &perr) {
				o.stack = string(perr.Stack)
			}
		}
		var inv invocation
		l.fill(&inv, ctx, h)
		h.write(func(b []byte) []byte { return h.appendInvocation(b, &inv, end, level, o) })
		return result, err
	})
}

// logger is the layer's Logger hook: the invocation's logger, writing in
// its shape with its fields.
func (l *layer) logger(ctx *faas.Context) *slog.Logger {
	h := l.handlerOf(ctx)
	// One allocation for the handler, the invocation's fields and the
	// logger.
	p := &struct {
		h      handler
		inv    invocation
		logger slog.Logger
	}{h: *h}
	l.fill(&p.inv, ctx, h)
	p.h.inv = &p.inv
	p.logger = *slog.New(&p.h) // slog.New's Logger is copied, not kept
	return &p.logger
}

// handlerOf returns the handler of the invocation's shape.
func (l *layer) handlerOf(ctx *faas.Context) *handler {
	platform := l.cfg.platform
	if platform == "" {
		platform = ctx.Platform()
	}
	switch platform {
	case faas.PlatformAWS:
		return l.aws
	case faas.PlatformFC:
		return l.fc
	case faas.PlatformSCF:
		return l.scf
	case faas.PlatformGCF:
		return l.gcf
	}
	return l.web
}

// fill sets inv to the fields of the invocation of ctx, for h's shape.
func (l *layer) fill(inv *invocation, ctx *faas.Context, h *handler) {
	*inv = invocation{requestID: ctx.RequestID(), function: ctx.FunctionName(), platform: ctx.Platform(), trigger: ctx.Trigger()}
	if !h.shape.cloud {
		return
	}
	var traceID string
	if l.cfg.trace != nil {
		traceID, inv.spanID, inv.sampled = l.cfg.trace(ctx)
	} else {
		traceID, inv.spanID, inv.sampled = origin.Trace(origin.Header(ctx))
	}
	if traceID != "" {
		inv.trace = traceID
		if l.cfg.project != "" {
			inv.trace = "projects/" + l.cfg.project + "/traces/" + traceID
		}
	}
}

// envLevel returns the level FAAS_LOG_LEVEL names, else the one the
// platform configures for the function's logs where a linked adapter
// reads it (Lambda's ApplicationLogLevel, with the JSON log format), else
// info: the App's default logger's.
func envLevel() slog.Level {
	var level slog.Level
	if err := level.UnmarshalText([]byte(os.Getenv("FAAS_LOG_LEVEL"))); err != nil {
		if f, _ := platformlog.For(os.Getenv); f.LevelSet {
			return f.Level
		}
		return slog.LevelInfo
	}
	return level
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}
