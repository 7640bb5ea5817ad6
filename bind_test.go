package faas_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
	"github.com/google/go-cmp/cmp"
)

type level int

func (l *level) UnmarshalText(b []byte) error {
	switch string(b) {
	case "low":
		*l = 1
	case "high":
		*l = 2
	default:
		return errors.New("want low or high")
	}
	return nil
}

type Embedded struct {
	Note string `form:"note"`
}

type order struct {
	Embedded
	Name     string    `json:"name"`
	Count    int       `json:"count"`
	Price    float64   `form:"price"`
	Paid     bool      `json:"paid,omitempty"`
	Tags     []string  `json:"tags"`
	Sizes    []uint16  `form:"size"`
	When     time.Time `form:"when"`
	Priority level     `form:"priority"`
	Discount *int      `form:"discount"`
	Logo     []byte    `form:"logo"`
	Secret   string    `form:"-"`
	hidden   string
}

func multipartBody(t *testing.T) (string, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("name", "Ada")
	w.WriteField("tags", "x")
	w.WriteField("tags", "y")
	fw, _ := w.CreateFormFile("logo", "logo.png")
	fw.Write([]byte{0x89, 'P', 'N', 'G'})
	w.Close()
	return buf.String(), w.FormDataContentType()
}

func TestBind(t *testing.T) {
	discount := 5
	mpBody, mpType := multipartBody(t)
	tests := []struct {
		name        string
		contentType string
		body        string
		want        order
	}{
		{"json", "application/json", `{"name":"Ada","count":2,"tags":["a","b"]}`,
			order{Name: "Ada", Count: 2, Tags: []string{"a", "b"}}},
		{"json with charset", "application/json; charset=utf-8", `{"name":"Ada"}`, order{Name: "Ada"}},
		{"text value into bytes", "application/x-www-form-urlencoded", "logo=abc", order{Logo: []byte("abc")}},
		{"vendor json", "application/vnd.api+json", `{"name":"Ada"}`, order{Name: "Ada"}},
		{"json without a type", "", ` {"count":3}`, order{Count: 3}},
		{"json sent as a form by curl -d", "application/x-www-form-urlencoded", `{"name":"Ada"}`, order{Name: "Ada"}},
		{"form", "application/x-www-form-urlencoded",
			"NAME=Ada&count=2&price=9.5&paid=true&tags=a&tags=b&size=1&size=2&when=2026-01-02T03:04:05Z&priority=high&discount=5&note=hi&Secret=s&hidden=h",
			order{Embedded: Embedded{Note: "hi"}, Name: "Ada", Count: 2, Price: 9.5, Paid: true, Tags: []string{"a", "b"}, Sizes: []uint16{1, 2},
				When: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Priority: 2, Discount: &discount}},
		{"multipart", mpType, mpBody, order{Name: "Ada", Tags: []string{"x", "y"}, Logo: []byte{0x89, 'P', 'N', 'G'}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := httpContext(t, tt.contentType, tt.body)
			var got order
			if err := ctx.Bind(&got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(order{})); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBindMaps(t *testing.T) {
	ctx := httpContext(t, "application/x-www-form-urlencoded", "a=1&a=2&b=3")
	var m map[string]string
	var vs url.Values
	var ms map[string][]string
	for _, v := range []any{&m, &vs, &ms} {
		if err := ctx.Bind(v); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(map[string]string{"a": "1", "b": "3"}, m); diff != "" {
		t.Errorf("map[string]string mismatch (-want +got):\n%s", diff)
	}
	want := map[string][]string{"a": {"1", "2"}, "b": {"3"}}
	if diff := cmp.Diff(url.Values(want), vs); diff != "" {
		t.Errorf("url.Values mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, ms); diff != "" {
		t.Errorf("map[string][]string mismatch (-want +got):\n%s", diff)
	}
}

// A body with no Content-Type that is JSON binds as JSON, whatever value
// it holds.
func TestBindJSONWithoutType(t *testing.T) {
	tests := []struct {
		name, body string
		target     any
		want       any
	}{
		{"object", `{"name":"Ada"}`, &map[string]string{}, &map[string]string{"name": "Ada"}},
		{"null", "null", &map[string]string{"a": "b"}, new(map[string]string)},
		{"string", `"hello"`, new(string), ptr("hello")},
		{"number", " 42\n", new(int), ptr(42)},
		{"boolean", "true", new(bool), ptr(true)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := httpContext(t, "", tt.body).Bind(tt.target); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, tt.target); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestBindErrors(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		target      any
		wantStatus  int // 0: not an *faas.Error
		wantMsg     string
	}{
		{"malformed JSON", "application/json", `{"name": "Ada",, }`, &order{}, 400,
			"invalid JSON body at offset 16: invalid character ',' looking for beginning of object key string"},
		{"truncated JSON", "application/json", `{"name": "Ada"`, &order{}, 400,
			"invalid JSON body at offset 14: unexpected end of JSON input"},
		{"wrong JSON type", "application/json", `{"count": "two"}`, &order{}, 400,
			"invalid JSON body at offset 15: field count: cannot use string as int"},
		{"trailing garbage", "application/json", `{} x`, &order{}, 400,
			"invalid JSON body at offset 4: invalid character 'x' after top-level value"},
		{"empty JSON", "application/json", "  ", &order{}, 400, "empty JSON body"},
		{"empty body", "", "", &order{}, 400, "empty request body: expected JSON or a form"},
		{"bad int", "application/x-www-form-urlencoded", "count=two", &order{}, 400, `form field "count": "two" is not a valid int`},
		{"bad bool", "application/x-www-form-urlencoded", "paid=maybe", &order{}, 400, `form field "paid": "maybe" is not a boolean`},
		{"bad uint16", "application/x-www-form-urlencoded", "size=70000", &order{}, 400, `form field "size": "70000" is not a valid uint16`},
		{"bad float", "application/x-www-form-urlencoded", "price=free", &order{}, 400, `form field "price": "free" is not a valid float64`},
		{"bad time", "application/x-www-form-urlencoded", "when=today", &order{}, 400, `form field "when": "today" is not an RFC 3339 time`},
		{"bad text", "application/x-www-form-urlencoded", "priority=mid", &order{}, 400, `form field "priority": want low or high`},
		{"bad form", "application/x-www-form-urlencoded", "a=%zz", &order{}, 400, `invalid form body: invalid URL escape "%zz"`},
		{"no boundary", "multipart/form-data", "x", &order{}, 400, "multipart/form-data body without a boundary parameter"},
		{"broken multipart", "multipart/form-data; boundary=xyz", "--xyz\r\nbroken", &order{}, 400, "invalid multipart"},
		{"unsupported type", "text/plain", "hi", &order{}, 415, `cannot bind a body of type "text/plain"`},
		{"no type, not JSON", "", "hello", new(string), 415, "cannot bind a body with no Content-Type that is not JSON"},
		{"no type, broken JSON object", "", `{"name":`, &order{}, 400, "invalid JSON body at offset 8"},
		{"bad content type", "a/b; =", "hi", &order{}, 400, `invalid Content-Type "a/b; ="`},
		{"bad JSON content type", "application/json; =", `{"name":"Ada"}`, &order{}, 400, `invalid Content-Type "application/json; ="`},
		{"form into a slice", "application/x-www-form-urlencoded", "a=1", &[]string{}, 0, "cannot bind a form into *[]string"},
		{"not a pointer", "application/json", "{}", order{}, 0, "Bind needs a non-nil pointer, not faas_test.order"},
		{"nil pointer", "application/json", "{}", (*order)(nil), 0, "Bind needs a non-nil pointer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := httpContext(t, tt.contentType, tt.body).Bind(tt.target)
			var ferr *faas.Error
			isFaas := errors.As(err, &ferr)
			switch {
			case err == nil:
				t.Fatal("Bind succeeded")
			case tt.wantStatus == 0 && isFaas:
				t.Errorf("a programming error is an *faas.Error: %v", err)
			case tt.wantStatus != 0 && (!isFaas || ferr.StatusCode != tt.wantStatus):
				t.Errorf("error %v is not an *faas.Error with status %d", err, tt.wantStatus)
			}
			msg := err.Error()
			if isFaas {
				msg = ferr.Message
			}
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("message %q does not contain %q", msg, tt.wantMsg)
			}
		})
	}
}

func TestBindNonHTTP(t *testing.T) {
	app, _ := newTestApp(t)
	type sqsLike struct {
		Records []struct {
			Body string `json:"body"`
		} `json:"Records"`
	}
	native := json.RawMessage(`{"Records":[{"body":"hello"}]}`)
	ctx := app.NewContext(t.Context(), faas.Invocation{
		Event:  faastest.NewMessageEvent("q", "hello"),
		Origin: faas.Origin{Event: native},
	})
	var got sqsLike
	if err := ctx.Bind(&got); err != nil || len(got.Records) != 1 || got.Records[0].Body != "hello" {
		t.Errorf("Bind of the native event = %+v, %v", got, err)
	}

	raw := app.NewContext(t.Context(), faas.Invocation{Event: faastest.NewRawEvent("raw", `{"x": 1}`)})
	var m map[string]int
	if err := raw.Bind(&m); err != nil || m["x"] != 1 {
		t.Errorf("Bind of a raw event = %v, %v", m, err)
	}
	var wrong struct{ X string }
	if err := raw.Bind(&wrong); err == nil || !strings.Contains(err.Error(), "invalid raw event at offset 7: field x: cannot use number as string") {
		t.Errorf("Bind of a raw event into the wrong type = %v", err)
	}

	// Deep in the payload, the field names the element, as the client
	// wrote it.
	order := app.NewContext(t.Context(), faas.Invocation{Event: faastest.NewRawEvent("raw", `{"items": [{"price": 1}, {"price": "2"}]}`)})
	var o struct{ Items []struct{ Price int } }
	if err := order.Bind(&o); err == nil || !strings.Contains(err.Error(), "field items[1].price: cannot use string as int") {
		t.Errorf("Bind of a raw event into the wrong type, deep = %v", err)
	}

	timer := app.NewContext(t.Context(), faas.Invocation{Event: faastest.NewTimerEvent("t", time.Now(), "")})
	if err := timer.Bind(&m); err == nil || err.Error() != "faas: Bind: the timer event has no JSON payload to bind" {
		t.Errorf("Bind without a payload = %v", err)
	}
}

func httpContext(t *testing.T, contentType, body string) *faas.Context {
	t.Helper()
	app, _ := newTestApp(t)
	req := faastest.NewHTTPRequest("POST", "/", "")
	req.Body = []byte(body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return app.NewContext(t.Context(), faas.Invocation{Event: req})
}

func FuzzBind(f *testing.F) {
	mpBody, mpType := multipartBody(&testing.T{})
	f.Add("application/json", `{"name":"Ada","count":2,"tags":["a"]}`)
	f.Add("application/x-www-form-urlencoded", "count=2&tags=a&size=3&when=2026-01-02T03:04:05Z")
	f.Add(mpType, mpBody)
	f.Add("", "[1,2]")
	f.Fuzz(func(t *testing.T, contentType, body string) {
		ctx := httpContext(&testing.T{}, contentType, body)
		var o order
		err := ctx.Bind(&o)
		var ferr *faas.Error
		if err != nil && !errors.As(err, &ferr) {
			t.Fatalf("Bind of client input gave a non-client error: %v", err)
		}
		var m map[string]any
		if err := ctx.Bind(&m); err == nil && m == nil && !json.Valid([]byte(body)) {
			t.Fatalf("Bind into a map succeeded with nothing from %q", body)
		}
	})
}
