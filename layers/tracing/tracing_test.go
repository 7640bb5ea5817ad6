package tracing_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/aws"
	"github.com/anyfaas/faas/adapters/fc"
	"github.com/anyfaas/faas/adapters/gcf"
	"github.com/anyfaas/faas/adapters/scf"
	"github.com/anyfaas/faas/faastest"
	"github.com/anyfaas/faas/layers/tracing"
	"github.com/anyfaas/faas/lifecycle"
)

// recorder is a TracerProvider that keeps every span it ends, and counts
// its flushes.
type recorder struct {
	*sdktrace.TracerProvider
	exp     *tracetest.InMemoryExporter
	flushes atomic.Int32
}

func newRecorder() *recorder {
	exp := tracetest.NewInMemoryExporter()
	return &recorder{TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp)), exp: exp}
}

func (r *recorder) ForceFlush(ctx context.Context) error {
	r.flushes.Add(1)
	return r.TracerProvider.ForceFlush(ctx)
}

// span is what the tests compare of a span.
type span struct {
	Name, Parent string // Parent is the parent span's name, or its id if remote
	Kind         trace.SpanKind
	Status       codes.Code
	Attrs        map[string]string
}

// tree returns the recorded spans in the order they ended, keeping of
// their attributes those named in keep.
func (r *recorder) tree(keep ...string) []span {
	spans := r.exp.GetSpans()
	byID := map[trace.SpanID]string{}
	for _, s := range spans {
		byID[s.SpanContext.SpanID()] = s.Name
	}
	var out []span
	for _, s := range spans {
		v := span{Name: s.Name, Kind: s.SpanKind, Status: s.Status.Code, Attrs: map[string]string{}}
		if s.Parent.IsValid() {
			if name, ok := byID[s.Parent.SpanID()]; ok {
				v.Parent = name
			} else {
				v.Parent = "remote " + s.Parent.SpanID().String()
			}
		}
		for _, a := range s.Attributes {
			if slices.Contains(keep, string(a.Key)) {
				v.Attrs[string(a.Key)] = a.Value.Emit()
			}
		}
		out = append(out, v)
	}
	return out
}

// newApp returns an App with the tracing layer outermost, then a layer
// with hooks and one with a middleware, serving greet and fail.
func newApp(tp trace.TracerProvider, opts ...tracing.Option) *faas.App {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(tracing.New(append([]tracing.Option{tracing.WithTracerProvider(tp)}, opts...)...),
		faas.Layer{Name: "auth",
			BeforeInvoke: func(ctx *faas.Context, _ any) error {
				if ctx.Header("Authorization") == "no" {
					return faas.Errorf(401, "who are you?")
				}
				return nil
			},
			AfterInvoke: func(*faas.Context, any, error) {}},
		faas.Layer{Name: "wrap", Middleware: func(next faas.Handler) faas.Handler { return next }})
	app.Func("greet", func(ctx *faas.Context, _ any) (any, error) { return "hi", nil }, faas.HTTP("GET /greet"))
	app.Func("fail", func(ctx *faas.Context, _ any) (any, error) { return nil, errors.New("the store is down") }, faas.HTTP("GET /fail"))
	app.Func("tick", func(ctx *faas.Context, _ any) (any, error) { return nil, nil }, faas.Timer("@every 1m"))
	return app
}

const (
	traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	xray        = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
)

// An invocation's span continues the caller's trace; each part the other
// layers play gets a span inside it, nested as the layers are.
func TestSpans(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		header map[string]string
		want   []span
	}{
		{"ok", "/greet", map[string]string{"Traceparent": traceparent}, []span{
			{Name: "auth.BeforeInvoke", Parent: "greet", Kind: trace.SpanKindInternal, Attrs: map[string]string{"anyfaas.layer": "auth"}},
			{Name: "wrap.Middleware", Parent: "greet", Kind: trace.SpanKindInternal, Attrs: map[string]string{"anyfaas.layer": "wrap"}},
			{Name: "auth.AfterInvoke", Parent: "greet", Kind: trace.SpanKindInternal, Attrs: map[string]string{"anyfaas.layer": "auth"}},
			{Name: "greet", Parent: "remote 00f067aa0ba902b7", Kind: trace.SpanKindServer, Attrs: map[string]string{
				"faas.invocation_id": "test-request-1", "faas.trigger": "http", "faas.coldstart": "true", "faas.name": "greet",
				"http.request.method": "GET", "url.path": "/greet", "anyfaas.platform": "test"}},
		}},
		{"failure", "/fail", nil, []span{
			{Name: "auth.BeforeInvoke", Parent: "fail", Kind: trace.SpanKindInternal, Attrs: map[string]string{"anyfaas.layer": "auth"}},
			{Name: "wrap.Middleware", Parent: "fail", Kind: trace.SpanKindInternal, Status: codes.Error, Attrs: map[string]string{"anyfaas.layer": "wrap"}},
			{Name: "auth.AfterInvoke", Parent: "fail", Kind: trace.SpanKindInternal, Attrs: map[string]string{"anyfaas.layer": "auth"}},
			{Name: "fail", Kind: trace.SpanKindServer, Status: codes.Error, Attrs: map[string]string{
				"faas.invocation_id": "test-request-1", "faas.trigger": "http", "faas.coldstart": "true", "faas.name": "fail",
				"http.request.method": "GET", "url.path": "/fail", "anyfaas.platform": "test", "http.response.status_code": "500"}},
		}},
		{"client error", "/greet", map[string]string{"Authorization": "no"}, []span{
			{Name: "auth.BeforeInvoke", Parent: "greet", Kind: trace.SpanKindInternal, Attrs: map[string]string{"anyfaas.layer": "auth"}},
			{Name: "auth.AfterInvoke", Parent: "greet", Kind: trace.SpanKindInternal, Attrs: map[string]string{"anyfaas.layer": "auth"}},
			{Name: "greet", Kind: trace.SpanKindServer, Attrs: map[string]string{
				"faas.invocation_id": "test-request-1", "faas.trigger": "http", "faas.coldstart": "true", "faas.name": "greet",
				"http.request.method": "GET", "url.path": "/greet", "anyfaas.platform": "test", "http.response.status_code": "401"}},
		}},
	}
	keep := []string{"anyfaas.layer", "faas.invocation_id", "faas.trigger", "faas.coldstart", "faas.name",
		"http.request.method", "url.path", "anyfaas.platform", "http.response.status_code"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder()
			app := newApp(rec)
			req := faastest.NewHTTPRequest("GET", tt.path, "")
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			faastest.Invoke(t, app, req)
			if diff := cmp.Diff(tt.want, rec.tree(keep...)); diff != "" {
				t.Errorf("spans (-want +got):\n%s", diff)
			}
		})
	}
}

// A timer's span is a server span with the timer trigger; an invocation
// that is not sampled makes no layer spans.
func TestSpanKindsAndSampling(t *testing.T) {
	rec := newRecorder()
	faastest.Invoke(t, newApp(rec), &faas.TimerEvent{Name: "tick"})
	got := rec.tree("faas.trigger")
	if last := got[len(got)-1]; len(got) != 4 || last.Name != "tick" || last.Kind != trace.SpanKindServer || last.Attrs["faas.trigger"] != "timer" {
		t.Errorf("timer spans = %+v", got)
	}

	never := newRecorder()
	never.TracerProvider = sdktrace.NewTracerProvider(sdktrace.WithSyncer(never.exp), sdktrace.WithSampler(sdktrace.NeverSample()))
	faastest.Invoke(t, newApp(never), faastest.NewHTTPRequest("GET", "/greet", ""))
	if got := never.exp.GetSpans(); len(got) != 0 {
		t.Errorf("an unsampled invocation recorded %d spans", len(got))
	}
}

// parentOf runs one invocation through h and returns the invocation
// span's remote parent and links.
func parentOf(t *testing.T, rec *recorder, invoke func()) (parent string, links []string, traceID string) {
	t.Helper()
	invoke()
	for _, s := range rec.exp.GetSpans() {
		if s.SpanKind != trace.SpanKindServer && s.SpanKind != trace.SpanKindConsumer {
			continue
		}
		if s.Parent.IsValid() {
			parent = s.Parent.TraceID().String() + "/" + s.Parent.SpanID().String()
		}
		for _, l := range s.Links {
			links = append(links, l.SpanContext.TraceID().String()+"/"+l.SpanContext.SpanID().String())
		}
		return parent, links, s.SpanContext.TraceID().String()
	}
	t.Fatal("no invocation span")
	return
}

// The trace is continued from each platform's own header, through the
// adapters in process.
func TestPlatformTraceContext(t *testing.T) {
	payload := func(platform, trigger string, overrides map[string]string) []byte {
		b, err := faastest.Event(platform, trigger, overrides)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name       string
		invoke     func(app *faas.App)
		env        string // _X_AMZN_TRACE_ID
		wantParent string
		wantLinks  []string
	}{
		{"aws runtime trace id", func(app *faas.App) {
			// aws-lambda-go puts Lambda-Runtime-Trace-Id there.
			ctx := context.WithValue(context.Background(), "x-amzn-trace-id", xray) //nolint:staticcheck // the key aws-lambda-go uses
			aws.NewHandler(app).Invoke(ctx, payload("aws", "timer", nil))
		}, "", "5759e988bd862e3fe1be46a994272793/53995c3f42cd8ad8", nil},
		{"aws trace not sampled is linked", func(app *faas.App) {
			ctx := context.WithValue(context.Background(), "x-amzn-trace-id", strings.Replace(xray, "Sampled=1", "Sampled=0", 1)) //nolint:staticcheck
			aws.NewHandler(app).Invoke(ctx, payload("aws", "timer", nil))
		}, "", "", []string{"5759e988bd862e3fe1be46a994272793/53995c3f42cd8ad8"}},
		{"aws environment", func(app *faas.App) {
			aws.NewHandler(app).Invoke(context.Background(), payload("aws", "timer", nil))
		}, xray, "5759e988bd862e3fe1be46a994272793/53995c3f42cd8ad8", nil},
		{"aws traceparent wins", func(app *faas.App) {
			ctx := context.WithValue(context.Background(), "x-amzn-trace-id", xray) //nolint:staticcheck
			aws.NewHandler(app).Invoke(ctx, payload("aws", "http", map[string]string{"path": "/greet", "header.traceparent": traceparent}))
		}, "", "4bf92f3577b34da6a3ce929d0e0e4736/00f067aa0ba902b7", nil},
		{"fc tracing header", func(app *faas.App) {
			h := http.Header{}
			h.Set("X-Fc-Request-Id", "r-1")
			h.Set("X-Fc-Function-Deadline", "4102444800000")
			h.Set("X-Fc-Tracing-Opentracing-Span-Context", "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1")
			fcctx, err := fc.ContextFromHeader(h)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fc.NewHandler(app).Invoke(context.Background(), fcctx, payload("fc", "timer", nil)); err != nil {
				t.Fatal(err)
			}
		}, "", "4bf92f3577b34da6a3ce929d0e0e4736/00f067aa0ba902b7", nil},
		{"scf trace id", func(app *faas.App) {
			if _, err := scf.NewHandler(app).Invoke(context.Background(), &scf.Context{RequestID: "r-1", TraceID: traceparent}, payload("scf", "timer", nil)); err != nil {
				t.Fatal(err)
			}
		}, "", "4bf92f3577b34da6a3ce929d0e0e4736/00f067aa0ba902b7", nil},
		{"gcf cloud trace", func(app *faas.App) {
			r := httptest.NewRequest("GET", "/greet", nil)
			r.Header.Set("X-Cloud-Trace-Context", "105445aa7843bc8bf206b12000100000/1;o=1")
			gcf.Handler(app).ServeHTTP(httptest.NewRecorder(), r)
		}, "", "105445aa7843bc8bf206b12000100000/0000000000000001", nil},
		{"gcf cloudevent traceparent", func(app *faas.App) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(`{"message":{"data":"aGk=","messageId":"1"},"subscription":"projects/p/subscriptions/s"}`))
			for k, v := range map[string]string{"Ce-Id": "1", "Ce-Source": "//pubsub.googleapis.com/projects/p/topics/t",
				"Ce-Type": "google.cloud.pubsub.topic.v1.messagePublished", "Ce-Specversion": "1.0",
				"Content-Type": "application/json", "Traceparent": traceparent} {
				r.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			gcf.Handler(app).ServeHTTP(rec, r)
			if rec.Code >= 300 {
				t.Fatalf("gcf answered %d %s", rec.Code, rec.Body)
			}
		}, "", "4bf92f3577b34da6a3ce929d0e0e4736/00f067aa0ba902b7", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("_X_AMZN_TRACE_ID", tt.env)
			rec := newRecorder()
			app := newApp(rec)
			app.Func("consume", func(*faas.Context, any) (any, error) { return nil, nil }, faas.On(faas.TriggerMessage))
			parent, links, traceID := parentOf(t, rec, func() { tt.invoke(app) })
			if parent != tt.wantParent || !slices.Equal(links, tt.wantLinks) {
				t.Errorf("parent %q, links %v; want %q, %v", parent, links, tt.wantParent, tt.wantLinks)
			}
			if tt.wantParent != "" && !strings.HasPrefix(tt.wantParent, traceID+"/") {
				t.Errorf("trace %s does not continue %s", traceID, tt.wantParent)
			}
		})
	}
}

// Transport makes a client span inside the invocation's and sends its
// trace context on; the function's outgoing request carries it.
func TestTransport(t *testing.T) {
	var got atomic.Value
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Traceparent") + " " + r.Header.Get("Baggage"))
		w.WriteHeader(http.StatusTeapot)
	}))
	defer backend.Close()

	rec := newRecorder()
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(tracing.New(tracing.WithTracerProvider(rec)))
	client := &http.Client{Transport: tracing.Transport(nil)}
	app.Func("call", func(ctx *faas.Context, _ any) (any, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", backend.URL+"/items?q=1", nil)
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	})
	req := faastest.NewHTTPRequest("GET", "/call", "")
	req.Header.Set("Traceparent", traceparent)
	req.Header.Set("Baggage", "tenant=acme")
	if res := faastest.Invoke(t, app, req); res.Err != nil || res.Value != http.StatusTeapot {
		t.Fatalf("invocation: %v, %v", res.Value, res.Err)
	}
	spans := rec.exp.GetSpans()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want the client's and the invocation's", len(spans))
	}
	client0, server := spans[0], spans[1]
	want := "00-4bf92f3577b34da6a3ce929d0e0e4736-" + client0.SpanContext.SpanID().String() + "-01 tenant=acme"
	if got.Load() != want {
		t.Errorf("the backend got %q, want %q", got.Load(), want)
	}
	attrs := map[attribute.Key]string{}
	for _, a := range client0.Attributes {
		attrs[a.Key] = a.Value.Emit()
	}
	if client0.Name != "HTTP GET" || client0.SpanKind != trace.SpanKindClient || client0.Parent.SpanID() != server.SpanContext.SpanID() ||
		attrs["http.response.status_code"] != "418" || attrs["url.full"] != backend.URL+"/items?q=1" || client0.Status.Code != codes.Error {
		t.Errorf("client span %s %v parent %v status %v attrs %v", client0.Name, client0.SpanKind, client0.Parent.SpanID(), client0.Status, attrs)
	}
}

// Outside any span, Transport sends the request as it is.
func TestTransportWithoutSpan(t *testing.T) {
	var got atomic.Value
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Traceparent"))
	}))
	defer backend.Close()
	resp, err := (&http.Client{Transport: tracing.Transport(nil)}).Get(backend.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got.Load() != "" {
		t.Errorf("traceparent %q sent without a span", got.Load())
	}
}

// The provider is flushed after each invocation on a platform that
// freezes instances, not on a plain HTTP host unless asked, and at Freeze
// and Close.
func TestFlush(t *testing.T) {
	tests := []struct {
		platform string
		opts     []tracing.Option
		want     int32
	}{
		{faas.PlatformAWS, nil, 2},
		{faas.PlatformFC, nil, 2},
		{faas.PlatformWeb, nil, 0},
		{faas.PlatformWeb, []tracing.Option{tracing.FlushEachInvocation(true)}, 2},
		{faas.PlatformAWS, []tracing.Option{tracing.FlushEachInvocation(false)}, 0},
	}
	for _, tt := range tests {
		rec := newRecorder()
		app := newApp(rec, tt.opts...)
		for range 2 {
			faastest.Invoke(t, app, &faas.TimerEvent{Name: "tick"}, faastest.WithPlatform(tt.platform))
		}
		if got := rec.flushes.Load(); got != tt.want {
			t.Errorf("%s %d options: %d flushes, want %d", tt.platform, len(tt.opts), got, tt.want)
		}
	}
	rec := newRecorder()
	app := newApp(rec)
	faastest.Start(t, app)
	app.Freeze(context.Background())
	app.Close(context.Background())
	if got := rec.flushes.Load(); got != 2 {
		t.Errorf("Freeze and Close flushed %d times, want 2", got)
	}
}

// IDs reads the ids of the span in a context, for log lines.
func TestIDs(t *testing.T) {
	rec := newRecorder()
	app := newApp(rec)
	var traceID, spanID string
	var sampled bool
	app.Func("ids", func(ctx *faas.Context, _ any) (any, error) {
		traceID, spanID, sampled = tracing.IDs(ctx)
		return nil, nil
	}, faas.HTTP("GET /ids"))
	req := faastest.NewHTTPRequest("GET", "/ids", "")
	req.Header.Set("Traceparent", traceparent)
	faastest.Invoke(t, app, req)
	// The handler runs inside the innermost layer's span.
	var span sdktrace.ReadOnlySpan
	for _, s := range rec.exp.GetSpans().Snapshots() {
		if s.Name() == "wrap.Middleware" {
			span = s
		}
	}
	if traceID != "4bf92f3577b34da6a3ce929d0e0e4736" || spanID != span.SpanContext().SpanID().String() || !sampled {
		t.Errorf("IDs = %s %s %v", traceID, spanID, sampled)
	}
	if a, b, c := tracing.IDs(context.Background()); a != "" || b != "" || c {
		t.Errorf("IDs of no span = %q %q %v", a, b, c)
	}
}

// The X-Ray and Cloud Trace propagators write what the platforms read.
func TestPropagators(t *testing.T) {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: [16]byte{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:  [8]byte{0, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7}, TraceFlags: trace.FlagsSampled})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	h := http.Header{}
	tracing.Inject(ctx, h, propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, tracing.XRay(), tracing.CloudTrace()))
	want := http.Header{
		"Traceparent":           {traceparent},
		"X-Amzn-Trace-Id":       {"Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=00f067aa0ba902b7;Sampled=1"},
		"X-Cloud-Trace-Context": {"4bf92f3577b34da6a3ce929d0e0e4736/67667974448284343;o=1"},
	}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	for _, p := range []propagation.TextMapPropagator{tracing.XRay(), tracing.CloudTrace()} {
		got := trace.SpanContextFromContext(p.Extract(context.Background(), propagation.HeaderCarrier(h)))
		if got.TraceID() != sc.TraceID() || got.SpanID() != sc.SpanID() || !got.IsSampled() || !got.IsRemote() {
			t.Errorf("%v extracted %v", p.Fields(), got)
		}
	}
}

// The observer leaves invocations it does not trace alone.
func TestObserveWithoutSpan(t *testing.T) {
	l := tracing.New()
	app := faas.New()
	ctx := app.NewContext(context.Background(), faas.Invocation{})
	got, end := l.Observe(ctx, "other", lifecycle.BeforeInvoke)
	if got != ctx || end != nil {
		t.Errorf("Observe outside a span = %v, end func %v", got, end != nil)
	}
}
