package bench

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/anyfaas/faas/adapters/fc"
	"github.com/anyfaas/faas/adapters/scf"
	"github.com/aws/aws-lambda-go/lambda"
)

// Neither Aliyun's fc-runtime-go-sdk nor Tencent's scf-go-lib is on the
// Go module proxy. Both are forks of aws-lambda-go whose handler is
// aws-lambda-go's reflective one (decode the event with encoding/json into
// the handler's type, call it, encode its result), so the typed baselines
// below run their event types, reproduced field for field, through
// aws-lambda-go's lambda.NewHandler.

// BenchmarkFC is issue 6, target 2, on FC 3.0's HTTP trigger: the event
// bytes the Go runtime delivers, through adapters/fc's Handler.Invoke or a
// typed handler of fc-runtime-go-sdk's events.HTTPTriggerEvent, to the
// response bytes.
func BenchmarkFC(b *testing.B) {
	for _, c := range cases {
		payload := fcEvent(b, c.post)
		h := fc.NewHandler(anyfaasApp(c.post))
		fcctx := &fc.Context{RequestID: "1-64f6cd87-0123456789abcdef", Deadline: time.Now().Add(time.Hour)}
		typed := lambda.NewHandler(typedFC(c.post))
		ctx := context.Background()
		b.Run("req="+c.name+"/impl=typed", func(b *testing.B) {
			ctx, cancel := context.WithDeadline(ctx, fcctx.Deadline)
			defer cancel()
			run(b, payload, c.post, func() ([]byte, error) { return typed.Invoke(ctx, payload) })
		})
		b.Run("req="+c.name+"/impl=anyfaas", func(b *testing.B) {
			run(b, payload, c.post, func() ([]byte, error) { return h.Invoke(ctx, fcctx, payload) })
		})
	}
}

// BenchmarkSCF is issue 6, target 2, on SCF's API Gateway trigger: the
// event bytes the Go runtime delivers, through adapters/scf's
// Handler.Invoke or a typed handler of scf-go-lib's
// events.APIGatewayRequest, to the integration response bytes.
func BenchmarkSCF(b *testing.B) {
	for _, c := range cases {
		payload := scfEvent(b, c.post)
		h := scf.NewHandler(anyfaasApp(c.post))
		scfctx := &scf.Context{RequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", FunctionName: "hello", TimeLimitInMs: 3000}
		typed := lambda.NewHandler(typedSCF(c.post))
		b.Run("req="+c.name+"/impl=typed", func(b *testing.B) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
			defer cancel()
			run(b, payload, c.post, func() ([]byte, error) { return typed.Invoke(ctx, payload) })
		})
		b.Run("req="+c.name+"/impl=anyfaas", func(b *testing.B) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
			defer cancel()
			run(b, payload, c.post, func() ([]byte, error) { return h.Invoke(ctx, scfctx, payload) })
		})
	}
}

// run checks one invocation's answer, then measures invoke.
func run(b *testing.B, payload []byte, post bool, invoke func() ([]byte, error)) {
	out, err := invoke()
	if err != nil {
		b.Fatal(err)
	}
	checkReply(b, out, post)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := invoke(); err != nil {
			b.Fatal(err)
		}
	}
}

// fcHTTPTriggerEvent is fc-runtime-go-sdk's events.HTTPTriggerEvent.
type fcHTTPTriggerEvent struct {
	Version         *string           `json:"version"`
	RawPath         *string           `json:"rawPath"`
	Headers         map[string]string `json:"headers"`
	QueryParameters map[string]string `json:"queryParameters"`
	Body            *string           `json:"body"`
	IsBase64Encoded *bool             `json:"isBase64Encoded"`
	TriggerContext  struct {
		AccountID    string `json:"accountId"`
		DomainName   string `json:"domainName"`
		DomainPrefix string `json:"domainPrefix"`
		RequestID    string `json:"requestId"`
		Time         string `json:"time"`
		TimeEpoch    string `json:"timeEpoch"`
		HTTP         struct {
			Method    string `json:"method"`
			Path      string `json:"path"`
			Protocol  string `json:"protocol"`
			SourceIP  string `json:"sourceIp"`
			UserAgent string `json:"userAgent"`
		} `json:"http"`
	} `json:"requestContext"`
}

// fcHTTPTriggerResponse is fc-runtime-go-sdk's events.HTTPTriggerResponse.
type fcHTTPTriggerResponse struct {
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers,omitempty"`
	IsBase64Encoded bool              `json:"isBase64Encoded,omitempty"`
	Body            string            `json:"body"`
}

func typedFC(post bool) any {
	if post {
		return func(_ context.Context, ev fcHTTPTriggerEvent) (*fcHTTPTriggerResponse, error) {
			var body []byte
			if ev.Body != nil {
				body = []byte(*ev.Body)
				if ev.IsBase64Encoded != nil && *ev.IsBase64Encoded {
					var err error
					if body, err = base64.StdEncoding.DecodeString(*ev.Body); err != nil {
						return &fcHTTPTriggerResponse{StatusCode: http.StatusBadRequest}, nil
					}
				}
			}
			var o Order
			if err := json.Unmarshal(body, &o); err != nil {
				return &fcHTTPTriggerResponse{StatusCode: http.StatusBadRequest, Body: err.Error()}, nil
			}
			out, err := json.Marshal(o)
			if err != nil {
				return nil, err
			}
			return &fcHTTPTriggerResponse{StatusCode: http.StatusOK, Headers: map[string]string{"Content-Type": "application/json"}, Body: string(out)}, nil
		}
	}
	return func(_ context.Context, ev fcHTTPTriggerEvent) (*fcHTTPTriggerResponse, error) {
		out, err := json.Marshal(Reply{Message: "hello, " + ev.QueryParameters["name"]})
		if err != nil {
			return nil, err
		}
		return &fcHTTPTriggerResponse{StatusCode: http.StatusOK, Headers: map[string]string{"Content-Type": "application/json"}, Body: string(out)}, nil
	}
}

// scfAPIGatewayRequest is scf-go-lib's events.APIGatewayRequest.
type scfAPIGatewayRequest struct {
	Headers     map[string]string `json:"headers"`
	Method      string            `json:"httpMethod"`
	Path        string            `json:"path"`
	QueryString scfQueryString    `json:"queryString"`
	Body        string            `json:"body"`
	Context     struct {
		ServiceID string `json:"serviceId"`
		Path      string `json:"path"`
		Method    string `json:"httpMethod"`
		RequestID string `json:"requestId"`
		SourceIP  string `json:"sourceIp"`
		Stage     string `json:"stage"`
		Identity  struct {
			SecretID *string `json:"secretId"`
		} `json:"identity"`
	} `json:"requestContext"`
	HeaderParameters      map[string]string `json:"headerParameters"`
	PathParameters        map[string]string `json:"pathParameters"`
	QueryStringParameters map[string]string `json:"queryStringParameters"`
	StageVariables        map[string]string `json:"stageVariables"`
}

// scfQueryString is scf-go-lib's events.APIGatewayQueryString: a value is
// a string, or an array of them for a repeated parameter.
type scfQueryString map[string][]string

func (q *scfQueryString) UnmarshalJSON(data []byte) error {
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*q = make(scfQueryString, len(raw))
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			(*q)[k] = []string{v}
		case []any:
			for _, s := range v {
				if s, ok := s.(string); ok {
					(*q)[k] = append((*q)[k], s)
				}
			}
		}
	}
	return nil
}

// scfAPIGatewayResponse is scf-go-lib's events.APIGatewayResponse.
type scfAPIGatewayResponse struct {
	IsBase64Encoded bool              `json:"isBase64Encoded"`
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Body            string            `json:"body"`
}

func typedSCF(post bool) any {
	if post {
		return func(_ context.Context, req scfAPIGatewayRequest) (scfAPIGatewayResponse, error) {
			var o Order
			if err := json.Unmarshal([]byte(req.Body), &o); err != nil {
				return scfAPIGatewayResponse{StatusCode: http.StatusBadRequest, Body: err.Error()}, nil
			}
			out, err := json.Marshal(o)
			if err != nil {
				return scfAPIGatewayResponse{}, err
			}
			return scfAPIGatewayResponse{StatusCode: http.StatusOK, Headers: map[string]string{"Content-Type": "application/json"}, Body: string(out)}, nil
		}
	}
	return func(_ context.Context, req scfAPIGatewayRequest) (scfAPIGatewayResponse, error) {
		name := ""
		if vs := req.QueryString["name"]; len(vs) > 0 {
			name = vs[0]
		}
		out, err := json.Marshal(Reply{Message: "hello, " + name})
		if err != nil {
			return scfAPIGatewayResponse{}, err
		}
		return scfAPIGatewayResponse{StatusCode: http.StatusOK, Headers: map[string]string{"Content-Type": "application/json"}, Body: string(out)}, nil
	}
}
