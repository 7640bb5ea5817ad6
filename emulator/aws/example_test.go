package aws_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/emulator/aws"
)

// ExampleEmulator runs a function built for Lambda's provided.al2023
// runtime with aws-lambda-go (testdata/plain): once invoked directly, once
// through the HTTP API.
func ExampleEmulator() {
	bin, err := plainBinary() // go build -tags lambda.norpc ./testdata/plain
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	e := aws.New(emulator.Function{Name: "plain", Binary: bin})
	defer e.Close(ctx)
	if err := e.Start(ctx); err != nil {
		log.Fatal(err)
	}

	res, err := e.Invoke(ctx, []byte(`{"rawPath":"/error"}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n%v\n", res.Payload, res.Error)

	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("GET", "/hello?name=gopher", nil))
	fmt.Println(w.Code, w.Header().Values("Set-Cookie"), w.Body)
	// Output:
	// {"errorMessage":"it failed","errorType":"errorString"}
	// errorString: it failed
	// 201 [a=1; Path=/ b=2] hello, gopher
}
