package aws

import (
	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// batchItems returns, for a batch whose source takes a partial batch
// response (SQS, Kinesis, DynamoDB streams), the itemIdentifier Lambda
// takes for each of its records, under each id a handler may name the
// record by, and the number of records; ok is false for other sources.
// SQS identifies a record by its messageId, the streams by its sequence
// number, which Message.ID (the eventID) ends with.
func batchItems(src source, payload []byte) (items map[string]string, records int, ok bool) {
	var seq func(rec []byte) string
	switch {
	case src.kind == kindSQS:
	case src.kind == kindKinesis:
		seq = func(rec []byte) string {
			return str(jsonwire.Member(jsonwire.Member(rec, "kinesis"), "sequenceNumber"))
		}
	case src.kind == kindNamed && src.trigger == "dynamodb":
		seq = func(rec []byte) string {
			return str(jsonwire.Member(jsonwire.Member(rec, "dynamodb"), "SequenceNumber"))
		}
	default:
		return nil, 0, false
	}
	items = map[string]string{}
	jsonwire.Array(jsonwire.Member(payload, "Records"), func(rec []byte) bool {
		records++
		if seq == nil {
			if id := str(jsonwire.Member(rec, "messageId")); id != "" {
				items[id] = id
			}
			return true
		}
		if s := seq(rec); s != "" {
			items[s] = s
			if id := str(jsonwire.Member(rec, "eventID")); id != "" {
				items[id] = s
			}
		}
		return true
	})
	return items, records, true
}

func str(raw []byte) string { s, _ := jsonwire.String(raw); return s }

// partialBatch returns Lambda's partial batch response for the failures
// berr names: {"batchItemFailures":[{"itemIdentifier":…}]}, which makes
// the event source retry those records only. ok is false, and the batch
// fails as a whole, when the source takes no such response, when every
// record failed, or when a failure names no record of the batch (Lambda
// would fail the whole batch for it too; here it is logged).
func partialBatch(ctx *faas.Context, src source, payload []byte, berr *faas.BatchError) (out []byte, ok bool) {
	items, records, ok := batchItems(src, payload)
	if !ok || len(berr.Failures) == 0 {
		return nil, false
	}
	failed := make([]string, 0, len(berr.Failures))
	seen := map[string]bool{}
	for _, f := range berr.Failures {
		item, ok := items[f.ID]
		if !ok {
			ctx.Logger().Error("aws: a failure of the batch names no message of it; failing the whole batch", "id", f.ID)
			return nil, false
		}
		if !seen[item] {
			seen[item] = true
			failed = append(failed, item)
		}
	}
	if len(failed) >= records {
		return nil, false // every record failed: an error, as Lambda counts it
	}
	out = append(out, `{"batchItemFailures":[`...)
	for i, item := range failed {
		if i > 0 {
			out = append(out, ',')
		}
		out = jsonwire.AppendString(append(out, `{"itemIdentifier":`...), item)
		out = append(out, '}')
	}
	return append(out, "]}"...), true
}
