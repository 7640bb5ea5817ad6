package bench

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/akrylysov/algnhsa"
	"github.com/anyfaas/faas/adapters/aws"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-lambda-go/lambdaurl"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// BenchmarkAWS is issue 6, target 1: an API Gateway HTTP API payload 2.0
// event, as the Runtime API delivers its bytes, through each contender to
// the response bytes posted back. Every contender is driven the way
// aws-lambda-go's invoke loop drives it: lambda.NewHandler(h).Invoke on
// the payload, with a context carrying the deadline and the
// *lambdacontext.LambdaContext.
//
//   - anyfaas: adapters/aws's Handler, serving an App of one function.
//   - typed: a hand-written handler of events.APIGatewayV2HTTPRequest
//     returning events.APIGatewayV2HTTPResponse: the baseline.
//   - algnhsa, apiproxy (awslabs/aws-lambda-go-api-proxy's httpadapter V2)
//     and lambdaurl (aws-lambda-go's): an http.Handler doing the same work
//     behind each library.
func BenchmarkAWS(b *testing.B) {
	for _, c := range cases {
		payload := awsEvent(b, c.post)
		contenders := []struct {
			name string
			h    lambda.Handler
		}{
			{"typed", lambda.NewHandler(typedAWS(c.post))},
			{"anyfaas", lambda.NewHandler(aws.NewHandler(anyfaasApp(c.post)))},
			{"algnhsa", lambda.NewHandler(algnhsa.New(httpHandler(c.post), &algnhsa.Options{RequestType: algnhsa.RequestTypeAPIGatewayV2}))},
			{"apiproxy", lambda.NewHandler(httpadapter.NewV2(httpHandler(c.post)).ProxyWithContext)},
			{"lambdaurl", lambda.NewHandler(lambdaurl.Wrap(httpHandler(c.post)))},
		}
		for _, ct := range contenders {
			b.Run("req="+c.name+"/impl="+ct.name, func(b *testing.B) {
				ctx, cancel := lambdaContext()
				defer cancel()
				out, err := ct.h.Invoke(ctx, payload)
				if err != nil {
					b.Fatal(err)
				}
				checkReply(b, out, c.post)
				b.SetBytes(int64(len(payload)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := ct.h.Invoke(ctx, payload); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// lambdaContext returns the context aws-lambda-go gives a handler: a
// deadline and the invocation's LambdaContext.
func lambdaContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(time.Hour))
	return lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       "8f5c1a2e-2f1d-4d8e-9a3b-4f2c5a6b7c8d",
		InvokedFunctionArn: "arn:aws:lambda:us-west-2:123456789012:function:hello",
	}), cancel
}

// typedAWS returns the hand-written typed handler of a case.
func typedAWS(post bool) any {
	if post {
		return func(_ context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			body := []byte(req.Body)
			if req.IsBase64Encoded {
				var err error
				if body, err = base64.StdEncoding.DecodeString(req.Body); err != nil {
					return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusBadRequest}, nil
				}
			}
			var o Order
			if err := json.Unmarshal(body, &o); err != nil {
				return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusBadRequest, Body: err.Error()}, nil
			}
			out, err := json.Marshal(o)
			if err != nil {
				return events.APIGatewayV2HTTPResponse{}, err
			}
			return events.APIGatewayV2HTTPResponse{
				StatusCode: http.StatusOK,
				Headers:    map[string]string{"Content-Type": "application/json"},
				Body:       string(out),
			}, nil
		}
	}
	return func(_ context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		out, err := json.Marshal(Reply{Message: "hello, " + req.QueryStringParameters["name"]})
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		return events.APIGatewayV2HTTPResponse{
			StatusCode: http.StatusOK,
			Headers:    map[string]string{"Content-Type": "application/json"},
			Body:       string(out),
		}, nil
	}
}
