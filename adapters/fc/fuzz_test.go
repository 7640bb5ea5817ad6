package fc

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/golden"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// seeds adds every sample event to f's corpus, and inputs that break.
func seeds(f *testing.F) {
	for _, glob := range []string{"testdata/fixtures/*.json", "testdata/events/*.json"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	for _, s := range []string{
		``, `null`, `{}`, `[]`, `[1]`, `"x`, `{"rawPath":`, `{"rawPath":"/%zz","requestContext":{"http":{"method":"GET"}}}`,
		`{"httpMethod":"GET","body":"!!","isBase64Encoded":true}`, `{"events":[{"eventSource":"acs:oss","oss":{"object":{"size":-1e99}}}]}`,
		`[{"specversion":"1","type":"mq:Topic:x","data":{"userProperties":[]}}]`, `["{\"specversion\":1}"]`,
		`{"TopicName":"t","Message":"m","PublishTime":1e400}`, `{"body":1,"attrs":2}`, `{"triggerTime":"","triggerName":5}`,
	} {
		f.Add([]byte(s))
	}
}

// checkDecoded fails unless err is a DecodeError, or d holds a standard
// event.
func checkDecoded(t *testing.T, d decoded, err error) {
	t.Helper()
	if err != nil {
		var derr *faas.DecodeError
		if !errors.As(err, &derr) {
			t.Fatalf("error %v (%T) is not a *faas.DecodeError", err, err)
		}
		if derr.Platform != faas.PlatformFC || derr.Trigger == "" {
			t.Fatalf("DecodeError %+v does not name the platform and trigger", derr)
		}
		return
	}
	switch e := d.event.(type) {
	case *faas.HTTPRequest:
		if e == nil || e.Method == "" || e.Path == "" || e.Path[0] != '/' || e.Header == nil || e.Query == nil {
			t.Fatalf("HTTP event %+v", e)
		}
	case *faas.TimerEvent, *faas.StorageEvent, *faas.MessageEvent:
	case *faas.RawEvent:
		if e.Trigger == "" || (e.JSON != nil && !jsonwire.Valid(e.JSON)) {
			t.Fatalf("raw event %+v", e)
		}
	default:
		t.Fatalf("event %T", d.event)
	}
}

// objectMembers walks data as an object into members, or reports false.
func objectMembers(data []byte) (*members, bool) {
	var m members
	err := jsonwire.Object(data, func(k string, v []byte) bool { m.set(k, v); return true })
	return &m, err == nil
}

// The decoder of every payload.
func FuzzDecode(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := decode(data)
		checkDecoded(t, d, err)
	})
}

// Each object decoder, given any object whatever its shape.
func FuzzObjectDecoders(f *testing.F) {
	seeds(f)
	decoders := map[string]func([]byte, *members) (decoded, error){
		"http":       func(_ []byte, m *members) (decoded, error) { return decodeHTTPTrigger(m) },
		"apigw":      func(_ []byte, m *members) (decoded, error) { return decodeAPIGateway(m) },
		"timer":      func(_ []byte, m *members) (decoded, error) { return decodeTimer(m) },
		"events":     decodeEvents,
		"oss":        func(_ []byte, m *members) (decoded, error) { return decodeOSS(m.events) },
		"mnsTopic":   decodeMNSTopic,
		"mnsStream":  func(_ []byte, m *members) (decoded, error) { return decodeMNSStream(m) },
		"cloudEvent": func(b []byte, _ *members) (decoded, error) { return decodeCloudEvents(b, [][]byte{b}, false) },
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := objectMembers(data)
		if !ok {
			return
		}
		for name, dec := range decoders {
			d, err := dec(data, m)
			if name == "http" || name == "apigw" {
				// These require a method, which a random object lacks:
				// only errors are checked for them then.
				if err == nil {
					checkDecoded(t, d, err)
				} else {
					checkDecoded(t, decoded{}, err)
				}
				continue
			}
			checkDecoded(t, d, err)
		}
	})
}

// The batch decoders, given any array.
func FuzzBatchDecoders(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var elems [][]byte
		if jsonwire.Array(data, func(v []byte) bool { elems = append(elems, v); return true }) != nil || len(elems) == 0 {
			return
		}
		for _, dec := range []func() (decoded, error){
			func() (decoded, error) { return decodeCloudEvents(data, elems, true) },
			func() (decoded, error) { return decodeCloudEventTexts(data, elems) },
			func() (decoded, error) { return decodeRocketMQBatch(elems) },
			func() (decoded, error) { return decodeMQTTBatch(elems) },
		} {
			d, err := dec()
			checkDecoded(t, d, err)
		}
	})
}

// Handler.Invoke on any payload: no panic, and its only errors are the
// adapter's own.
func FuzzInvoke(f *testing.F) {
	seeds(f)
	h := NewHandler(testApp(golden.Handler()))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := h.Invoke(context.Background(), nil, data)
		if err != nil {
			var (
				derr *faas.DecodeError
				lerr *faas.LimitError
			)
			if !errors.As(err, &derr) && !errors.As(err, &lerr) {
				t.Fatalf("error %v (%T)", err, err)
			}
			return
		}
		if !jsonwire.Valid(out) {
			t.Fatalf("response %q is not JSON", out)
		}
	})
}

// The context headers: any values give a Context or a DecodeError.
func FuzzContextFromHeader(f *testing.F) {
	f.Add("1700000000000", "60", "1", "e30=")
	f.Add("", "", "", "")
	f.Add("x", "-1", "9999999999999999999999", "%%")
	f.Fuzz(func(t *testing.T, deadline, timeout, retry, baggages string) {
		h := http.Header{}
		for k, v := range map[string]string{
			headerDeadline: deadline, headerFunctionTimeout: timeout, headerRetryCount: retry, headerSpanBaggages: baggages,
		} {
			if v != "" {
				h.Set(k, v)
			}
		}
		c, err := ContextFromHeader(h)
		if err != nil {
			var derr *faas.DecodeError
			if !errors.As(err, &derr) || derr.Field == "" {
				t.Fatalf("error %v", err)
			}
			return
		}
		if c.Deadline.IsZero() {
			t.Fatal("a Context without a deadline")
		}
	})
}

// FC 2.0's x-fc-http-params: any header value gives an HTTP event or a
// DecodeError.
func FuzzHTTPParams(f *testing.F) {
	f.Add(`{"path":"/a","method":"GET","requestURI":"/a?x=1","queriesMap":{"x":["1"]},"headersMap":{"a":["b"]}}`)
	f.Add(`{"method":"POST","requestURI":"/b?y=2"}`)
	f.Add(`{"method":"GET","requestURI":"::"}`)
	f.Add(`{"method":5}`)
	f.Add(`not JSON`)
	f.Fuzz(func(t *testing.T, js string) {
		for _, params := range []string{js, base64.StdEncoding.EncodeToString([]byte(js))} {
			req, err := decodeHTTPParams(params, nil)
			if err != nil {
				checkDecoded(t, decoded{}, err)
				continue
			}
			checkDecoded(t, decoded{event: req}, nil)
		}
	})
}
