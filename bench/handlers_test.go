package bench

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"

	"github.com/anyfaas/faas"
)

// The same work, written for each kind of contender.

// anyfaasApp returns an App of one function doing the work of the GET or
// the POST case, as a user writes it: the GET handler returns a value, the
// POST handler takes the decoded body with faas.Typed. Only errors are
// logged, as by default.
func anyfaasApp(post bool) *faas.App {
	app := faas.New(faas.WithLogger(slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))))
	if post {
		app.Func("echo", faas.Typed(echo), faas.HTTP("POST /echo"))
	} else {
		app.Func("hello", hello, faas.HTTP("GET /hello"))
	}
	return app
}

func hello(ctx *faas.Context, _ any) (any, error) {
	return Reply{Message: "hello, " + ctx.Query("name")}, nil
}

func echo(_ *faas.Context, o Order) (Order, error) { return o, nil }

// httpHandler returns the net/http handler of the GET or the POST case.
func httpHandler(post bool) http.Handler {
	if post {
		return http.HandlerFunc(echoHTTP)
	}
	return http.HandlerFunc(helloHTTP)
}

func helloHTTP(w http.ResponseWriter, r *http.Request) {
	b, err := json.Marshal(Reply{Message: "hello, " + r.URL.Query().Get("name")})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func echoHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var o Order
	if err := json.Unmarshal(body, &o); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b, err := json.Marshal(o)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}
