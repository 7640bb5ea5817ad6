package faas_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
)

// storageEvent is a storage event of a record per "op bucket key".
func storageEvent(records ...string) *faas.StorageEvent {
	ev := &faas.StorageEvent{}
	for _, r := range records {
		f := strings.Fields(r)
		ev.Records = append(ev.Records, faas.StorageRecord{Op: f[0], Bucket: f[1], Key: f[2]})
	}
	return ev
}

// keys are the records' "op bucket key".
func keys(ev *faas.StorageEvent) []string {
	var out []string
	for _, r := range ev.Records {
		out = append(out, r.Op+" "+r.Bucket+" "+r.Key)
	}
	return out
}

// A function with storage filters is given the records they select, as a
// platform's prefix and suffix filter would deliver them; an event of none
// is acknowledged without invoking it.
func TestStorageFilters(t *testing.T) {
	const env = "photos=prefix:up/,suffix:.jpg;multi=bucket:a,op:created,prefix:in/;multi=bucket:b;multi=bucket:a,op:removed"
	tests := []struct {
		name   string
		env    string // else the option
		option map[string][]faas.StorageFilter
		fn     string
		event  any
		want   []string // the records the handler is given; nil if not invoked
	}{
		{"all kept", env, nil, "photos", storageEvent("created b up/x.jpg", "created b up/y.jpg"), []string{"created b up/x.jpg", "created b up/y.jpg"}},
		{"some kept", env, nil, "photos", storageEvent("created b up/x.png", "created b up/x.jpg", "created b x.jpg"), []string{"created b up/x.jpg"}},
		{"prefix and suffix", env, nil, "photos", storageEvent("created b up/x.png", "created b down/x.jpg"), nil},
		{"none kept", env, nil, "photos", storageEvent("created b down/x.jpg"), nil},
		{"by bucket and op", env, nil, "multi", storageEvent("created a in/1", "created a out/2", "removed a out/3", "created b out/4", "created c in/5"), []string{"created a in/1", "removed a out/3", "created b out/4"}},
		{"no filters", env, nil, "plain", storageEvent("created b down/x.jpg"), []string{"created b down/x.jpg"}},
		{"other triggers", env, nil, "photos", faastest.NewMessageEvent("t", "m"), nil},
		{"option", "", map[string][]faas.StorageFilter{"photos": {{Suffix: ".png"}}}, "photos", storageEvent("created b up/x.png", "created b up/x.jpg"), []string{"created b up/x.png"}},
		{"escaped", "photos=prefix:a%2Cb%3Bc%3Dd%25", nil, "photos", storageEvent("created b a,b;c=d%/x", "created b a/x"), []string{"created b a,b;c=d%/x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []faas.Option
			if tt.option != nil {
				opts = append(opts, faas.WithStorageFilters(tt.option))
			}
			app, _ := newTestApp(t, opts...)
			var got []string
			invoked := false
			for _, name := range []string{"photos", "multi", "plain"} {
				app.Func(name, func(ctx *faas.Context, event any) (any, error) {
					invoked = true
					if ev, ok := event.(*faas.StorageEvent); ok {
						got = keys(ev)
						if ctx.Event() != event {
							t.Errorf("ctx.Event() = %v, want the event the handler is given", ctx.Event())
						}
					}
					return "invoked", nil
				})
			}
			startWithEnv(t, app, faas.StorageFiltersEnv, tt.env)
			res := faastest.Invoke(t, app, tt.event, faastest.WithFunction(tt.fn))
			if res.Err != nil {
				t.Fatalf("Invoke: %v", res.Err)
			}
			if _, message := tt.event.(*faas.MessageEvent); message {
				if !invoked {
					t.Error("a message event to a function with storage filters was not given to it")
				}
				return
			}
			if tt.want == nil {
				if invoked || res.Value != nil {
					t.Errorf("invoked %v with %q, result %v; want it skipped with a nil result", invoked, got, res.Value)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

// An event filtered out is logged, with its keys and the filters, at
// debug level, or at warning level in development mode (anyfaas dev and
// invoke), where it must not be a silent no-op; its records are left as
// the adapter gave them.
func TestStorageFiltersSkipLogged(t *testing.T) {
	for _, tt := range []struct {
		name  string
		dev   bool
		level string
	}{
		{"deployed", false, "DEBUG"},
		{"development", true, "WARN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			app, sink := newTestApp(t, faas.WithDevelopment(tt.dev),
				faas.WithStorageFilters(map[string][]faas.StorageFilter{"photos": {{Prefix: "up/"}, {Bucket: "other"}}}))
			app.Func("photos", func(*faas.Context, any) (any, error) { return "invoked", nil })
			faastest.Start(t, app)
			ev := storageEvent("created b down/x", "created b up/y")
			if res := faastest.Invoke(t, app, ev); res.Err != nil || res.Value != "invoked" {
				t.Fatalf("Invoke = %v, %v; want invoked", res.Value, res.Err)
			}
			if diff := cmp.Diff([]string{"created b down/x", "created b up/y"}, keys(ev)); diff != "" {
				t.Errorf("the adapter's event was changed (-want +got):\n%s", diff)
			}
			res := faastest.Invoke(t, app, storageEvent("created b down/x", "created b down/z"))
			if res.Err != nil || res.Value != nil {
				t.Fatalf("Invoke = %v, %v; want nil, nil", res.Value, res.Err)
			}
			got := sink.find("faas: no record of the storage event passes the function's storage filters; the event is acknowledged without invoking it")
			want := []map[string]string{{"level": tt.level, "keys": "[down/x down/z]", "filters": "[prefix:up/ bucket:other]",
				"function": "photos", "platform": "test", "request_id": "test-request-1", "trigger": "storage"}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("skip logged (-want +got):\n%s", diff)
			}
		})
	}
}

// Filters naming a function the App does not serve, and a value of
// StorageFiltersEnv that is not one, stop the start.
func TestStorageFiltersErrors(t *testing.T) {
	tests := []struct {
		name    string
		env     string
		option  map[string][]faas.StorageFilter
		wantErr string
	}{
		{"env not a pair", "photos", nil, `"photos" is not name=filter`},
		{"env not a field", "photos=up/", nil, `"up/" is not key:value`},
		{"env unknown key", "photos=prefx:up/", nil, `"prefx" is not bucket, op, prefix or suffix`},
		{"env twice", "photos=prefix:a,prefix:b", nil, "a filter gives prefix twice"},
		{"env bad escape", "photos=prefix:a%zz", nil, `"prefix:a%zz"`},
		{"env unknown function", "photo=prefix:up/", nil, `storage filters: the App serves no function "photo" (it serves photos)`},
		{"option unknown function", "", map[string][]faas.StorageFilter{"nope": {{Prefix: "a"}}}, `the App serves no function "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []faas.Option
			if tt.option != nil {
				opts = append(opts, faas.WithStorageFilters(tt.option))
			}
			app, _ := newTestApp(t, opts...)
			app.Func("photos", echo("photos"))
			err := startErr(t, app, faas.StorageFiltersEnv, tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("start = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

// startWithEnv starts app as Start would with env set to value (if not
// empty), closing it at the end of the test.
func startWithEnv(t *testing.T, app *faas.App, env, value string) {
	t.Helper()
	if err := startErr(t, app, env, value); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { app.Close(context.Background()) })
}

// startErr starts app as Start would with env set to value (if not empty):
// this test binary links no adapter, so Start reads the environment and
// then says so, and App.Start starts it.
func startErr(t *testing.T, app *faas.App, env, value string) error {
	t.Helper()
	if value != "" {
		t.Setenv("FAAS_PLATFORM", "aws")
		t.Setenv(env, value)
		if err := faas.Start(app); err == nil || !strings.Contains(err.Error(), "has no adapter linked") {
			return err
		}
	}
	return app.Start(context.Background())
}

// A filter selects a record of its bucket and operations whose key has its
// prefix and suffix; its String is the form StorageFiltersEnv gives it in.
func TestStorageFilterMatch(t *testing.T) {
	rec := faas.StorageRecord{Op: faas.StorageCreated, Bucket: "b", Key: "up/x.jpg"}
	tests := []struct {
		f    faas.StorageFilter
		want bool
		str  string
	}{
		{faas.StorageFilter{}, true, ""},
		{faas.StorageFilter{Prefix: "up/", Suffix: ".jpg"}, true, "prefix:up/,suffix:.jpg"},
		{faas.StorageFilter{Prefix: "up/", Suffix: ".png"}, false, "prefix:up/,suffix:.png"},
		{faas.StorageFilter{Prefix: "down/", Suffix: ".jpg"}, false, "prefix:down/,suffix:.jpg"},
		{faas.StorageFilter{Bucket: "c"}, false, "bucket:c"},
		{faas.StorageFilter{Bucket: "b", Ops: []string{"removed", "created"}}, true, "bucket:b,op:removed,op:created"},
		{faas.StorageFilter{Ops: []string{"removed"}}, false, "op:removed"},
		{faas.StorageFilter{Prefix: "a,b;c=d%"}, false, "prefix:a%2Cb%3Bc%3Dd%25"},
	}
	for _, tt := range tests {
		if got := tt.f.Match(&rec); got != tt.want {
			t.Errorf("%+v.Match(%+v) = %v, want %v", tt.f, rec, got, tt.want)
		}
		if got := tt.f.String(); got != tt.str {
			t.Errorf("%+v.String() = %q, want %q", tt.f, got, tt.str)
		}
	}
}
