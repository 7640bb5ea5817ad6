// Package aws runs functions on AWS Lambda, on github.com/aws/aws-lambda-go.
//
// The adapter is a raw-bytes lambda.Handler: it tells the event's source
// from its shape, decodes it once into a standard event, and writes the
// native response itself, with no reflection per invocation.
//
//	Source                                   Standard event           Response
//	API Gateway REST (v1), HTTP API 1.0      *faas.HTTPRequest        statusCode, multiValueHeaders, body
//	API Gateway HTTP API 2.0, function URL   *faas.HTTPRequest        statusCode, headers, cookies, body
//	Application Load Balancer                *faas.HTTPRequest        as the target group sends headers
//	SQS, SNS, Kinesis, Kafka (MSK and        *faas.MessageEvent       the result as JSON
//	  self-managed), Amazon MQ
//	S3, S3 through EventBridge               *faas.StorageEvent       the result as JSON
//	EventBridge schedule                     *faas.TimerEvent         the result as JSON
//	API Gateway WebSocket                    RawEvent "websocket", Kind = route key
//	CloudWatch Logs subscription             RawEvent "log"
//	DynamoDB Streams, other EventBridge      RawEvent named for the source
//	  events, Cognito, CloudFormation, …
//	anything else (a direct invocation)      RawEvent "raw"
//
// Binary bodies travel in base64. HTTP API 2.0 and function URLs join
// repeated request headers with commas, which the request keeps; every
// cookie is kept. An error of a non-HTTP invocation is reported as a
// Lambda function error whose errorType is "PanicError", "DecodeError",
// "LimitError", "Error" (an *faas.Error) or the error's Go type name
// (with, for a panic, the stackTrace of the code that panicked),
// and whose errorMessage is the error's text (an *faas.Error's without its
// HTTP status, which means nothing to a queue or a timer).
// Payloads and buffered responses over 6 MB are a LimitError.
//
// Such a batch that succeeds is answered with its result if that is a
// JSON object or nothing, else with {"batchItemFailures":[]}: Lambda
// fails a batch whose answer is not a batch response when
// ReportBatchItemFailures is on.
//
// A *faas.BatchError of an SQS, Kinesis or DynamoDB stream batch is
// answered with Lambda's partial batch response, {"batchItemFailures":
// [{"itemIdentifier": …}]}, naming the failed records (SQS by messageId,
// the streams by sequence number; on a FIFO queue every record from the
// first failed one on), so that Lambda retries those. The event source
// mapping must enable it (FunctionResponseTypes:
// [ReportBatchItemFailures]: anyfaas generates SQS events so): without
// it, Lambda takes the answer for a success and drops the failed records.
// A BatchError of every record of the batch, naming an id the batch does
// not hold, or joined with another error, fails the whole batch.
//
// Context.Origin().Context is the invocation's
// *lambdacontext.LambdaContext.
//
// Where the function's log format is JSON (AWS_LAMBDA_LOG_FORMAT=JSON, as
// anyfaas's SAM template sets it), the App's default logger writes
// Lambda's "timestamp" (RFC 3339), "level" (TRACE to FATAL) and "message"
// keys instead of log/slog's time, level and msg, so that Lambda filters
// its lines by the function's ApplicationLogLevel.
//
// A function URL whose invoke mode is RESPONSE_STREAM needs the adapter in
// streaming mode, which FAAS_AWS_RESPONSE_STREAM=1 selects (anyfaas sets
// it in the template it generates). Then every HTTP response is sent in
// the streaming format, and a handler that returns an io.Reader streams it,
// with the status and headers set on the Context. The streaming mode
// decodes each payload once more than the buffered mode (aws-lambda-go
// streams only from a reflective handler), so it is not the default.
//
// Binaries for Lambda are built with -tags lambda.norpc, which leaves out
// the retired go1.x RPC mode.
package aws

import (
	"bytes"
	"context"
	"errors"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/deadline"
	"github.com/anyfaas/faas/internal/jsonwire"

	"github.com/anyfaas/faas/internal/envelope"
)

func init() { faas.RegisterAdapter(faas.PlatformAWS, Start) }

// Limits of Lambda's synchronous invocations.
const (
	// MaxPayload is the largest event payload Lambda delivers.
	MaxPayload = 6 << 20
	// MaxResponse is the largest buffered response Lambda accepts.
	MaxResponse = 6 << 20
)

// sigtermBudget is how long the Close hooks get after SIGTERM: Lambda
// sends SIGKILL about 500 ms after it.
const sigtermBudget = 450 * time.Millisecond

// Start serves h on Lambda: it starts the App during Lambda's init phase,
// then hands a raw-bytes handler to lambda.StartWithOptions. If the App
// has Close hooks (see faas.App.HasCloseHooks), SIGTERM is enabled so that
// they run when Lambda shuts the instance down, after which the process
// exits; enabling it registers an extension, which lengthens the cold
// start, so an App with nothing to close goes without. It returns only if
// the App fails to start; Lambda then reports the init failure.
func Start(h faas.Handler) error {
	app := faas.AsApp(h)
	if err := app.Start(context.Background()); err != nil {
		return err
	}
	var opts []lambda.Option
	if app.HasCloseHooks() {
		opts = append(opts, lambda.WithEnableSIGTERM(func() {
			ctx, cancel := context.WithTimeout(context.Background(), sigtermBudget)
			err := app.Close(ctx)
			cancel()
			if err != nil {
				app.Logger().Error("aws: closing on SIGTERM", "error", err)
				os.Exit(1)
			}
			os.Exit(0) // Lambda would SIGKILL the instance next
		}))
	}
	if os.Getenv("FAAS_AWS_RESPONSE_STREAM") == "1" {
		lambda.StartWithOptions(NewHandler(app).Stream, opts...)
	} else {
		lambda.StartWithOptions(NewHandler(app), opts...)
	}
	return nil
}

// Handler is a lambda.Handler that serves a faas.Handler: pass it to
// lambda.Start, or call Invoke in tests and emulators.
type Handler struct {
	app *faas.App
}

var _ lambda.Handler = (*Handler)(nil)

// NewHandler returns a Handler serving h.
func NewHandler(h faas.Handler) *Handler {
	return &Handler{app: faas.AsApp(h)}
}

// Invoke handles one invocation: payload is the event as Lambda delivers
// it, ctx carries the deadline and the *lambdacontext.LambdaContext. It
// returns the response payload, or an error that Lambda reports as a
// function error: a messages.InvokeResponse_Error whose type names the
// failure.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	out, err := h.invoke(ctx, payload, false)
	if err != nil {
		return nil, report(err)
	}
	return out.bytes, nil
}

// output is what an invocation produced: the payload, or in streaming
// mode a stream for an HTTP response.
type output struct {
	bytes  []byte
	stream *httpStream
}

func (h *Handler) invoke(ctx context.Context, payload []byte, streaming bool) (output, error) {
	if len(payload) > MaxPayload {
		return output{}, &faas.LimitError{Platform: faas.PlatformAWS, Trigger: guessTrigger(payload), What: "payload", Size: len(payload), Limit: MaxPayload}
	}
	// aws-lambda-go reuses the payload's buffer for the next event once
	// this one is answered, and a handler that overran its deadline may
	// still read its event (a RawEvent's JSON, Origin.Event) after
	// deadline.Invoke has answered for it.
	payload = bytes.Clone(payload)
	src, err := classify(payload)
	if err != nil {
		return output{}, err
	}
	event, err := src.decode(payload)
	if err != nil {
		return output{}, err
	}
	inv := faas.Invocation{
		Platform: faas.PlatformAWS,
		Event:    event,
		Origin:   faas.Origin{Event: payload},
	}
	if raw, ok := event.(*faas.RawEvent); ok {
		inv.Trigger = raw.Trigger
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		inv.RequestID = lc.AwsRequestID
		inv.Origin.Context = lc
	}
	if inv.RequestID == "" {
		inv.RequestID = src.id()
	}
	fctx := h.app.NewContext(ctx, inv)
	result, err := deadline.Invoke(h.app, fctx, event)
	if src.respond != nil {
		if streaming && src.functionURL {
			resp, body := faas.RespondStream(fctx, result, err)
			return output{stream: newHTTPStream(resp, body)}, nil
		}
		resp := faas.Respond(fctx, result, err)
		out := src.respond(resp)
		if src.kind == kindALB && !src.multiValue {
			if n := len(resp.Header.Values("Set-Cookie")); n > 1 {
				deadline.Logger(h.app, fctx, err).Warn("aws: an ALB target group without multi-value headers carries one Set-Cookie; the others are dropped: turn multi-value headers on", "dropped", n-1)
			}
		}
		if len(out) > MaxResponse {
			return output{}, &faas.LimitError{Platform: faas.PlatformAWS, Trigger: faas.TriggerHTTP, What: "response", Size: len(out), Limit: MaxResponse}
		}
		return output{bytes: out}, nil
	}
	if err != nil {
		if berr := batchOf(err); berr != nil {
			if out, ok := partialBatch(fctx, src, payload, berr); ok {
				return output{bytes: out}, nil
			}
		}
		return output{}, err
	}
	if src.kind == kindWebSocket {
		if resp, ok := result.(*faas.HTTPResponse); ok {
			return output{bytes: encodeV1(faas.Respond(fctx, resp, nil))}, nil
		}
	}
	out, err := faas.EncodeResult(result)
	if err != nil {
		return output{}, err
	}
	if k := jsonwire.Kind(out); partialSource(src) && k != "an object" && k != "null" && k != "nothing" {
		out = []byte(noFailures)
	}
	if len(out) > MaxResponse {
		return output{}, &faas.LimitError{Platform: faas.PlatformAWS, Trigger: fctx.Trigger(), What: "response", Size: len(out), Limit: MaxResponse}
	}
	return output{bytes: out}, nil
}

// report turns an error into the function error Lambda reports, with a
// type that names the failure, and for a panic the stack trace of the
// code that panicked, in the frames aws-lambda-go reports a panic with.
func report(err error) error {
	r := envelope.ReportOf(err)
	ie := messages.InvokeResponse_Error{Type: r.Type, Message: r.Message}
	var perr *faas.PanicError
	if errors.As(err, &perr) {
		for _, f := range envelope.StackTrace(perr.Stack) {
			ie.StackTrace = append(ie.StackTrace, &messages.InvokeResponse_Error_StackFrame{Path: f.Path, Line: f.Line, Label: f.Label})
		}
	}
	return ie
}
