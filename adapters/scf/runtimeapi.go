package scf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/anyfaas/faas"
)

// Headers of the custom runtime's GET /runtime/invocation/next (Tencent
// Cloud doc 583/47274; the SCF runtime client of
// stevapple/swift-tencent-scf-runtime requires all three).
const (
	headerRuntimeRequestID = "request_id"
	headerRuntimeMemory    = "memory_limit_in_mb"
	headerRuntimeTimeLimit = "time_limit_in_ms"
)

// RuntimeAPIURL returns the base URL of the custom runtime API, given the
// environment: http://$SCF_RUNTIME_API:$SCF_RUNTIME_API_PORT. When the
// port is not set, SCF_RUNTIME_API is taken as host:port if it has a port,
// and port 9001 (the port community runtimes default to) is used if not.
// It returns "" when SCF_RUNTIME_API is not set.
func RuntimeAPIURL(getenv func(string) string) string {
	host, port := getenv("SCF_RUNTIME_API"), getenv("SCF_RUNTIME_API_PORT")
	switch {
	case host == "":
		return ""
	case port != "":
		return "http://" + net.JoinHostPort(host, port)
	}
	if _, _, err := net.SplitHostPort(host); err == nil {
		return "http://" + host
	}
	return "http://" + net.JoinHostPort(host, "9001")
}

// ServeRuntimeAPI serves h as an SCF custom runtime (a bootstrap), a
// client of the runtime API at baseURL (see RuntimeAPIURL), until ctx is
// done, then closes the App:
//
//  1. POST /runtime/init/ready once;
//  2. GET /runtime/invocation/next, a long poll whose body is the event
//     and whose headers request_id, memory_limit_in_mb and
//     time_limit_in_ms describe the invocation;
//  3. POST the result to /runtime/invocation/response, or the error
//     report {"errorMessage", "errorType", "stackTrace"} to
//     /runtime/invocation/error; then poll again.
//
// The paths carry no request id: the platform runs one invocation at a
// time per instance (Tencent Cloud doc 583/47274). An invocation's
// deadline is time_limit_in_ms after its event arrived. Its context is
// SCF's Context, with the function's names read from the environment
// (SCF_FUNCTIONNAME, SCF_NAMESPACE, ...). When ctx is done during an
// invocation, the invocation finishes and its result is posted first.
//
// A runtime API that answers with a status other than 2xx, or cannot be
// reached, is an error: the process should exit and let the platform start
// another.
func ServeRuntimeAPI(ctx context.Context, baseURL string, h faas.Handler) error {
	handler := NewHandler(h)
	err := runtimeLoop(ctx, strings.TrimSuffix(baseURL, "/"), handler, contextOfEnv(os.Getenv))
	return errors.Join(err, closeApp(handler.app))
}

func runtimeLoop(ctx context.Context, base string, h *Handler, env Context) error {
	client := &http.Client{}
	h.app.Logger().Info("scf: serving the custom runtime API", "url", base)
	// Posts are not cancelled by a stop signal: the platform waits for
	// them.
	post := func(path string, body []byte) error {
		req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodPost, base+path, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("scf: runtime API: %w", err)
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("scf: runtime API: POST %s: %w", path, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("scf: runtime API: POST %s: %s", path, resp.Status)
		}
		return nil
	}
	// The doc's bootstrap sample posts a single space.
	if err := post("/runtime/init/ready", []byte(" ")); err != nil {
		return err
	}
	for {
		fctx, payload, err := next(ctx, client, base, env)
		if err != nil {
			if ctx.Err() != nil {
				return nil // stopped while waiting for an event
			}
			return err
		}
		invCtx, cancel := context.WithoutCancel(ctx), context.CancelFunc(func() {})
		if fctx.TimeLimitInMs > 0 {
			invCtx, cancel = context.WithTimeout(invCtx, time.Duration(fctx.TimeLimitInMs)*time.Millisecond)
		}
		out, ierr := h.Invoke(invCtx, fctx, payload)
		cancel()
		if ierr != nil {
			err = post("/runtime/invocation/error", reportJSON(ierr))
		} else {
			err = post("/runtime/invocation/response", out)
		}
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// next long-polls for the next invocation.
func next(ctx context.Context, client *http.Client, base string, env Context) (*Context, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/runtime/invocation/next", nil)
	if err != nil {
		return nil, nil, fmt.Errorf("scf: runtime API: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("scf: runtime API: GET /runtime/invocation/next: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("scf: runtime API: GET /runtime/invocation/next: %s", resp.Status)
	}
	// One byte over the limit is enough for Invoke to report it.
	payload, err := io.ReadAll(io.LimitReader(resp.Body, MaxPayloadBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("scf: runtime API: reading the event: %w", err)
	}
	io.Copy(io.Discard, resp.Body)
	fctx := env
	fctx.RequestID = resp.Header.Get(headerRuntimeRequestID)
	fctx.MemoryLimitInMb = atoi32(resp.Header.Get(headerRuntimeMemory))
	fctx.TimeLimitInMs = atoi32(resp.Header.Get(headerRuntimeTimeLimit))
	return &fctx, payload, nil
}
