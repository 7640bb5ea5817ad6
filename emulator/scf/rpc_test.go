package scf

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	adapter "github.com/anyfaas/faas/adapters/scf"
	"github.com/google/go-cmp/cmp"
)

// TestWireFields checks that the emulator's wire types have the fields,
// by name and kind, of the anyfaas adapter's (which has scf-go-lib's): gob
// matches by name and silently drops what does not match.
func TestWireFields(t *testing.T) {
	pairs := []struct{ ours, theirs any }{
		{invokeRequest{}, adapter.InvokeRequest{}},
		{timestamp{}, adapter.Timestamp{}},
		{invokeResponse{}, adapter.InvokeResponse{}},
		{invokeResponseError{}, adapter.InvokeResponseError{}},
		{stackFrame{}, adapter.StackFrame{}},
		{pingRequest{}, adapter.PingRequest{}},
		{pingResponse{}, adapter.PingResponse{}},
	}
	fields := func(v any) map[string]reflect.Kind {
		m := map[string]reflect.Kind{}
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			m[rt.Field(i).Name] = rt.Field(i).Type.Kind()
		}
		return m
	}
	for _, p := range pairs {
		if diff := cmp.Diff(fields(p.theirs), fields(p.ours)); diff != "" {
			t.Errorf("%T and %T differ (-adapter +emulator):\n%s", p.theirs, p.ours, diff)
		}
	}
}

// TestWireRoundTrip sends a request from the emulator's types to the
// adapter's, and a reply back, through gob.
func TestWireRoundTrip(t *testing.T) {
	req := invokeRequest{
		Payload: []byte(`{"a":1}`), RequestId: "rid", TraceId: "tid", Deadline: timestamp{Seconds: 1700000000, Nanos: 5},
		InvokedFunctionUnique: "qcs::scf:ap-guangzhou:uin/1:namespace/default/function/fn", ClientContext: []byte(`{}`),
		Namespace: "default", FunctionName: "fn", FunctionVersion: "$LATEST", MemoryLimitInMb: 128, TimeLimitInMs: 3000,
		Environment: `{"K":"v"}`, TencentcloudRegion: "ap-guangzhou", TencentcloudAppID: "125", TencentcloudUin: "100",
		FunctionTrace: "trace",
	}
	var gotReq adapter.InvokeRequest
	roundTrip(t, req, &gotReq)
	wantReq := adapter.InvokeRequest{
		Payload: req.Payload, RequestId: "rid", TraceId: "tid", Deadline: adapter.Timestamp{Seconds: 1700000000, Nanos: 5},
		InvokedFunctionUnique: req.InvokedFunctionUnique, ClientContext: req.ClientContext,
		Namespace: "default", FunctionName: "fn", FunctionVersion: "$LATEST", MemoryLimitInMb: 128, TimeLimitInMs: 3000,
		Environment: `{"K":"v"}`, TencentcloudRegion: "ap-guangzhou", TencentcloudAppID: "125", TencentcloudUin: "100",
		FunctionTrace: "trace",
	}
	if diff := cmp.Diff(wantReq, gotReq); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}

	resp := adapter.InvokeResponse{Payload: []byte(`"ok"`), Error: &adapter.InvokeResponseError{
		Message: "m", Type: "PanicError", ShouldExit: true,
		StackTrace: []*adapter.StackFrame{{Path: "main.go", Line: 7, Label: "main.f"}},
	}}
	var gotResp invokeResponse
	roundTrip(t, resp, &gotResp)
	wantResp := invokeResponse{Payload: []byte(`"ok"`), Error: &invokeResponseError{
		Message: "m", Type: "PanicError", ShouldExit: true,
		StackTrace: []*stackFrame{{Path: "main.go", Line: 7, Label: "main.f"}},
	}}
	if diff := cmp.Diff(wantResp, gotResp); diff != "" {
		t.Errorf("reply (-want +got):\n%s", diff)
	}
}

func roundTrip(t *testing.T, in, out any) {
	t.Helper()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(in); err != nil {
		t.Fatalf("encoding %T: %v", in, err)
	}
	if err := gob.NewDecoder(&buf).Decode(out); err != nil {
		t.Fatalf("decoding %T into %T: %v", in, out, err)
	}
}

// TestInvokeRequestSent checks the request a Go runtime process receives.
func TestInvokeRequestSent(t *testing.T) {
	t.Parallel()
	e, _ := started(t, Options{Mode: ModeRPC}, fake("rpc"), timeout(2*time.Second))
	before := time.Now()
	res := invoke(t, e, `"req"`)
	var got adapter.InvokeRequest
	if err := json.Unmarshal(res.Payload, &got); err != nil {
		t.Fatalf("payload %s: %v", res.Payload, err)
	}
	deadline := time.Unix(got.Deadline.Seconds, got.Deadline.Nanos)
	if d := deadline.Sub(before); d < 2*time.Second || d > 3*time.Second {
		t.Errorf("Deadline %v is %v after the invocation began, want its timeout of 2s", deadline, d)
	}
	var env map[string]string
	if err := json.Unmarshal([]byte(got.Environment), &env); err != nil || env["CUSTOM"] != "yes" {
		t.Errorf("Environment = %q, want the function's variables", got.Environment)
	}
	got.Deadline, got.Environment = adapter.Timestamp{}, ""
	want := adapter.InvokeRequest{
		Payload: []byte(`"req"`), RequestId: res.RequestID,
		InvokedFunctionUnique: "qcs::scf:ap-guangzhou:uin/100000000001:namespace/default/function/fn",
		Namespace:             "default", FunctionName: "fn", FunctionVersion: "$LATEST",
		MemoryLimitInMb: 128, TimeLimitInMs: 2000,
		TencentcloudRegion: "ap-guangzhou", TencentcloudAppID: "1250000000", TencentcloudUin: "100000000001",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("InvokeRequest (-want +got):\n%s", diff)
	}
}
