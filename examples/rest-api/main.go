// Command rest-api is a small REST service of six functions — five HTTP
// routes over one store, and a timer that purges it — that share the store
// through the App's dependency container. The same code deploys as one
// unit per function (f.yml) or as one unit of all of them
// (f.aggregated.yml):
//
//	go run ./cmd/anyfaas package ./examples/rest-api --platform aws,fc,scf
//	go run ./cmd/anyfaas package ./examples/rest-api --file f.aggregated.yml
package main

import (
	"log"
	"net/http"
	"time"

	"github.com/anyfaas/faas"
	_ "github.com/anyfaas/faas/adapters"
)

// newApp registers the functions; the store comes from newStore, once.
func newApp(newStore func() Store, opts ...faas.Option) *faas.App {
	app := faas.New(opts...)
	app.Provide(newStore)
	app.Func("list", func(s Store) faas.HandlerFunc {
		return func(*faas.Context, any) (any, error) { return s.List(), nil }
	}, faas.HTTP("GET /items"))
	app.Func("get", func(s Store) faas.HandlerFunc {
		return func(ctx *faas.Context, _ any) (any, error) {
			it, ok := s.Get(ctx.Param("id"))
			if !ok {
				return nil, faas.Errorf(http.StatusNotFound, "no item %s", ctx.Param("id"))
			}
			return it, nil
		}
	}, faas.HTTP("GET /items/{id}"))
	app.Func("create", func(s Store) faas.HandlerFunc {
		return faas.Typed(func(ctx *faas.Context, in Item) (Item, error) {
			if in.Title == "" {
				return Item{}, faas.Errorf(http.StatusBadRequest, "an item needs a title")
			}
			in.ID = ""
			ctx.SetStatus(http.StatusCreated)
			return s.Put(in), nil
		})
	}, faas.HTTP("POST /items"))
	app.Func("update", func(s Store) faas.HandlerFunc {
		return faas.Typed(func(ctx *faas.Context, in Item) (Item, error) {
			if _, ok := s.Get(ctx.Param("id")); !ok {
				return Item{}, faas.Errorf(http.StatusNotFound, "no item %s", ctx.Param("id"))
			}
			in.ID = ctx.Param("id")
			return s.Put(in), nil
		})
	}, faas.HTTP("PUT /items/{id}"))
	app.Func("delete", func(s Store) faas.HandlerFunc {
		return func(ctx *faas.Context, _ any) (any, error) {
			if !s.Delete(ctx.Param("id")) {
				return nil, faas.Errorf(http.StatusNotFound, "no item %s", ctx.Param("id"))
			}
			return nil, nil
		}
	}, faas.HTTP("DELETE /items/{id}"))
	app.Func("purge", func(s Store) faas.HandlerFunc {
		return func(ctx *faas.Context, event any) (any, error) {
			n := s.Purge(event.(*faas.TimerEvent).Time.Add(-24 * time.Hour))
			ctx.Logger().Info("purged done items", "count", n)
			return map[string]int{"purged": n}, nil
		}
	}, faas.Timer("@every 1h"))
	return app
}

func main() {
	store := NewMemoryStore(time.Now)
	if err := faas.Start(newApp(func() Store { return store })); err != nil {
		log.Fatal(err)
	}
}
