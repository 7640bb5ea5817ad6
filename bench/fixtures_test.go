package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// repoRoot is the anyfaas repository, the parent of this module.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := filepath.Abs("..")
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}

// Reply is what the GET handlers answer.
type Reply struct {
	Message string `json:"message"`
}

// Order is the 4 KB JSON body the POST handlers decode and answer.
type Order struct {
	ID       string   `json:"id"`
	Customer Customer `json:"customer"`
	Items    []Item   `json:"items"`
	Currency string   `json:"currency"`
	Total    float64  `json:"total"`
	Note     string   `json:"note"`
}

// Customer is part of an Order.
type Customer struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Email   string `json:"email"`
	Country string `json:"country"`
}

// Item is a line of an Order.
type Item struct {
	SKU      string  `json:"sku"`
	Name     string  `json:"name"`
	Quantity int     `json:"quantity"`
	Price    float64 `json:"price"`
	Gift     bool    `json:"gift"`
}

// orderBody is the POST body: an Order of about 4 KB (4096 ± 80 bytes),
// made deterministically.
var orderBody = sync.OnceValue(func() []byte {
	o := Order{
		ID:       "ord-2024-000417",
		Customer: Customer{ID: "cus-88213", Name: "Ada Lovelace", Email: "ada@example.com", Country: "GB"},
		Currency: "EUR",
		Note:     "leave at the door; ring twice",
	}
	for i := 0; ; i++ {
		it := Item{SKU: fmt.Sprintf("SKU-%06d", 100000+i*37), Name: "Widget, model " + strconv.Itoa(i), Quantity: 1 + i%5, Price: 9.99 + float64(i), Gift: i%7 == 0}
		o.Items = append(o.Items, it)
		o.Total += float64(it.Quantity) * it.Price
		b, err := json.Marshal(o)
		if err != nil {
			panic(err)
		}
		if len(b) >= 4096-80 {
			return b
		}
	}
})

// sample reads a catalog sample event of the anyfaas repository as a
// generic JSON object.
func sample(tb testing.TB, name string) map[string]any {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(tb), "catalog", "samples", name))
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		tb.Fatal(err)
	}
	return m
}

func obj(m map[string]any, key string) map[string]any {
	v, ok := m[key].(map[string]any)
	if !ok {
		v = map[string]any{}
		m[key] = v
	}
	return v
}

func compact(tb testing.TB, m map[string]any) []byte {
	tb.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// awsEvent returns the API Gateway HTTP API payload 2.0 sample
// (catalog/samples/aws/apigw-v2.json, aws-lambda-go's own test event) as
// API Gateway would send it for GET /hello?name=anyfaas, or with post for
// POST /echo with the 4 KB JSON order: compact JSON, as the Runtime API
// delivers it.
func awsEvent(tb testing.TB, post bool) []byte {
	m := sample(tb, "aws/apigw-v2.json")
	rc := obj(m, "requestContext")
	h := obj(rc, "http")
	headers := obj(m, "headers")
	if post {
		m["rawPath"], m["rawQueryString"], m["routeKey"], rc["routeKey"] = "/echo", "", "POST /echo", "POST /echo"
		h["method"], h["path"] = "POST", "/echo"
		body := orderBody()
		headers["content-type"], headers["content-length"] = "application/json", strconv.Itoa(len(body))
		m["body"], m["isBase64Encoded"] = string(body), false
	} else {
		m["rawPath"], m["rawQueryString"], m["routeKey"], rc["routeKey"] = "/hello", "name=anyfaas", "GET /hello", "GET /hello"
		m["queryStringParameters"] = map[string]any{"name": "anyfaas"}
		h["method"], h["path"] = "GET", "/hello"
	}
	return compact(tb, m)
}

// fcEvent returns FC 3.0's HTTP trigger sample (catalog/samples/fc/http.json,
// from FC's documentation) for GET /hello?name=anyfaas or POST /echo.
func fcEvent(tb testing.TB, post bool) []byte {
	m := sample(tb, "fc/http.json")
	rc := obj(m, "requestContext")
	h := obj(rc, "http")
	headers := obj(m, "headers")
	if post {
		m["rawPath"] = "/echo"
		h["method"], h["path"] = "POST", "/echo"
		m["queryParameters"] = map[string]any{}
		headers["Content-Type"] = "application/json"
		m["body"], m["isBase64Encoded"] = string(orderBody()), false
	} else {
		m["rawPath"] = "/hello"
		h["method"], h["path"] = "GET", "/hello"
		m["queryParameters"] = map[string]any{"name": "anyfaas"}
		m["body"], m["isBase64Encoded"] = "", false
	}
	return compact(tb, m)
}

// scfEvent returns SCF's API Gateway sample (catalog/samples/scf/apigw.json,
// from Tencent Cloud's documentation) for GET /hello?name=anyfaas or POST
// /echo.
func scfEvent(tb testing.TB, post bool) []byte {
	m := sample(tb, "scf/apigw.json")
	rc := obj(m, "requestContext")
	headers := obj(m, "headers")
	m["pathParameters"] = map[string]any{}
	rc["path"] = "/"
	if post {
		m["httpMethod"], rc["httpMethod"], m["path"] = "POST", "POST", "/echo"
		m["queryString"], m["queryStringParameters"] = map[string]any{}, map[string]any{}
		headers["Content-Type"] = "application/json"
		m["body"] = string(orderBody())
	} else {
		m["httpMethod"], rc["httpMethod"], m["path"] = "GET", "GET", "/hello"
		m["queryString"] = map[string]any{"name": "anyfaas"}
		m["queryStringParameters"] = map[string]any{"name": "anyfaas"}
		m["body"] = ""
	}
	return compact(tb, m)
}

// cases are the two requests of every comparison.
var cases = []struct {
	name string
	post bool
}{{"GET", false}, {"POST4K", true}}

// checkReply fails unless out (a native response) holds the expected
// answer, so that no contender is measured doing less than the others.
func checkReply(tb testing.TB, out []byte, post bool) {
	tb.Helper()
	want := `hello, anyfaas`
	if post {
		want = `Widget, model 1`
	}
	if !bytes.Contains(out, []byte(want)) {
		tb.Fatalf("the response does not hold %q:\n%s", want, out)
	}
}
