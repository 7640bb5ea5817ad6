package catalog

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// The mappings of storage events. Every record of a batch is changed.

var storageKeys = []string{keyBucket, keyKey, keySize}

// awsS3 maps S3 event notifications: the bucket's name and ARN (a bucket
// given as its ARN, arn:aws:s3:::<name>, gives both), the key
// form-encoded as S3 sends it ('+' for a space).
var awsS3 = &mapping{
	trigger: "storage",
	keys:    storageKeys,
	apply: func(d *doc, o override) error {
		return each(d, ptr("Records"), func(rec pointer) error {
			s3 := rec.at("s3")
			switch o.name {
			case keyBucket:
				name, arn := s3Bucket(o.value)
				if err := d.setString(s3.at("bucket", "name"), name); err != nil {
					return err
				}
				return setIfPresent(d, s3.at("bucket", "arn"), arn)
			case keyKey:
				return d.setString(s3.at("object", "key"), strings.ReplaceAll(url.QueryEscape(o.value), "%2F", "/"))
			case keySize:
				return d.setRaw(s3.at("object", "size"), []byte(o.value))
			}
			return nil
		})
	},
}

// awsS3EventBridge maps S3 events delivered through EventBridge: detail
// holds the bucket (given by name or ARN, as to awsS3) and object,
// resources the bucket's ARN.
var awsS3EventBridge = &mapping{
	trigger: "storage",
	keys:    storageKeys,
	apply: func(d *doc, o override) error {
		switch o.name {
		case keyBucket:
			old, _ := d.str(ptr("detail", "bucket", "name"))
			name, newARN := s3Bucket(o.value)
			if err := d.setString(ptr("detail", "bucket", "name"), name); err != nil {
				return err
			}
			return each(d, ptr("resources"), func(p pointer) error {
				if arn, _ := d.str(p); arn == "arn:aws:s3:::"+old {
					return d.setString(p, newARN)
				}
				return nil
			})
		case keyKey:
			return d.setString(ptr("detail", "object", "key"), o.value)
		case keySize:
			return d.setRaw(ptr("detail", "object", "size"), []byte(o.value))
		}
		return nil
	},
}

// s3Bucket returns the name and ARN of a bucket given by name or by ARN
// (arn:<partition>:s3:::<name>, as f.yml may give it for aws).
func s3Bucket(v string) (name, arn string) {
	if i := strings.Index(v, ":::"); strings.HasPrefix(v, "arn:") && i >= 0 {
		return v[i+3:], v
	}
	return v, "arn:aws:s3:::" + v
}

// fcOSS maps OSS event notifications: the bucket's name and the last part
// of its ARN; the object's size, and its deltaSize where it was the size
// (a new object).
var fcOSS = &mapping{
	trigger: "storage",
	keys:    storageKeys,
	apply: func(d *doc, o override) error {
		return each(d, ptr("events"), func(ev pointer) error {
			oss := ev.at("oss")
			switch o.name {
			case keyBucket:
				if err := d.setString(oss.at("bucket", "name"), o.value); err != nil {
					return err
				}
				if arn, ok := d.str(oss.at("bucket", "arn")); ok {
					return d.setString(oss.at("bucket", "arn"), replaceAfter(arn, ":", o.value))
				}
			case keyKey:
				return d.setString(oss.at("object", "key"), o.value)
			case keySize:
				obj := oss.at("object")
				if n := d.get(obj.at("deltaSize")); n != nil && d.get(obj.at("size")) != nil &&
					string(n.raw) == string(d.get(obj.at("size")).raw) {
					if err := d.setRaw(obj.at("deltaSize"), []byte(o.value)); err != nil {
						return err
					}
				}
				return d.setRaw(obj.at("size"), []byte(o.value))
			}
			return nil
		})
	},
}

// scfCOS maps COS events. COS names a bucket "<name>-<appid>"; the event
// gives the name and the appid apart, the object's key as
// "/<appid>/<name>/<key>", and its URL. A bucket given with an appid
// suffix (digits, as COS's appids are) sets both cosBucket.name and
// cosBucket.appid; one without keeps the sample's appid. A bucket may
// also be given as its domain, "<name>-<appid>.cos.<region>.myqcloud.com",
// as SCF's serverless.yml (and f.yml for scf) names it; the region stays
// the sample's (the event has COS's short name for it, such as "bj").
var scfCOS = &mapping{
	trigger: "storage",
	keys:    storageKeys,
	apply: func(d *doc, o override) error {
		return each(d, ptr("Records"), func(rec pointer) error {
			b, obj := rec.at("cos", "cosBucket"), rec.at("cos", "cosObject")
			appid, _ := d.str(b.at("appid"))
			name, _ := d.str(b.at("name"))
			oldKey, _ := d.str(obj.at("key"))
			key, ok := strings.CutPrefix(oldKey, "/"+appid+"/"+name+"/")
			if !ok {
				key = strings.TrimPrefix(oldKey, "/")
			}
			switch o.name {
			case keyBucket:
				bucket, _, _ := strings.Cut(o.value, ".cos.")
				if bucket == "" {
					return errors.New("a COS bucket is <name>-<appid>, or its domain <name>-<appid>.cos.<region>.myqcloud.com")
				}
				if n, id, ok := cosAppID(bucket); ok {
					name, appid = n, id
					if err := d.setString(b.at("appid"), appid); err != nil {
						return err
					}
				} else {
					name = bucket
				}
				if err := d.setString(b.at("name"), name); err != nil {
					return err
				}
			case keyKey:
				key = strings.TrimPrefix(o.value, "/")
			case keySize:
				return d.setRaw(obj.at("size"), []byte(o.value))
			}
			if err := d.setString(obj.at("key"), "/"+appid+"/"+name+"/"+key); err != nil {
				return err
			}
			if raw, ok := d.str(obj.at("url")); ok {
				if u, err := url.Parse(raw); err == nil {
					if _, rest, ok := strings.Cut(u.Host, ".cos"); ok {
						u.Host = name + "-" + appid + ".cos" + rest
					}
					u.Path, u.RawPath = "/"+key, ""
					return d.setString(obj.at("url"), u.String())
				}
			}
			return nil
		})
	},
}

// cosAppID splits a COS bucket "<name>-<appid>" into its name and appid,
// if it ends in "-" and digits after a name.
func cosAppID(bucket string) (name, appid string, ok bool) {
	i := strings.LastIndexByte(bucket, '-')
	if i <= 0 || i == len(bucket)-1 {
		return "", "", false
	}
	for _, c := range bucket[i+1:] {
		if c < '0' || c > '9' {
			return "", "", false
		}
	}
	return bucket[:i], bucket[i+1:], true
}

// gcsObject maps Cloud Storage events, as CloudEvents (data at /data) or
// legacy events: the bucket and name are repeated in the object's id,
// selfLink and mediaLink, and in the event's source and subject (or the
// legacy context's resource), which are all rebuilt from them. A bucket
// may be given as its gs:// URL.
func gcsObject(data pointer) *mapping {
	return &mapping{
		trigger: "storage",
		keys:    storageKeys,
		apply: func(d *doc, o override) error {
			switch o.name {
			case keyBucket:
				if err := d.setString(data.at("bucket"), strings.TrimPrefix(o.value, "gs://")); err != nil {
					return err
				}
			case keyKey:
				if err := d.setString(data.at("name"), o.value); err != nil {
					return err
				}
			case keySize:
				return d.setString(data.at("size"), o.value) // an int64 in proto3 JSON
			}
			bucket, _ := d.str(data.at("bucket"))
			name, _ := d.str(data.at("name"))
			gen, _ := d.str(data.at("generation"))
			for _, f := range []struct {
				at   pointer
				text string
			}{
				{data.at("id"), fmt.Sprintf("%s/%s/%s", bucket, name, gen)},
				{data.at("selfLink"), "https://www.googleapis.com/storage/v1/b/" + bucket + "/o/" + name},
				{data.at("mediaLink"), "https://www.googleapis.com/download/storage/v1/b/" + bucket + "/o/" +
					strings.ReplaceAll(url.QueryEscape(name), "+", "%20") + "?generation=" + gen + "&alt=media"},
				{ptr("source"), "//storage.googleapis.com/projects/_/buckets/" + bucket},
				{ptr("subject"), "objects/" + name},
				{ptr("context", "resource", "name"), "projects/_/buckets/" + bucket + "/objects/" + name},
			} {
				if err := setIfPresent(d, f.at, f.text); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// each calls fn with the pointer of each element of the array at p.
func each(d *doc, p pointer, fn func(elem pointer) error) error {
	for i := range d.length(p) {
		if err := fn(p.at(strconv.Itoa(i))); err != nil {
			return err
		}
	}
	return nil
}

// setIfPresent sets the string at p if the event has a string there.
func setIfPresent(d *doc, p pointer, s string) error {
	if _, ok := d.str(p); !ok {
		return nil
	}
	return d.setString(p, s)
}

// setMember sets the member key of the object at p, making the object if
// the event has none there.
func setMember(d *doc, p pointer, key string, v any) error {
	if n := d.get(p); n == nil || n.kind != '{' {
		return d.setJSON(p, object{{key, v}})
	}
	return d.setJSON(p.at(key), v)
}
