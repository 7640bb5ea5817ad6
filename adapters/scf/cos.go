package scf

import (
	"strings"
	"time"

	"github.com/anyfaas/faas"
)

// cosRecord is what the adapter reads of a record of a COS event (Tencent
// Cloud doc "COS Trigger", event message structure; scf-go-lib
// events/cos.go).
type cosRecord struct {
	COS struct {
		Bucket struct {
			AppID  string `json:"appid"`
			Name   string `json:"name"`
			Region string `json:"region"`
		} `json:"cosBucket"`
		Object struct {
			Key  string `json:"key"`
			Size int64  `json:"size"`
		} `json:"cosObject"`
	} `json:"cos"`
	Event struct {
		Name string `json:"eventName"`
		Time int64  `json:"eventTime"`
	} `json:"event"`
}

// decodeCOS decodes a COS event into a storage event.
//
// COS names a bucket "<name>-<appid>" in its API, and the event gives the
// two apart (cosBucket.name, cosBucket.appid), so Bucket is joined back
// into the name the COS API takes. cosObject.key is the path
// "/<appid>/<name>/<key>"; Key is the object key without that prefix.
// Both are what Tencent's own samples do with the event. The key is not
// URL-decoded. Whether COS encodes it is not established: Tencent's "COS
// Trigger" and "Trigger Event Message Structure Summary" pages
// (https://www.tencentcloud.com/document/product/583/9707, 583/31439) show
// only "key": "/1253970026/testpic/testfile" and say nothing of encoding,
// and no real event with a space, '+', '%' or a non-ASCII character in its
// key was found; Tencent's own templates cut the prefix off and give the
// rest to the COS SDK unchanged (tencentyun/serverless-demo,
// Python2.7-UnpackAndUploadToCOS/src/index.py and others), which suggests
// the key is raw. Decoding a raw key would turn
// '+' into a space and fail on '%', so it is kept as it comes. eventName
// "cos:ObjectCreated:*" events are StorageCreated, "cos:ObjectRemove:*"
// events StorageRemoved, and others (such as "cos:ObjectRestore:Post")
// keep their native name. eventTime is in Unix seconds; Region is COS's
// short region name, such as "bj", as the event gives it.
func decodeCOS(records []byte) (*faas.StorageEvent, error) {
	ev := &faas.StorageEvent{}
	err := eachRecord(faas.TriggerStorage, records, func(i int, raw []byte) error {
		var rec cosRecord
		if err := unmarshalRecord(faas.TriggerStorage, i, raw, &rec); err != nil {
			return err
		}
		b, o := rec.COS.Bucket, rec.COS.Object
		r := faas.StorageRecord{
			Op:     cosOp(rec.Event.Name),
			Bucket: b.Name,
			Key:    o.Key,
			Size:   o.Size,
			Region: b.Region,
		}
		if b.AppID != "" && !strings.HasSuffix(b.Name, "-"+b.AppID) {
			r.Bucket = b.Name + "-" + b.AppID
		}
		if k, ok := strings.CutPrefix(o.Key, "/"+b.AppID+"/"+b.Name+"/"); ok {
			r.Key = k
		} else {
			r.Key = strings.TrimPrefix(o.Key, "/")
		}
		if rec.Event.Time > 0 {
			r.Time = time.Unix(rec.Event.Time, 0).UTC()
		}
		ev.Records = append(ev.Records, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// cosOp maps a COS event name to a storage operation.
func cosOp(name string) string {
	switch {
	case strings.HasPrefix(name, "cos:ObjectCreated:"):
		return faas.StorageCreated
	case strings.HasPrefix(name, "cos:ObjectRemove:"):
		return faas.StorageRemoved
	}
	return name
}
