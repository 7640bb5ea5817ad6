package aws_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/emulator/aws"
)

// runChild runs a script of Runtime API calls that no runtime client
// makes on purpose, printing what the emulator answers.
func runChild(script string) int {
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/"
	say := func(format string, args ...any) { fmt.Printf("child: "+format+"\n", args...) }
	switch script {
	case "init-error":
		st, body := childPost(api+"init/error", "application/json",
			strings.NewReader(`{"errorMessage":"no configuration","errorType":"Runtime.ConfigError"}`), nil)
		say("init/error %d %s", st, body)
		return 1

	case "protocol":
		// 1: a wrong id; a chunked response with a content type; a second response.
		id := childNext(api)
		st, body := childPost(api+"invocation/not-an-id/response", "text/plain", strings.NewReader("x"), nil)
		say("unknown id %d %s", st, body)
		st, _ = childPost(api+"invocation/"+id+"/response", "text/plain; charset=utf-8",
			io.MultiReader(strings.NewReader("chunked "), strings.NewReader("answer")), nil)
		say("response %d", st)
		st, body = childPost(api+"invocation/"+id+"/response", "text/plain", strings.NewReader("again"), nil)
		say("second response %d %s", st, body)

		// 2: an error.
		id = childNext(api)
		st, _ = childPost(api+"invocation/"+id+"/error", "application/json",
			strings.NewReader(`{"errorMessage":"bad input","errorType":"Custom.Error"}`), nil)
		say("error %d", st)

		// 3: a response one byte over the limit.
		id = childNext(api)
		st, body = childPost(api+"invocation/"+id+"/response", "application/octet-stream",
			io.LimitReader(zeros{}, aws.MaxResponse+1), nil)
		say("too large %d %s", st, body)

		// 4: a response that fails mid-stream, reported in trailers as
		// aws-lambda-go reports it.
		id = childNext(api)
		trailer := http.Header{"Lambda-Runtime-Function-Error-Type": nil, "Lambda-Runtime-Function-Error-Body": nil}
		st, _ = childPost(api+"invocation/"+id+"/response", "application/octet-stream",
			&failingReader{r: strings.NewReader("partial"), trailer: trailer}, trailer)
		say("trailer %d", st)

		// 5: an init error after init; asking for the next event before
		// answering.
		id = childNext(api)
		st, _ = childPost(api+"init/error", "application/json", strings.NewReader(`{}`), nil)
		say("late init error %d", st)
		resp, err := http.Get(api + "invocation/next")
		if err != nil {
			say("%v", err)
			return 1
		}
		resp.Body.Close()
		say("early next %d", resp.StatusCode)
		childPost(api+"invocation/"+id+"/response", "application/json", strings.NewReader(`{}`), nil)
		for {
			childNext(api)
		}
	}
	say("no script %q", script)
	return 2
}

func childNext(api string) string {
	resp, err := http.Get(api + "invocation/next")
	if err != nil {
		os.Exit(1) // the emulator killed us
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
}

func childPost(url, contentType string, body io.Reader, trailer http.Header) (int, string) {
	req, err := http.NewRequest("POST", url, body)
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", contentType)
	req.Trailer = trailer
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// failingReader ends its body early, setting the error trailers as
// aws-lambda-go's errorCapturingReader does.
type failingReader struct {
	r       io.Reader
	trailer http.Header
}

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		f.trailer.Set("Lambda-Runtime-Function-Error-Type", "Custom.StreamError")
		f.trailer.Set("Lambda-Runtime-Function-Error-Body",
			base64.StdEncoding.EncodeToString([]byte(`{"errorMessage":"stream broke","errorType":"Custom.StreamError"}`)))
	}
	return n, err
}

// TestRuntimeAPI drives the Runtime API with calls aws-lambda-go never
// makes, and checks the status codes and results.
func TestRuntimeAPI(t *testing.T) {
	t.Parallel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	e, lg := start(t, emulator.Function{Binary: self, Env: []string{"AWS_EMULATOR_TEST_CHILD=protocol"}})

	// 1, through the front door, which returns the content type.
	w := httptest.NewRecorder()
	e.InvokeHandler().ServeHTTP(w, httptest.NewRequest("POST", "/2015-03-31/functions/function/invocations", strings.NewReader(`{}`)))
	type reply struct {
		Status            int
		ContentType, Body string
	}
	if diff := cmp.Diff(reply{200, "text/plain; charset=utf-8", "chunked answer"},
		reply{w.Code, w.Header().Get("Content-Type"), w.Body.String()}); diff != "" {
		t.Errorf("a chunked response (-want +got):\n%s", diff)
	}
	lg.wait(t, `child: unknown id 400 {"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`)
	lg.wait(t, "child: response 202")
	lg.wait(t, "child: second response 403 ")

	tests := []struct {
		name        string
		wantErr     *emulator.FunctionError
		wantPayload string
		wantLine    string
	}{
		{"error", &emulator.FunctionError{Type: "Custom.Error", Message: "bad input"},
			`{"errorMessage":"bad input","errorType":"Custom.Error"}`, "child: error 202"},
		{"too large",
			&emulator.FunctionError{Type: "Function.ResponseSizeTooLarge", Message: "Response payload size exceeded maximum allowed payload size (6291556 bytes)."},
			`{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}`,
			`child: too large 413 {"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}`},
		{"trailer", &emulator.FunctionError{Type: "Custom.StreamError", Message: "stream broke"},
			`{"errorMessage":"stream broke","errorType":"Custom.StreamError"}`, "child: trailer 202"},
		{"late init error", nil, `{}`, "child: early next 403"},
	}
	for _, tt := range tests {
		res, err := e.Invoke(context.Background(), []byte(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.wantErr, res.Error); diff != "" {
				t.Errorf("Error (-want +got):\n%s", diff)
			}
			if string(res.Payload) != tt.wantPayload {
				t.Errorf("Payload = %s, want %s", res.Payload, tt.wantPayload)
			}
			lg.wait(t, tt.wantLine)
		})
	}
	lg.wait(t, "child: late init error 403")
}
