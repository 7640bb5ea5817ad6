package faas_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
)

type typedReader struct{ io.Reader }

func (typedReader) ContentType() string { return "text/csv" }

type closeTracker struct {
	io.Reader
	closed bool
}

func (c *closeTracker) Close() error { c.closed = true; return nil }

func TestRespond(t *testing.T) {
	shared := &faas.HTTPResponse{StatusCode: 201, Header: http.Header{"X-Own": {"1"}}, Body: []byte("made")}
	tracker := &closeTracker{Reader: strings.NewReader("streamed")}
	tests := []struct {
		name   string
		setup  func(ctx *faas.Context)
		result any
		err    error
		dev    bool
		want   *faas.HTTPResponse
	}{
		{name: "string", result: "hi",
			want: &faas.HTTPResponse{StatusCode: 200, Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, Body: []byte("hi")}},
		{name: "bytes", result: []byte{0, 1, 0xff},
			want: &faas.HTTPResponse{StatusCode: 200, Header: http.Header{"Content-Type": {"application/octet-stream"}}, Body: []byte{0, 1, 0xff}}},
		{name: "nil", result: nil,
			want: &faas.HTTPResponse{StatusCode: 204}},
		{name: "nil with a status", setup: func(c *faas.Context) { c.SetStatus(202) }, result: nil,
			want: &faas.HTTPResponse{StatusCode: 202}},
		{name: "struct as JSON, HTML not escaped", result: struct {
			A string `json:"a"`
		}{"<b>&</b>"},
			want: &faas.HTTPResponse{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, Body: []byte(`{"a":"<b>&</b>"}`)}},
		{name: "map as JSON with a status", setup: func(c *faas.Context) { c.SetStatus(201) }, result: map[string]int{"n": 1},
			want: &faas.HTTPResponse{StatusCode: 201, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, Body: []byte(`{"n":1}`)}},
		{name: "raw JSON", result: json.RawMessage(`[1,2]`),
			want: &faas.HTTPResponse{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, Body: []byte(`[1,2]`)}},
		{name: "reader", result: tracker,
			want: &faas.HTTPResponse{StatusCode: 200, Header: http.Header{"Content-Type": {"application/octet-stream"}}, Body: []byte("streamed")}},
		{name: "reader with a content type", result: typedReader{strings.NewReader("a,b")},
			want: &faas.HTTPResponse{StatusCode: 200, Header: http.Header{"Content-Type": {"text/csv"}}, Body: []byte("a,b")}},
		{name: "failing reader", result: iotest.ErrReader(errors.New("disk")), dev: true,
			want: &faas.HTTPResponse{StatusCode: 500, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
				Body: []byte(`{"error":"Internal Server Error","detail":"faas: reading the result: disk"}`)}},
		{name: "response as is", result: shared, want: shared},
		{name: "response with zero status", result: &faas.HTTPResponse{Body: []byte("x")},
			want: &faas.HTTPResponse{StatusCode: 200, Body: []byte("x")}},
		{name: "response without a status takes the context's", setup: func(c *faas.Context) { c.SetStatus(201) },
			result: &faas.HTTPResponse{Body: []byte("x")},
			want:   &faas.HTTPResponse{StatusCode: 201, Body: []byte("x")}},
		{name: "nil response", result: (*faas.HTTPResponse)(nil),
			want: &faas.HTTPResponse{StatusCode: 204}},
		{name: "response merges context headers, its own win",
			setup:  func(c *faas.Context) { c.SetHeader("X-Own", "ctx"); c.SetHeader("X-Ctx", "1"); c.SetStatus(299) },
			result: shared,
			want:   &faas.HTTPResponse{StatusCode: 201, Header: http.Header{"X-Own": {"1"}, "X-Ctx": {"1"}}, Body: []byte("made")}},
		{name: "context content type wins over the default",
			setup:  func(c *faas.Context) { c.SetHeader("Content-Type", "text/html") },
			result: "<p>hi</p>",
			want:   &faas.HTTPResponse{StatusCode: 200, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<p>hi</p>")}},
		{name: "cookies all survive",
			setup: func(c *faas.Context) {
				c.SetCookie(&http.Cookie{Name: "a", Value: "1", Path: "/"})
				c.SetCookie(&http.Cookie{Name: "b", Value: "2", HttpOnly: true})
				c.SetCookie(&http.Cookie{Name: "bad name", Value: "x"})
			},
			result: "ok",
			want: &faas.HTTPResponse{StatusCode: 200, Header: http.Header{
				"Content-Type": {"text/plain; charset=utf-8"},
				"Set-Cookie":   {"a=1; Path=/", "b=2; HttpOnly"},
			}, Body: []byte("ok")}},
		{name: "unencodable result", result: make(chan int), dev: true,
			want: &faas.HTTPResponse{StatusCode: 500, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
				Body: []byte(`{"error":"Internal Server Error","detail":"faas: encoding the result as JSON: json: unsupported type: chan int"}`)}},
		{name: "faas.Error", err: &faas.Error{StatusCode: 429, Message: "slow down", Header: http.Header{"Retry-After": {"3"}}, Err: errors.New("internal")},
			want: &faas.HTTPResponse{StatusCode: 429, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}, "Retry-After": {"3"}},
				Body: []byte(`{"error":"slow down"}`)}},
		{name: "wrapped faas.Error keeps context headers", setup: func(c *faas.Context) { c.SetHeader("Access-Control-Allow-Origin", "*") },
			err: fmt.Errorf("loading: %w", faas.Errorf(404, "item %d not found", 7)),
			want: &faas.HTTPResponse{StatusCode: 404, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}, "Access-Control-Allow-Origin": {"*"}},
				Body: []byte(`{"error":"item 7 not found"}`)}},
		{name: "faas.Error without message or status", err: &faas.Error{},
			want: &faas.HTTPResponse{StatusCode: 500, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
				Body: []byte(`{"error":"Internal Server Error"}`)}},
		{name: "plain error hides detail", err: errors.New("password=hunter2 rejected"), setup: func(c *faas.Context) { c.SetStatus(201) },
			want: &faas.HTTPResponse{StatusCode: 500, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
				Body: []byte(`{"error":"Internal Server Error"}`)}},
		{name: "plain error in development", err: errors.New("db down"), dev: true,
			want: &faas.HTTPResponse{StatusCode: 500, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
				Body: []byte(`{"error":"Internal Server Error","detail":"db down"}`)}},
		// A server error's cause (the panic a recovery layer answers for)
		// shows in development only; a client error's never.
		{name: "faas.Error's cause in development", err: &faas.Error{StatusCode: 500, Message: "internal error (request r1)", Err: errors.New("panic: nil map")}, dev: true,
			want: &faas.HTTPResponse{StatusCode: 500, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
				Body: []byte(`{"error":"internal error (request r1)","detail":"panic: nil map"}`)}},
		{name: "faas.Error's cause hidden", err: &faas.Error{StatusCode: 503, Message: "try later", Err: errors.New("db at 10.0.0.3 down")},
			want: &faas.HTTPResponse{StatusCode: 503, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
				Body: []byte(`{"error":"try later"}`)}},
		{name: "client error's cause hidden in development", err: &faas.Error{StatusCode: 404, Message: "no such item", Err: errors.New("sql: no rows")}, dev: true,
			want: &faas.HTTPResponse{StatusCode: 404, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
				Body: []byte(`{"error":"no such item"}`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, _ := newTestApp(t, faas.WithDevelopment(tt.dev))
			ctx := app.NewContext(t.Context(), faas.Invocation{Event: faastest.NewHTTPRequest("GET", "/", "")})
			if tt.setup != nil {
				tt.setup(ctx)
			}
			got := faas.Respond(ctx, tt.result, tt.err)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if !tracker.closed {
		t.Error("a closable reader result was not closed")
	}
	if shared.Header.Get("X-Ctx") != "" {
		t.Error("Respond changed the handler's own *HTTPResponse")
	}
}

// A result that cannot be sent fails after the App and its layers
// returned, having seen a success: Respond logs it, at ERROR with its
// error, once, whether or not a layer logs failures.
func TestRespondLogsUnsendableResult(t *testing.T) {
	passThrough := faas.Layer{Name: "failures", LogsFailures: true, Middleware: func(next faas.Handler) faas.Handler { return next }}
	tests := []struct {
		name   string
		result any
		layers []faas.Layer
		want   string
	}{
		{name: "unencodable", result: map[string]any{"f": func() {}},
			want: "faas: encoding the result as JSON: json: unsupported type: func()"},
		{name: "unencodable through a layer that logs failures", result: map[string]any{"f": func() {}}, layers: []faas.Layer{passThrough},
			want: "faas: encoding the result as JSON: json: unsupported type: func()"},
		{name: "failing reader", result: iotest.ErrReader(errors.New("disk")),
			want: "faas: reading the result: disk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, sink := newTestApp(t)
			app.Use(tt.layers...)
			app.Func("bad", func(*faas.Context, any) (any, error) { return tt.result, nil }, faas.HTTP("GET /bad"))
			if err := app.Start(t.Context()); err != nil {
				t.Fatal(err)
			}
			defer app.Close(t.Context())
			ctx := app.NewContext(t.Context(), faas.Invocation{Event: faastest.NewHTTPRequest("GET", "/bad", "")})
			result, err := app.Invoke(ctx, ctx.Request())
			if got := faas.Respond(ctx, result, err); got.StatusCode != http.StatusInternalServerError {
				t.Errorf("status %d, want 500", got.StatusCode)
			}
			var errs []string
			sink.mu.Lock()
			for _, r := range sink.records {
				if r.Level >= slog.LevelError {
					errs = append(errs, r.Message)
				}
			}
			sink.mu.Unlock()
			if diff := cmp.Diff([]string{"invocation failed"}, errs); diff != "" {
				t.Errorf("ERROR lines (-want +got):\n%s", diff)
			}
			if got := sink.find("invocation failed"); len(got) != 1 || got[0]["error"] != tt.want {
				t.Errorf("logged %v, want one line with error %q", got, tt.want)
			}
		})
	}
}

func TestEncodeResult(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, "null"},
		{"s", `"s"`},
		{[]byte("hi"), `"aGk="`},
		{json.RawMessage(`{"x":1}`), `{"x":1}`},
		{map[string]string{"h": "<&>"}, `{"h":"<&>"}`},
		{"a\x01b", `"a\u0001b"`},
		{`\u003c`, `"\\u003c"`},
		{json.RawMessage(` {"h": "<&>\u2028"} `), `{"h":"<&>\u2028"}`},
		{htmlMarshaler{}, `{"h":"<>"}`},
	}
	for _, tt := range tests {
		got, err := faas.EncodeResult(tt.in)
		if err != nil || string(got) != tt.want {
			t.Errorf("EncodeResult(%#v) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	if _, err := faas.EncodeResult(func() {}); err == nil {
		t.Error("EncodeResult(func) succeeded")
	}
}

// htmlMarshaler is a json.Marshaler whose JSON has HTML characters, which
// json.Marshal escapes when it compacts a MarshalJSON's output.
type htmlMarshaler struct{}

func (htmlMarshaler) MarshalJSON() ([]byte, error) { return []byte(`{"h": "<>"}`), nil }

// FuzzEncodeResult checks EncodeResult against its definition: the JSON
// of an Encoder that does not escape HTML, less its newline.
func FuzzEncodeResult(f *testing.F) {
	for _, s := range []string{"", "hello", "<b>&</b>", "\u003c", "a\x00\x1f", "\u2028", "é\xff", `"\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in := map[string]any{"s": s, "list": []string{s, "<" + s + ">"}}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(in); err != nil {
			t.Fatal(err)
		}
		got, err := faas.EncodeResult(in)
		if err != nil || string(got) != strings.TrimSuffix(want.String(), "\n") {
			t.Errorf("EncodeResult(%q) = %s, %v; want %s", s, got, err, want.String())
		}
	})
}

func TestErrorf(t *testing.T) {
	cause := errors.New("row missing")
	err := faas.Errorf(404, "item %d: %w", 3, cause)
	if err.StatusCode != 404 || err.Message != "item 3: row missing" || !errors.Is(err, cause) {
		t.Errorf("Errorf = %#v", err)
	}
	if got := (&faas.Error{StatusCode: 400, Message: "bad", Err: cause}).Error(); got != "400 bad: row missing" {
		t.Errorf("Error() = %q", got)
	}
	if got := (&faas.Error{StatusCode: 418}).Error(); got != "418 I'm a teapot" {
		t.Errorf("Error() = %q", got)
	}
}

func TestRespondStream(t *testing.T) {
	app, _ := newTestApp(t)
	ctx := app.NewContext(t.Context(), faas.Invocation{Event: faastest.NewHTTPRequest("GET", "/", "")})
	ctx.SetStatus(206)
	ctx.SetHeader("X-A", "1")
	src := &closeTracker{Reader: strings.NewReader("chunks")}
	resp, body := faas.RespondStream(ctx, typedReader{src}, nil)
	want := &faas.HTTPResponse{StatusCode: 206, Header: http.Header{"Content-Type": {"text/csv"}, "X-A": {"1"}}}
	if diff := cmp.Diff(want, resp); diff != "" {
		t.Errorf("head mismatch (-want +got):\n%s", diff)
	}
	if b, _ := io.ReadAll(body); string(b) != "chunks" || src.closed {
		t.Errorf("stream %q, closed %v: want it unread and open", b, src.closed)
	}

	ctx = app.NewContext(t.Context(), faas.Invocation{Event: faastest.NewHTTPRequest("GET", "/", "")})
	resp, body = faas.RespondStream(ctx, "text", nil)
	if body != nil || string(resp.Body) != "text" {
		t.Errorf("a plain result: body reader %v, response %+v", body, resp)
	}
}

// The header of a plain result's response is shared between responses:
// headers set on one invocation's Context never reach another's.
func TestRespondSharedHeader(t *testing.T) {
	app, _ := newTestApp(t)
	for i, result := range []any{"text", "text", map[string]int{"n": 1}, map[string]int{"n": 2}, []byte("raw"), []byte("raw")} {
		ctx := app.NewContext(t.Context(), faas.Invocation{Event: faastest.NewHTTPRequest("GET", "/", "")})
		if i%2 == 0 {
			ctx.SetHeader("X-Only-Here", "1")
			ctx.SetHeader("Content-Type", "text/html")
		}
		resp := faas.Respond(ctx, result, nil)
		own := i%2 == 0
		if got := resp.Header.Get("X-Only-Here") != "" && resp.Header.Get("Content-Type") == "text/html"; got != own {
			t.Errorf("result %d: header %v; want the Context's headers: %v", i, resp.Header, own)
		}
		if !own && len(resp.Header) != 1 {
			t.Errorf("result %d: header %v, want Content-Type alone", i, resp.Header)
		}
	}
}

// The first Respond of an invocation builds its response in the Context's
// own allocation; a second one (a handler or a layer that called Respond
// itself, then the adapter) gets a new response and leaves the first as it
// was.
func TestRespondTwice(t *testing.T) {
	app, _ := newTestApp(t)
	ctx := app.NewContext(t.Context(), faas.Invocation{Event: faastest.NewHTTPRequest("GET", "/", "")})
	first := faas.Respond(ctx, "first", nil)
	second := faas.Respond(ctx, []byte("second"), nil)
	if first == second {
		t.Fatal("the second response is the first one")
	}
	want := &faas.HTTPResponse{StatusCode: 200, Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, Body: []byte("first")}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("the first response changed (-want +got):\n%s", diff)
	}
	if string(second.Body) != "second" {
		t.Errorf("second body %q, want %q", second.Body, "second")
	}
	req := &faas.HTTPRequest{Method: "GET", Path: "/"}
	for _, tc := range []struct {
		result any
		allocs float64 // the Context's, and the body's if the result is copied
	}{{nil, 1}, {[]byte("raw"), 1}, {(*faas.HTTPResponse)(nil), 1}, {"text", 2}} {
		allocs := testing.AllocsPerRun(10, func() {
			faas.Respond(app.NewContext(t.Context(), faas.Invocation{Event: req}), tc.result, nil)
		})
		if allocs != tc.allocs {
			t.Errorf("NewContext and Respond of %#v: %v allocations, want %v", tc.result, allocs, tc.allocs)
		}
	}
}
