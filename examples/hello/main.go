// Command hello is the smallest anyfaas service: two HTTP functions in one
// deployment unit, served by whichever platform adapter the environment
// calls for — plain HTTP on 127.0.0.1:8080 on a development machine.
//
//	go run ./examples/hello
//	curl 'http://127.0.0.1:8080/hello?name=anyfaas'
//	curl -X POST http://127.0.0.1:8080/greet/fr -d '{"name":"Ada"}'
package main

import (
	"fmt"
	"log"

	"github.com/anyfaas/faas"
	_ "github.com/anyfaas/faas/adapters"
)

// Greeting is the JSON body of the greet function.
type Greeting struct {
	Name string `json:"name"`
}

// Reply is what both functions answer.
type Reply struct {
	Message string `json:"message"`
}

func hello(ctx *faas.Context, _ any) (any, error) {
	name := ctx.Query("name")
	if name == "" {
		name = "world"
	}
	return Reply{Message: "hello, " + name}, nil
}

var salutations = map[string]string{"en": "hello", "fr": "bonjour", "de": "hallo", "zh": "你好"}

func greet(ctx *faas.Context, g Greeting) (Reply, error) {
	word, ok := salutations[ctx.Param("lang")]
	if !ok {
		return Reply{}, faas.Errorf(404, "no greeting in language %q", ctx.Param("lang"))
	}
	if g.Name == "" {
		return Reply{}, faas.Errorf(400, `the body must name someone: {"name": "..."}`)
	}
	return Reply{Message: fmt.Sprintf("%s, %s", word, g.Name)}, nil
}

func newApp() *faas.App {
	app := faas.New()
	app.Func("hello", hello, faas.HTTP("GET /hello"))
	app.Func("greet", faas.Typed(greet), faas.HTTP("POST /greet/{lang}"))
	return app
}

func main() {
	if err := faas.Start(newApp()); err != nil {
		log.Fatal(err)
	}
}
