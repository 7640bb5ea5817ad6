package faas_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
)

func TestBatchError(t *testing.T) {
	var none faas.BatchError
	if err := none.Err(); err != nil {
		t.Errorf("Err of no failure = %v, want nil", err)
	}
	var nilBatch *faas.BatchError
	if err := nilBatch.Err(); err != nil {
		t.Errorf("Err of a nil BatchError = %v, want nil", err)
	}
	var b faas.BatchError
	b.Add("m1", io.ErrUnexpectedEOF)
	b.Add("m2", errors.New("bad order"))
	err := b.Err()
	if err != &b {
		t.Fatalf("Err = %v, want the BatchError", err)
	}
	if diff := cmp.Diff("2 message(s) of the batch failed: m1: unexpected EOF; m2: bad order", err.Error()); diff != "" {
		t.Errorf("Error (-want +got):\n%s", diff)
	}
	wrapped := fmt.Errorf("saving: %w", err)
	// A failure's error does not stand for the batch's: an adapter that
	// reports an error by its kind reports a BatchError.
	if errors.Is(wrapped, io.ErrUnexpectedEOF) {
		t.Error("errors.Is finds a failure's error in the BatchError")
	}
	var got *faas.BatchError
	if !errors.As(wrapped, &got) || len(got.Failures) != 2 {
		t.Errorf("errors.As = %v", got)
	}
}

// A handler of a batch reports the messages that failed; on Lambda, for
// SQS, only those are retried.
func ExampleBatchError() {
	handle := func(_ *faas.Context, ev *faas.MessageEvent) (any, error) {
		var failed faas.BatchError
		for _, m := range ev.Records {
			if len(m.Body) == 0 {
				failed.Add(m.ID, errors.New("empty body"))
			}
		}
		return nil, failed.Err()
	}
	_, err := handle(nil, &faas.MessageEvent{Records: []faas.Message{{ID: "m1", Body: []byte("ok")}, {ID: "m2"}}})
	fmt.Println(err)
	// Output: 1 message(s) of the batch failed: m2: empty body
}
