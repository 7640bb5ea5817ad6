package gcf_test

import (
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/gcf"
)

// A unit of two functions: an HTTP one, and one that Eventarc calls when an
// object is written to a bucket. Handler serves both on one port, telling
// the CloudEvent from the plain HTTP request.
func ExampleHandler() {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("hello", func(ctx *faas.Context, _ any) (any, error) {
		return "hello, " + ctx.Query("name"), nil
	}, faas.HTTP("GET /hello"))
	app.Func("thumbnail", func(ctx *faas.Context, event any) (any, error) {
		obj := event.(*faas.StorageEvent).Records[0]
		fmt.Printf("%s gs://%s/%s (%d bytes)\n", obj.Op, obj.Bucket, obj.Key, obj.Size)
		return nil, nil
	}, faas.On(faas.TriggerStorage))
	h := gcf.Handler(app)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/hello?name=gcf", nil))
	fmt.Println(rec.Code, rec.Body)

	// A CloudEvent in binary mode, as Eventarc delivers it.
	req := httptest.NewRequest("POST", "/", strings.NewReader(`{"bucket":"photos","name":"cat.jpg","size":"1024"}`))
	req.Header = http.Header{
		"Ce-Specversion": {"1.0"},
		"Ce-Id":          {"1234"},
		"Ce-Source":      {"//storage.googleapis.com/projects/_/buckets/photos"},
		"Ce-Type":        {"google.cloud.storage.object.v1.finalized"},
		"Content-Type":   {"application/json"},
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// 200 hello, gcf
	// created gs://photos/cat.jpg (1024 bytes)
	// 204
}

// The main package of a function deployed to Cloud Run functions. faas.Start
// picks this adapter from FUNCTION_TARGET; gcf.Start serves it whatever the
// environment says.
func ExampleStart() {
	app := faas.New()
	app.Func("hello", func(*faas.Context, any) (any, error) { return "hello", nil })
	if err := gcf.Start(app); err != nil {
		log.Fatal(err)
	}
}
