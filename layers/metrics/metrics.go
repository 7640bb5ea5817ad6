// Package metrics is a layer that counts invocations, errors and cold
// starts and measures each invocation's duration, per function: on AWS as
// CloudWatch Embedded Metric Format (EMF) log lines, which CloudWatch
// turns into metrics with no agent and no API call; elsewhere through an
// OpenTelemetry meter.
//
// On AWS each invocation writes one JSON line to standard output:
//
//	{"_aws":{"Timestamp":1714564800123,"CloudWatchMetrics":[{"Namespace":"anyfaas",
//	  "Dimensions":[["function"]],"Metrics":[{"Name":"Invocations","Unit":"Count"},
//	  {"Name":"Errors","Unit":"Count"},{"Name":"ColdStarts","Unit":"Count"},
//	  {"Name":"Duration","Unit":"Milliseconds"}]}]},
//	  "function":"greet","Invocations":1,"Errors":0,"ColdStarts":1,"Duration":12.345,
//	  "requestId":"…","trigger":"http"}
//
// (AWS CloudWatch User Guide, "Specification: Embedded metric format").
// Elsewhere the layer records the OpenTelemetry semantic conventions' FaaS
// metrics: faas.invocations, faas.errors and faas.coldstarts (counters)
// and faas.invoke_duration (a histogram, in seconds), with the attributes
// faas.trigger and faas.name. [WithEMF] chooses either on any platform.
//
// An error is an invocation that failed: it returned an error (for an HTTP
// request, one that is not a 4xx *faas.Error), or a 5xx HTTP response. Each convention counts as
// its own: EMF's Invocations counts every invocation, as Lambda's own
// Invocations metric does, while faas.invocations counts the successful
// ones only.
//
// As with tracing, a frozen instance exports nothing: after each
// invocation the layer flushes the MeterProvider (when it has a ForceFlush
// method, as the SDK's does) except on a plain HTTP host, and at Freeze
// and Close; [FlushEachInvocation] changes that. EMF lines need no flush.
package metrics

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/layers/internal/origin"
)

// Name is the layer's name unless [WithName] gives another.
const Name = "metrics"

// ScopeName is the instrumentation scope of the layer's meter.
const ScopeName = "github.com/anyfaas/faas/layers/metrics"

// DefaultNamespace is the CloudWatch namespace of the EMF metrics unless
// [WithNamespace] gives another.
const DefaultNamespace = "anyfaas"

// An Option configures the layer.
type Option func(*config)

type config struct {
	name      string
	mp        metric.MeterProvider // nil: the global one
	namespace string
	w         io.Writer
	emf       *bool
	flush     *bool
	now       func() time.Time
}

// WithName names the layer.
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithMeterProvider sets the MeterProvider of the OpenTelemetry
// instruments; the default is the global one (otel.SetMeterProvider).
func WithMeterProvider(mp metric.MeterProvider) Option { return func(c *config) { c.mp = mp } }

// WithNamespace sets the CloudWatch namespace of the EMF metrics.
func WithNamespace(ns string) Option { return func(c *config) { c.namespace = ns } }

// WithWriter sets where EMF lines go; the default is standard output,
// which Lambda sends to CloudWatch Logs.
func WithWriter(w io.Writer) Option { return func(c *config) { c.w = w } }

// WithEMF writes EMF lines (on) or records OpenTelemetry metrics (off) on
// every platform; by default EMF is used on AWS only.
func WithEMF(on bool) Option { return func(c *config) { c.emf = &on } }

// FlushEachInvocation sets whether the MeterProvider is flushed after each
// invocation; the default is to, except on a plain HTTP host.
func FlushEachInvocation(on bool) Option { return func(c *config) { c.flush = &on } }

// New returns the metrics layer. See the package documentation.
func New(opts ...Option) faas.Layer {
	c := &config{name: Name, namespace: DefaultNamespace, w: os.Stdout, now: time.Now}
	for _, o := range opts {
		o(c)
	}
	l := &layer{cfg: c}
	return faas.Layer{
		Name: c.name,
		// The instruments are made at start, so that their cost counts
		// there; an invocation makes them if the start did not.
		RuntimeStart: func(context.Context) error { _, err := l.instruments(); return err },
		Middleware:   l.middleware,
		Freeze:       l.forceFlush,
		Close:        l.forceFlush,
	}
}

type layer struct {
	cfg   *config
	mu    sync.Mutex // serialises EMF lines
	once  sync.Once
	inst  *instruments
	instE error
}

type instruments struct {
	invocations, errors, coldStarts metric.Int64Counter
	duration                        metric.Float64Histogram
}

func (l *layer) provider() metric.MeterProvider {
	if l.cfg.mp != nil {
		return l.cfg.mp
	}
	return otel.GetMeterProvider()
}

// instruments makes the OpenTelemetry instruments, once.
func (l *layer) instruments() (*instruments, error) {
	l.once.Do(func() {
		m := l.provider().Meter(ScopeName)
		var in instruments
		var errs [4]error
		in.invocations, errs[0] = m.Int64Counter("faas.invocations", metric.WithUnit("{invocation}"),
			metric.WithDescription("Number of successful invocations."))
		in.errors, errs[1] = m.Int64Counter("faas.errors", metric.WithUnit("{error}"),
			metric.WithDescription("Number of invocation errors."))
		in.coldStarts, errs[2] = m.Int64Counter("faas.coldstarts", metric.WithUnit("{coldstart}"),
			metric.WithDescription("Number of invocation cold starts."))
		in.duration, errs[3] = m.Float64Histogram("faas.invoke_duration", metric.WithUnit("s"),
			metric.WithDescription("Measures the duration of the function's logic execution."))
		for _, err := range errs {
			if err != nil {
				l.instE = err
				return
			}
		}
		l.inst = &in
	})
	return l.inst, l.instE
}

func (l *layer) emf(ctx *faas.Context) bool {
	if l.cfg.emf != nil {
		return *l.cfg.emf
	}
	return ctx.Platform() == faas.PlatformAWS
}

func (l *layer) middleware(next faas.Handler) faas.Handler {
	return faas.HandlerFunc(func(ctx *faas.Context, event any) (any, error) {
		begin := l.cfg.now()
		result, err := next.Invoke(ctx, event)
		d := l.cfg.now().Sub(begin)
		failed := origin.Failed(ctx, result, err)
		if l.emf(ctx) {
			l.writeEMF(ctx, begin, d, failed)
			return result, err
		}
		in, ierr := l.instruments()
		if ierr != nil {
			ctx.Logger().Warn("metrics: the meter has no instruments", "error", ierr)
			return result, err
		}
		attrs := metric.WithAttributeSet(attribute.NewSet(
			attribute.String("faas.trigger", origin.SemconvTrigger(ctx.Trigger())),
			attribute.String("faas.name", functionName(ctx))))
		bg := context.WithoutCancel(ctx)
		if failed {
			in.errors.Add(bg, 1, attrs)
		} else {
			in.invocations.Add(bg, 1, attrs)
		}
		if ctx.ColdStart() {
			in.coldStarts.Add(bg, 1, attrs)
		}
		in.duration.Record(bg, d.Seconds(), attrs)
		if l.flushes(ctx) {
			if ferr := l.forceFlush(bg); ferr != nil {
				ctx.Logger().Warn("metrics: flushing", "error", ferr)
			}
		}
		return result, err
	})
}

func (l *layer) flushes(ctx *faas.Context) bool {
	if l.cfg.flush != nil {
		return *l.cfg.flush
	}
	return ctx.Platform() != faas.PlatformWeb
}

func (l *layer) forceFlush(ctx context.Context) error {
	if f, ok := l.provider().(interface{ ForceFlush(context.Context) error }); ok {
		return f.ForceFlush(ctx)
	}
	return nil
}

// writeEMF writes an invocation's metrics as one EMF line.
func (l *layer) writeEMF(ctx *faas.Context, at time.Time, d time.Duration, failed bool) {
	b := make([]byte, 0, 512)
	b = append(b, `{"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, at.UnixMilli(), 10)
	b = append(b, `,"CloudWatchMetrics":[{"Namespace":`...)
	b = appendJSON(b, l.cfg.namespace)
	b = append(b, `,"Dimensions":[["function"]],"Metrics":[{"Name":"Invocations","Unit":"Count"},{"Name":"Errors","Unit":"Count"},{"Name":"ColdStarts","Unit":"Count"},{"Name":"Duration","Unit":"Milliseconds"}]}]},"function":`...)
	b = appendJSON(b, functionName(ctx))
	b = append(b, `,"Invocations":1,"Errors":`...)
	b = append(b, count(failed)...)
	b = append(b, `,"ColdStarts":`...)
	b = append(b, count(ctx.ColdStart())...)
	b = append(b, `,"Duration":`...)
	b = strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'f', -1, 64)
	b = append(b, `,"requestId":`...)
	b = appendJSON(b, ctx.RequestID())
	b = append(b, `,"trigger":`...)
	b = appendJSON(b, ctx.Trigger())
	b = append(b, "}\n"...)
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.cfg.w.Write(b); err != nil {
		ctx.Logger().Warn("metrics: writing the EMF line", "error", err)
	}
}

func count(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func appendJSON(b []byte, s string) []byte {
	js, _ := json.Marshal(s) // a string always encodes
	return append(b, js...)
}

// functionName is the metrics' function dimension: an invocation no
// function serves (a 404) is counted as "unrouted".
func functionName(ctx *faas.Context) string {
	if f := ctx.FunctionName(); f != "" {
		return f
	}
	return "unrouted"
}
