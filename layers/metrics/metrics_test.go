package metrics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
	"github.com/anyfaas/faas/internal/golden"
	"github.com/anyfaas/faas/layers/metrics"
)

// clock returns a time that advances 12.5 ms each time it is read.
func clock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(12500 * time.Microsecond)
		return t
	}
}

// invokeAll runs a cold and a warm success, a failure, a client error and
// an unrouted request through app on platform.
func invokeAll(t *testing.T, app *faas.App, platform string) {
	t.Helper()
	for i, path := range []string{"/greet", "/greet", "/fail", "/missing", "/nowhere"} {
		faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", path, ""), faastest.WithPlatform(platform),
			faastest.WithRequestID("req-"+string(rune('1'+i))))
	}
}

func newApp(opts ...metrics.Option) *faas.App {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(metrics.New(opts...))
	app.Func("greet", func(*faas.Context, any) (any, error) { return "hi", nil }, faas.HTTP("GET /greet"))
	app.Func("fail", func(*faas.Context, any) (any, error) { return nil, errors.New("down") }, faas.HTTP("GET /fail"))
	app.Func("missing", func(*faas.Context, any) (any, error) { return nil, faas.Errorf(404, "no such item") }, faas.HTTP("GET /missing"))
	return app
}

// On AWS each invocation is one EMF line.
func TestEMF(t *testing.T) {
	var out bytes.Buffer
	app := newApp(metrics.WithWriter(&out), metrics.WithClock(clock()), metrics.WithNamespace("shop"))
	invokeAll(t, app, faas.PlatformAWS)
	golden.Check(t, "testdata/emf.golden", out.Bytes())
	// Every line is an EMF document whose metrics and dimensions are
	// members.
	for _, line := range bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n")) {
		var doc struct {
			AWS struct {
				Timestamp         int64
				CloudWatchMetrics []struct {
					Namespace  string
					Dimensions [][]string
					Metrics    []struct{ Name, Unit string }
				}
			} `json:"_aws"`
		}
		var members map[string]any
		if err := json.Unmarshal(line, &doc); err != nil || json.Unmarshal(line, &members) != nil {
			t.Fatalf("not JSON: %s", line)
		}
		if doc.AWS.Timestamp == 0 || len(doc.AWS.CloudWatchMetrics) != 1 {
			t.Fatalf("no _aws metadata: %s", line)
		}
		d := doc.AWS.CloudWatchMetrics[0]
		for _, set := range d.Dimensions {
			for _, dim := range set {
				if _, ok := members[dim].(string); !ok {
					t.Errorf("dimension %s is not a string member: %s", dim, line)
				}
			}
		}
		for _, m := range d.Metrics {
			if _, ok := members[m.Name].(float64); !ok {
				t.Errorf("metric %s is not a number member: %s", m.Name, line)
			}
		}
	}
}

// point is a data point in a form go-cmp shows.
type point struct {
	Metric, Function, Trigger string
	Value                     float64 // a sum, or a histogram's count
}

func collect(t *testing.T, reader *sdkmetric.ManualReader) []point {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var out []point
	attrs := func(s attribute.Set) (string, string) {
		f, _ := s.Value("faas.name")
		tr, _ := s.Value("faas.trigger")
		return f.AsString(), tr.AsString()
	}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != metrics.ScopeName {
			t.Errorf("scope %q", sm.Scope.Name)
		}
		for _, m := range sm.Metrics {
			switch data := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, dp := range data.DataPoints {
					f, tr := attrs(dp.Attributes)
					out = append(out, point{m.Name, f, tr, float64(dp.Value)})
				}
			case metricdata.Histogram[float64]:
				if m.Unit != "s" {
					t.Errorf("%s unit %q", m.Name, m.Unit)
				}
				for _, dp := range data.DataPoints {
					f, tr := attrs(dp.Attributes)
					out = append(out, point{m.Name, f, tr, float64(dp.Count)})
					if dp.Sum <= 0 {
						t.Errorf("%s %s: sum %v", m.Name, f, dp.Sum)
					}
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Metric != out[j].Metric {
			return out[i].Metric < out[j].Metric
		}
		return out[i].Function < out[j].Function
	})
	return out
}

// Elsewhere the semantic conventions' FaaS metrics are recorded.
func TestOpenTelemetry(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	app := newApp(metrics.WithMeterProvider(mp), metrics.WithClock(clock()))
	invokeAll(t, app, faas.PlatformGCF)
	want := []point{
		{"faas.coldstarts", "greet", "http", 1},
		{"faas.errors", "fail", "http", 1},
		{"faas.invocations", "greet", "http", 2},
		{"faas.invocations", "missing", "http", 1},
		{"faas.invocations", "unrouted", "http", 1},
		{"faas.invoke_duration", "fail", "http", 1},
		{"faas.invoke_duration", "greet", "http", 2},
		{"faas.invoke_duration", "missing", "http", 1},
		{"faas.invoke_duration", "unrouted", "http", 1},
	}
	if diff := cmp.Diff(want, collect(t, reader)); diff != "" {
		t.Errorf("data points (-want +got):\n%s", diff)
	}
}

// WithEMF chooses the format whatever the platform.
func TestWithEMF(t *testing.T) {
	var out bytes.Buffer
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	app := newApp(metrics.WithWriter(&out), metrics.WithMeterProvider(mp), metrics.WithEMF(true))
	faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/greet", ""), faastest.WithPlatform(faas.PlatformFC))
	if out.Len() == 0 || len(collect(t, reader)) != 0 {
		t.Errorf("WithEMF(true) on fc: EMF %q, OpenTelemetry points %v", out.String(), collect(t, reader))
	}
	out.Reset()
	app = newApp(metrics.WithWriter(&out), metrics.WithMeterProvider(mp), metrics.WithEMF(false))
	faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/greet", ""), faastest.WithPlatform(faas.PlatformAWS))
	if out.Len() != 0 || len(collect(t, reader)) == 0 {
		t.Errorf("WithEMF(false) on aws: EMF %q", out.String())
	}
}

// flushCounter is a MeterProvider that counts its flushes.
type flushCounter struct {
	*sdkmetric.MeterProvider
	n atomic.Int32
}

func (f *flushCounter) ForceFlush(ctx context.Context) error {
	f.n.Add(1)
	return f.MeterProvider.ForceFlush(ctx)
}

// The provider is flushed after each invocation where instances freeze,
// and at Freeze and Close.
func TestFlush(t *testing.T) {
	tests := []struct {
		platform string
		opts     []metrics.Option
		want     int32
	}{
		{faas.PlatformGCF, nil, 2},
		{faas.PlatformWeb, nil, 0},
		{faas.PlatformWeb, []metrics.Option{metrics.FlushEachInvocation(true)}, 2},
		{faas.PlatformAWS, nil, 0}, // EMF
	}
	for _, tt := range tests {
		mp := &flushCounter{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))}
		app := newApp(append([]metrics.Option{metrics.WithMeterProvider(mp), metrics.WithWriter(&bytes.Buffer{})}, tt.opts...)...)
		for range 2 {
			faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/greet", ""), faastest.WithPlatform(tt.platform))
		}
		if got := mp.n.Load(); got != tt.want {
			t.Errorf("%s with %d options: %d flushes, want %d", tt.platform, len(tt.opts), got, tt.want)
		}
	}
	mp := &flushCounter{MeterProvider: sdkmetric.NewMeterProvider()}
	app := newApp(metrics.WithMeterProvider(mp))
	faastest.Start(t, app)
	app.Freeze(context.Background())
	app.Close(context.Background())
	if got := mp.n.Load(); got != 2 {
		t.Errorf("Freeze and Close flushed %d times, want 2", got)
	}
}
