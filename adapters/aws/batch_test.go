package aws_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/aws"
)

// A handler's BatchError is Lambda's partial batch response where the
// source takes one, naming each failed record as Lambda identifies it;
// the whole batch fails otherwise.
func TestBatchItemFailures(t *testing.T) {
	sqs := fixture(t, "sqs")
	first := sqs["Records"].([]any)[0].(map[string]any)
	var records []any
	for _, id := range []string{"m1", "m2", "m3"} {
		r := map[string]any{}
		for k, v := range first {
			r[k] = v
		}
		r["messageId"] = id
		records = append(records, r)
	}
	sqs["Records"] = records
	// A FIFO queue's batch: the messages after a failed one are retried
	// too, or they would pass it.
	fifo := map[string]any{}
	var fifoRecords []any
	for _, r := range records {
		c := map[string]any{}
		for k, v := range r.(map[string]any) {
			c[k] = v
		}
		c["eventSourceARN"] = "arn:aws:sqs:us-east-2:123456789012:orders.fifo"
		fifoRecords = append(fifoRecords, c)
	}
	fifo["Records"] = fifoRecords
	kinesis := fixture(t, "kinesis-stream")
	dynamo := fixture(t, "dynamodb-stream")
	const (
		kinesisID1 = "shardId-000000000000:49568167373333333333333333333333333333333333333333333333"
		kinesisSeq = "49568167373333333334444444444444444444444444444444444444"
	)

	fail := func(ids ...string) faas.HandlerFunc {
		return func(*faas.Context, any) (any, error) {
			var b faas.BatchError
			for _, id := range ids {
				b.Add(id, errors.New("boom"))
			}
			return nil, b.Err()
		}
	}
	tests := []struct {
		name    string
		event   map[string]any
		h       faas.HandlerFunc
		want    string // the response, or
		wantErr string // the Lambda error's type
	}{
		{"sqs none failed", sqs, fail(), `null`, ""},
		{"sqs one failed", sqs, fail("m2"), `{"batchItemFailures":[{"itemIdentifier":"m2"}]}`, ""},
		{"sqs two failed, one twice", sqs, fail("m3", "m1", "m3"), `{"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"m3"}]}`, ""},
		{"sqs all failed", sqs, fail("m1", "m2", "m3"), "", "BatchError"},
		{"sqs unknown id", sqs, fail("m2", "m9"), "", "BatchError"},
		{"sqs wrapped", sqs, func(*faas.Context, any) (any, error) {
			b := &faas.BatchError{}
			b.Add("m1", errors.New("boom"))
			return nil, fmt.Errorf("saving: %w", b)
		}, `{"batchItemFailures":[{"itemIdentifier":"m1"}]}`, ""},
		{"sqs joined with another error", sqs, func(*faas.Context, any) (any, error) {
			b := &faas.BatchError{}
			b.Add("m1", errors.New("boom"))
			return nil, errors.Join(errors.New("commit failed"), b)
		}, "", "joinError"},
		{"fifo one failed", fifo, fail("m2"), `{"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m3"}]}`, ""},
		{"fifo the first failed", fifo, fail("m1"), "", "BatchError"},
		{"sqs plain error", sqs, func(*faas.Context, any) (any, error) { return nil, errors.New("db down") }, "", "errorString"},
		// A stream's record is identified by its sequence number, whether
		// the handler names it by Message.ID (the eventID) or by it.
		{"kinesis by Message.ID", kinesis, fail(kinesisID1), `{"batchItemFailures":[{"itemIdentifier":"49568167373333333333333333333333333333333333333333333333"}]}`, ""},
		{"kinesis by sequence number", kinesis, fail(kinesisSeq), `{"batchItemFailures":[{"itemIdentifier":"` + kinesisSeq + `"}]}`, ""},
		{"kinesis all failed", kinesis, fail(kinesisID1, kinesisSeq), "", "BatchError"},
		{"dynamodb by eventID", dynamo, fail("f07f8ca4b0b26cb9c4e5e77e69f274ee"), `{"batchItemFailures":[{"itemIdentifier":"1405400000000002063282832"}]}`, ""},
		// SNS takes no partial response: the batch fails.
		{"sns", fixture(t, "sns"), fail("x"), "", "BatchError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := aws.NewHandler(newApp(tt.h)).Invoke(lambdaContext(t), marshal(t, tt.event))
			if tt.wantErr != "" {
				var ie messages.InvokeResponse_Error
				if !errors.As(err, &ie) || ie.Type != tt.wantErr {
					t.Fatalf("Invoke = %s, %v; want a Lambda error of type %s", out, err, tt.wantErr)
				}
				return
			}
			if err != nil || string(out) != tt.want {
				t.Errorf("Invoke = %s, %v; want %s", out, err, tt.want)
			}
		})
	}
}

// A faas.Typed handler of one message, on a batch of the real SQS sample
// (three of its record, with JSON bodies): Lambda gets a partial batch
// response naming the messages that failed, and on a FIFO queue those
// after the first failed one too, which the handler never saw.
func TestTypedBatchItemFailures(t *testing.T) {
	type order struct {
		ID int `json:"id"`
	}
	batch := func(arn string, bodies ...string) []byte {
		sqs := fixture(t, "sqs")
		first := sqs["Records"].([]any)[0].(map[string]any)
		var records []any
		for i, body := range bodies {
			r := map[string]any{}
			for k, v := range first {
				r[k] = v
			}
			r["messageId"], r["body"] = fmt.Sprintf("m%d", i+1), body
			if arn != "" {
				r["eventSourceARN"] = arn
			}
			records = append(records, r)
		}
		sqs["Records"] = records
		return marshal(t, sqs)
	}
	const fifo = "arn:aws:sqs:us-east-2:123456789012:orders.fifo"
	tests := []struct {
		name     string
		payload  []byte
		want     string
		wantErr  string // the Lambda error's type
		wantSeen []int
	}{
		{"all done", batch("", `{"id":1}`, `{"id":2}`, `{"id":3}`), `{"batchItemFailures":[]}`, "", []int{1, 2, 3}},
		{"one failed", batch("", `{"id":1}`, `{"id":-2}`, `{"id":3}`), `{"batchItemFailures":[{"itemIdentifier":"m2"}]}`, "", []int{1, -2, 3}},
		{"a body that is no order", batch("", `{"id":1}`, `Message Body`, `{"id":3}`), `{"batchItemFailures":[{"itemIdentifier":"m2"}]}`, "", []int{1, 3}},
		{"all failed", batch("", `{"id":-1}`, `{"id":-2}`), "", "BatchError", []int{-1, -2}},
		{"fifo", batch(fifo, `{"id":1}`, `{"id":-2}`, `{"id":3}`), `{"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m3"}]}`, "", []int{1, -2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen []int
			h := faas.Typed(func(_ *faas.Context, o order) (int, error) {
				seen = append(seen, o.ID)
				if o.ID < 0 {
					return 0, errors.New("negative id")
				}
				return o.ID, nil
			})
			out, err := aws.NewHandler(newApp(h)).Invoke(lambdaContext(t), tt.payload)
			if tt.wantErr != "" {
				var ie messages.InvokeResponse_Error
				if !errors.As(err, &ie) || ie.Type != tt.wantErr {
					t.Errorf("Invoke = %s, %v; want a Lambda error of type %s", out, err, tt.wantErr)
				}
			} else if err != nil || string(out) != tt.want {
				t.Errorf("Invoke = %s, %v; want %s", out, err, tt.want)
			}
			if diff := cmp.Diff(tt.wantSeen, seen); diff != "" {
				t.Errorf("orders handled (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBatchSuccessAnswer: a batch that succeeded is answered with what
// Lambda reads as a batch response (it fails a batch whose answer is not
// one, with ReportBatchItemFailures on): the result if it is an object or
// nothing, else no failures. Other sources get the result.
func TestBatchSuccessAnswer(t *testing.T) {
	tests := []struct {
		fixture string
		result  any
		want    string
	}{
		{"sqs", []int{1, 2}, `{"batchItemFailures":[]}`},
		{"sqs", "done", `{"batchItemFailures":[]}`},
		{"sqs", 7, `{"batchItemFailures":[]}`},
		{"sqs", nil, `null`},
		{"sqs", map[string]any{"batchItemFailures": []any{}}, `{"batchItemFailures":[]}`},
		{"sqs", map[string]string{"note": "mine"}, `{"note":"mine"}`},
		{"kinesis-stream", "done", `{"batchItemFailures":[]}`},
		{"dynamodb-stream", []string{"a"}, `{"batchItemFailures":[]}`},
		{"sns", "done", `"done"`},
	}
	for _, tt := range tests {
		h := faas.HandlerFunc(func(*faas.Context, any) (any, error) { return tt.result, nil })
		out, err := aws.NewHandler(newApp(h)).Invoke(lambdaContext(t), marshal(t, fixture(t, tt.fixture)))
		if err != nil || string(out) != tt.want {
			t.Errorf("%s, result %#v: Invoke = %s, %v; want %s", tt.fixture, tt.result, out, err, tt.want)
		}
	}
}
