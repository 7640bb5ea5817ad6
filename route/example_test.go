package route_test

import (
	"fmt"

	"github.com/anyfaas/faas/route"
)

func ExampleTable() {
	var t route.Table[string]
	for _, s := range []string{"/files/{path...}", "GET /files/{name}", "GET /files/readme"} {
		p, err := route.Parse(s)
		if err != nil {
			fmt.Println(err)
			return
		}
		t.Add(p, s)
	}
	for _, path := range []string{"/files/readme", "/files/a.txt", "/files/docs/a.txt"} {
		p, v := t.Lookup("GET", path)
		fmt.Printf("%s -> %s %v\n", path, v, p.Extract(path))
	}
	fmt.Println(t.Allowed("/elsewhere"))
	// Output:
	// /files/readme -> GET /files/readme map[]
	// /files/a.txt -> GET /files/{name} map[name:a.txt]
	// /files/docs/a.txt -> /files/{path...} map[path:docs/a.txt]
	// []
}
