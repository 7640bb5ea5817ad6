package scf_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anyfaas/faas/adapters/scf"
	"github.com/anyfaas/faas/internal/adaptertest"
)

// With 1 % of 10 000 invocations panicking, the Go runtime's RPC server
// reports every panic in InvokeResponse.Error as a PanicError, without
// ShouldExit, answers every other invocation with its own result, and
// keeps serving.
func TestRPCPanicsUnderLoad(t *testing.T) {
	client, stop := serveRPC(t, adaptertest.Numbered())
	adaptertest.Spread(t, adaptertest.Total(), 4, func(n int) string {
		req := wireRequest{
			Payload: fmt.Appendf(nil, `{"n":%d}`, n), RequestId: "req-" + strconv.Itoa(n),
			Deadline: wireTimestamp{Seconds: time.Now().Add(time.Minute).Unix()},
		}
		var resp wireResponse
		if err := client.Call("Function.Invoke", req, &resp); err != nil {
			return fmt.Sprintf("%d: %v", n, err)
		}
		if n%100 == 0 {
			if e := resp.Error; e == nil || e.Type != "PanicError" || e.ShouldExit || !strings.Contains(e.Message, fmt.Sprintf("panic %d", n)) {
				return fmt.Sprintf("%d: the panic was reported as %+v", n, e)
			}
			return ""
		}
		if resp.Error != nil || string(resp.Payload) != fmt.Sprintf(`{"n":%d}`, n) {
			return fmt.Sprintf("%d: answered %s, %+v", n, resp.Payload, resp.Error)
		}
		return ""
	})
	if err := stop(); err != nil {
		t.Errorf("ServeRPC = %v", err)
	}
}

// The same through a web function's handler, eight requests at once: a
// panic is a 500 that does not show it, every other request gets its own
// answer.
func TestWebPanicsUnderLoad(t *testing.T) {
	h := scf.NewHandler(adaptertest.Numbered())
	adaptertest.Spread(t, adaptertest.Total(), 8, func(n int) string {
		r := httptest.NewRequest(http.MethodGet, "/"+strconv.Itoa(n), nil)
		r.Header.Set("X-Scf-Request-Id", "req-"+strconv.Itoa(n))
		r.Header.Set("X-Scf-Timeout", "60000")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if n%100 == 0 {
			if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "panic") {
				return fmt.Sprintf("%d: the panic was answered %d %s", n, w.Code, w.Body)
			}
			return ""
		}
		if w.Code != http.StatusOK || w.Body.String() != fmt.Sprintf(`{"n":%d}`, n) {
			return fmt.Sprintf("%d: answered %d %s", n, w.Code, w.Body)
		}
		return ""
	})
}
