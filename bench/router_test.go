package bench

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/aws"
	"github.com/aws/aws-lambda-go/lambda"
)

// BenchmarkRouter is issue 6, target 3: one unit of N HTTP functions, each
// with two routes of its own ("GET /svcNNNN/items/{id}" and "POST
// /svcNNNN/items"), invoked through adapters/aws on
// the API Gateway sample for the route of the function registered last.
// A unit of one function looks the request up in its own route alone, so
// the difference with it is the cost of a larger route table.
func BenchmarkRouter(b *testing.B) {
	for _, n := range []int{1, 100, 1000} {
		b.Run("functions="+strconv.Itoa(n), func(b *testing.B) {
			app := anyfaasApp(false)
			for i := 1; i < n; i++ {
				app.Func(fmt.Sprintf("f%04d", i), hello,
					faas.HTTP(fmt.Sprintf("GET /svc%04d/items/{id}", i)), faas.HTTP(fmt.Sprintf("POST /svc%04d/items", i)))
			}
			path := "/hello" // the function of a unit of one
			if n > 1 {
				path = fmt.Sprintf("/svc%04d/items/42", n-1)
			}
			payload := awsEventPath(b, path)
			h := lambda.NewHandler(aws.NewHandler(app))
			ctx, cancel := lambdaContext()
			defer cancel()
			run(b, payload, false, func() ([]byte, error) { return h.Invoke(ctx, payload) })
		})
	}
}

// awsEventPath is the GET sample for another path.
func awsEventPath(tb testing.TB, path string) []byte {
	m := sample(tb, "aws/apigw-v2.json")
	m["rawPath"], m["rawQueryString"] = path, "name=anyfaas"
	m["queryStringParameters"] = map[string]any{"name": "anyfaas"}
	rc := obj(m, "requestContext")
	h := obj(rc, "http")
	h["method"], h["path"] = "GET", path
	return compact(tb, m)
}
