package catalog

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// The mappings of storage events. Every record of a batch is changed.

var storageKeys = []string{keyBucket, keyKey, keySize}

// awsS3 maps S3 event notifications: the bucket's name and ARN, the key
// form-encoded as S3 sends it ('+' for a space).
var awsS3 = &mapping{
	trigger: "storage",
	keys:    storageKeys,
	apply: func(d *doc, o override) error {
		return each(d, ptr("Records"), func(rec pointer) error {
			s3 := rec.at("s3")
			switch o.name {
			case keyBucket:
				if err := d.setString(s3.at("bucket", "name"), o.value); err != nil {
					return err
				}
				return setIfPresent(d, s3.at("bucket", "arn"), "arn:aws:s3:::"+o.value)
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
// holds the bucket and object, resources the bucket's ARN.
var awsS3EventBridge = &mapping{
	trigger: "storage",
	keys:    storageKeys,
	apply: func(d *doc, o override) error {
		switch o.name {
		case keyBucket:
			old, _ := d.str(ptr("detail", "bucket", "name"))
			if err := d.setString(ptr("detail", "bucket", "name"), o.value); err != nil {
				return err
			}
			return each(d, ptr("resources"), func(p pointer) error {
				if arn, _ := d.str(p); arn == "arn:aws:s3:::"+old {
					return d.setString(p, "arn:aws:s3:::"+o.value)
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
// "/<appid>/<name>/<key>", and its URL. A bucket given with the appid
// suffix has it removed from cosBucket.name.
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
				name = strings.TrimSuffix(o.value, "-"+appid)
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

// gcsObject maps Cloud Storage events, as CloudEvents (data at /data) or
// legacy events: the bucket and name are repeated in the object's id,
// selfLink and mediaLink, and in the event's source and subject (or the
// legacy context's resource), which are all rebuilt from them.
func gcsObject(data pointer) *mapping {
	return &mapping{
		trigger: "storage",
		keys:    storageKeys,
		apply: func(d *doc, o override) error {
			switch o.name {
			case keyBucket:
				if err := d.setString(data.at("bucket"), o.value); err != nil {
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
