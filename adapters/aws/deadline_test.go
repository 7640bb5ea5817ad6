package aws_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/aws"
	"github.com/anyfaas/faas/internal/adaptertest"
	"github.com/anyfaas/faas/internal/deadline"
)

// A handler's deadline is Lambda's (aws-lambda-go makes the invocation's
// context from Lambda-Runtime-Deadline-Ms; TestRuntimeAPI checks that end
// to end). A handler that overruns it is answered for before the deadline,
// when Lambda would end the instance: an event with a function error of
// errorType TimeoutError, an HTTP request with a 504; the handler's
// context is done once the invocation ends, and it leaves nothing running.
func TestDeadline(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreTopFunction(deadline.IdleWorker))
	const timeout = time.Second
	var gotDeadline time.Time
	returned := make(chan struct{}, 2)
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("f", func(ctx *faas.Context, event any) (any, error) {
		gotDeadline, _ = ctx.Deadline()
		defer func() { returned <- struct{}{} }()
		<-ctx.Done() // overruns, and returns when told to
		return "late", ctx.Err()
	})
	h := aws.NewHandler(app)
	for _, tc := range []struct {
		name    string
		payload []byte
	}{
		{"event", []byte(`{"overrun":true}`)},
		{"http", marshal(t, fixture(t, "function-url-request"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var (
				out []byte
				err error
			)
			adaptertest.RetryLate(t, func() string {
				begin := time.Now()
				d := begin.Add(timeout)
				ctx, cancel := context.WithDeadline(context.Background(), d)
				ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
				out, err = h.Invoke(ctx, tc.payload)
				answered := time.Now()
				cancel() // as aws-lambda-go does once the answer is posted
				<-returned
				if !gotDeadline.Equal(d) {
					t.Errorf("the handler's deadline is %v, want Lambda's %v", gotDeadline, d)
				}
				return adaptertest.Late(begin, answered, timeout)
			})
			if tc.name == "event" {
				var ie messages.InvokeResponse_Error
				if !errors.As(err, &ie) || ie.Type != "TimeoutError" {
					t.Errorf("Invoke = %s, %v; want a function error of type TimeoutError", out, err)
				}
				return
			}
			var resp struct{ StatusCode int }
			if err != nil || json.Unmarshal(out, &resp) != nil || resp.StatusCode != 504 {
				t.Errorf("Invoke = %s, %v; want a 504", out, err)
			}
		})
	}
}

// An ALB target group without multi-value headers carries one
// Set-Cookie; the adapter logs the others' loss. After a timeout answer it
// logs it with the logger of an invocation the App routes to no function,
// with the invocation's request id, not with the Context's, which reads what the App, still starting and routing on
// the handler's goroutine, writes with nothing to order it before the
// adapter's line (the race detector's report, before deadline.Logger). The
// cookies here are set by the App's start, which the first invocation
// makes, before it routes.
func TestDeadlineCookieWarning(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreTopFunction(deadline.IdleWorker))
	var log adaptertest.Log
	returned := make(chan struct{}, 1)
	h := aws.NewHandler(adaptertest.CookiesAtStart(&log, returned))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	out, err := h.Invoke(ctx, marshal(t, fixture(t, "alb-target-request")))
	cancel() // as aws-lambda-go does once the answer is posted
	<-returned
	var resp struct{ StatusCode int }
	if err != nil || json.Unmarshal(out, &resp) != nil || resp.StatusCode != 504 {
		t.Fatalf("Invoke = %s, %v; want a 504", out, err)
	}
	adaptertest.AnsweredLog(t, &log, "carries one Set-Cookie", "req-1")
}

// A function with a timeout of its own in an aggregated unit
// (faas.WithFunctionTimeouts, from f.yml) that overruns it gets the answer
// Lambda's deadline gives, when its own deadline passes: an event a
// function error of errorType TimeoutError, an HTTP request a 504; the
// handler's deadline is its own.
func TestFunctionTimeout(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreTopFunction(deadline.IdleWorker))
	const own, lambda = 100 * time.Millisecond, 5 * time.Second
	deadlines := make(chan time.Time, 1)
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)), faas.WithFunctionTimeouts(map[string]time.Duration{"f": own}))
	app.Func("f", func(ctx *faas.Context, event any) (any, error) {
		d, _ := ctx.Deadline()
		deadlines <- d
		select {
		case <-ctx.Done(): // when its own deadline passes
		case <-time.After(lambda): // a bound, should it not
		}
		return "late", ctx.Err()
	})
	h := aws.NewHandler(app)
	for _, tc := range []struct {
		name    string
		payload []byte
	}{
		{"event", []byte(`{"overrun":true}`)},
		{"http", marshal(t, fixture(t, "function-url-request"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			begin := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), lambda)
			ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
			out, err := h.Invoke(ctx, tc.payload)
			answered := time.Now()
			cancel()
			if d := <-deadlines; d.Before(begin.Add(own)) || d.After(answered) {
				t.Errorf("the handler's deadline is %v after the invocation began, want its own %v", d.Sub(begin), own)
			}
			if answered.Sub(begin) >= lambda/2 {
				t.Errorf("answered %v after the invocation began, want its own timeout's %v", answered.Sub(begin), own)
			}
			if tc.name == "event" {
				var ie messages.InvokeResponse_Error
				if !errors.As(err, &ie) || ie.Type != "TimeoutError" || ie.Message != "the function timed out: the function did not return within its deadline (100ms after the invocation started)" {
					t.Errorf("Invoke = %s, %v; want a function error of type TimeoutError", out, err)
				}
				return
			}
			var resp struct {
				StatusCode int
				Body       string
			}
			if err != nil || json.Unmarshal(out, &resp) != nil || resp.StatusCode != 504 || resp.Body != `{"error":"the function timed out"}` {
				t.Errorf("Invoke = %s, %v; want a 504", out, err)
			}
		})
	}
}
