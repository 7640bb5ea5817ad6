// Command plain is a Lambda function written with aws-lambda-go alone; it
// does not import anyfaas. The emulator's tests build it with
// -tags lambda.norpc and run it, to prove the emulator against the
// official runtime client.
//
// What an invocation does depends on the rawPath of its event, an API
// Gateway HTTP API (payload 2.0) event or a direct invocation such as
// {"rawPath":"/error"}. What happens at start-up and shutdown depends on
// PLAIN_MODE.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

func main() {
	switch os.Getenv("PLAIN_MODE") {
	case "exit-init": // fail during init
		fmt.Println("plain: giving up during init")
		os.Exit(3)
	case "hang-init": // never become ready
		time.Sleep(time.Hour)
	case "sigterm": // aws-lambda-go registers its extension: Lambda sends SIGTERM
		lambda.StartWithOptions(handle, lambda.WithEnableSIGTERM(func() {
			fmt.Println("plain: SIGTERM callback")
			os.Exit(0)
		}))
	case "trap": // traps SIGTERM but registers no extension: Lambda sends SIGKILL
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		go func() {
			<-sig
			fmt.Println("plain: SIGTERM without an extension")
			os.Exit(0)
		}()
		lambda.Start(handle)
	default:
		lambda.Start(handle)
	}
}

// handle is a typed handler: aws-lambda-go decodes the event into an
// events.APIGatewayV2HTTPRequest and encodes what it returns.
func handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (any, error) {
	switch req.RawPath {
	case "/hello":
		name := req.QueryStringParameters["name"]
		if name == "" {
			name = "world"
		}
		return events.APIGatewayV2HTTPResponse{
			StatusCode:        201,
			Headers:           map[string]string{"Content-Type": "text/plain; charset=utf-8", "X-Plain": "yes"},
			MultiValueHeaders: map[string][]string{"X-Multi": {"a", "b"}},
			Cookies:           []string{"a=1; Path=/", "b=2"},
			Body:              "hello, " + name,
		}, nil
	case "/binary":
		return events.APIGatewayV2HTTPResponse{
			StatusCode:      200,
			Headers:         map[string]string{"Content-Type": "application/octet-stream"},
			Body:            base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 0xff}),
			IsBase64Encoded: true,
		}, nil
	case "/echo": // the event as the function received it
		b, err := json.Marshal(req)
		if err != nil {
			return nil, err
		}
		return events.APIGatewayV2HTTPResponse{
			StatusCode: 200,
			Headers:    map[string]string{"Content-Type": "application/json"},
			Body:       string(b),
		}, nil
	case "/context": // what the function knows of its invocation and environment
		lc, _ := lambdacontext.FromContext(ctx)
		deadline, _ := ctx.Deadline()
		env := map[string]string{}
		for _, k := range []string{
			"AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
			"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
			"AWS_REGION", "AWS_DEFAULT_REGION", "_HANDLER", "LAMBDA_TASK_ROOT", "TZ",
			"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
			"_LAMBDA_SERVER_PORT", "_X_AMZN_TRACE_ID", "PLAIN_EXTRA",
		} {
			if v, ok := os.LookupEnv(k); ok {
				env[k] = v
			}
		}
		wd, _ := os.Getwd()
		return map[string]any{
			"requestId":     lc.AwsRequestID,
			"functionArn":   lc.InvokedFunctionArn,
			"clientContext": lc.ClientContext.Custom,
			"deadlineMs":    deadline.UnixMilli(),
			"nowMs":         time.Now().UnixMilli(),
			"env":           env,
			"memoryLimitMB": lambdacontext.MemoryLimitInMB,
			"wd":            wd,
		}, nil
	case "/string":
		return "just a string", nil
	case "/object":
		return map[string]int{"answer": 42}, nil
	case "/stream": // a function URL's streamed response, its body from a FIFO
		return &events.LambdaFunctionURLStreamingResponse{
			StatusCode: 202,
			Headers:    map[string]string{"Content-Type": "text/plain", "X-Streamed": "yes"},
			Cookies:    []string{"s=1"},
			Body:       io.MultiReader(strings.NewReader("first\n"), &fifo{path: req.QueryStringParameters["fifo"]}),
		}, nil
	case "/block": // answers with what a FIFO holds
		b, err := io.ReadAll(&fifo{path: req.QueryStringParameters["fifo"]})
		return string(b), err
	case "/print":
		fmt.Println("plain: printing for " + req.QueryStringParameters["id"])
		return "printed", nil
	case "/panic":
		panic("boom")
	case "/error":
		return nil, errors.New("it failed")
	case "/exit":
		os.Exit(2)
	case "/sleep": // past any timeout
		time.Sleep(time.Hour)
	case "/huge": // over Lambda's 6 MB
		return strings.Repeat("x", 7<<20), nil
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: 404, Body: "no " + req.RawPath}, nil
}

// fifo reads a named pipe, opening it at the first Read: opening blocks
// until the test opens it to write.
type fifo struct {
	path string
	f    *os.File
}

func (p *fifo) Read(b []byte) (int, error) {
	if p.f == nil {
		f, err := os.Open(p.path)
		if err != nil {
			log.Printf("plain: %v", err)
			return 0, err
		}
		p.f = f
	}
	n, err := p.f.Read(b)
	if err == io.EOF {
		p.f.Close()
	}
	return n, err
}
