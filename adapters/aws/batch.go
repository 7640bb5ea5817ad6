package aws

import (
	"errors"
	"strings"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// batchOf returns the BatchError err is, or wraps with %w alone (not
// joined with another error, which would be lost with a partial answer),
// or nil.
func batchOf(err error) *faas.BatchError {
	for err != nil {
		if b, ok := err.(*faas.BatchError); ok {
			return b
		}
		err = errors.Unwrap(err)
	}
	return nil
}

// batch is what a partial batch response needs of a batch: the
// itemIdentifier Lambda takes for each record, in order, and the record
// each id a handler may name one by stands for.
type batch struct {
	items []string
	index map[string]int
	// fifo is whether the batch comes from a FIFO queue.
	fifo bool
}

// partialSource reports whether src takes a partial batch response: SQS,
// Kinesis and DynamoDB streams.
func partialSource(src source) bool {
	return src.kind == kindSQS || src.kind == kindKinesis || (src.kind == kindNamed && src.trigger == "dynamodb")
}

// noFailures is the answer of a batch that succeeded whole, where the
// result itself is not a JSON object: Lambda reads the answer to a batch
// of a source with ReportBatchItemFailures on (as anyfaas generates it) as
// a batch response, and takes one that is not (an array of the results,
// say) as invalid, failing the whole batch.
const noFailures = `{"batchItemFailures":[]}`

// batchItems reads the batch of a source that takes a partial batch
// response (SQS, Kinesis, DynamoDB streams); ok is false for other
// sources. SQS identifies a record by its messageId, the streams by its
// sequence number, which Message.ID (the eventID) ends with.
func batchItems(src source, payload []byte) (b batch, ok bool) {
	var seq func(rec []byte) string
	if !partialSource(src) {
		return batch{}, false
	}
	switch {
	case src.kind == kindKinesis:
		seq = func(rec []byte) string {
			return str(jsonwire.Member(jsonwire.Member(rec, "kinesis"), "sequenceNumber"))
		}
	case src.kind == kindNamed && src.trigger == "dynamodb":
		seq = func(rec []byte) string {
			return str(jsonwire.Member(jsonwire.Member(rec, "dynamodb"), "SequenceNumber"))
		}
	}
	b.index = map[string]int{}
	jsonwire.Array(jsonwire.Member(payload, "Records"), func(rec []byte) bool {
		n := len(b.items)
		var item string
		if seq == nil {
			item = str(jsonwire.Member(rec, "messageId"))
			b.fifo = b.fifo || strings.HasSuffix(str(jsonwire.Member(rec, "eventSourceARN")), ".fifo")
		} else {
			item = seq(rec)
			if id := str(jsonwire.Member(rec, "eventID")); id != "" {
				b.index[id] = n
			}
		}
		if item != "" {
			b.index[item] = n
		}
		b.items = append(b.items, item)
		return true
	})
	return b, true
}

// partialBatch returns Lambda's partial batch response for the failures
// berr names: {"batchItemFailures":[{"itemIdentifier":…}]}, in the
// batch's order, which makes the event source retry those records (on a
// FIFO queue, every one from the first failed on). ok is false, and the
// batch fails as a whole, when the source takes no such response, when
// every record failed, or when a failure names no record of the batch
// (Lambda would fail the whole batch for it too; here it is logged).
func partialBatch(ctx *faas.Context, src source, payload []byte, berr *faas.BatchError) (out []byte, ok bool) {
	b, ok := batchItems(src, payload)
	if !ok || len(berr.Failures) == 0 {
		return nil, false
	}
	failed := make([]bool, len(b.items))
	first := len(b.items)
	for _, f := range berr.Failures {
		i, ok := b.index[f.ID]
		if !ok {
			ctx.Logger().Error("aws: a failure of the batch names no message of it; failing the whole batch", "id", f.ID)
			return nil, false
		}
		failed[i], first = true, min(first, i)
	}
	if b.fifo {
		for i := first; i < len(failed); i++ {
			failed[i] = true
		}
	}
	n := 0
	out = append(out, `{"batchItemFailures":[`...)
	for i, item := range b.items {
		if !failed[i] {
			continue
		}
		if n++; n > 1 {
			out = append(out, ',')
		}
		out = jsonwire.AppendString(append(out, `{"itemIdentifier":`...), item)
		out = append(out, '}')
	}
	if n == len(b.items) {
		return nil, false // every record failed: an error, as Lambda counts it
	}
	return append(out, "]}"...), true
}
