package aws

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/anyfaas/faas/emulator"
)

// InvokeHandler returns the front door of the Runtime Interface Emulator
// (RIE), for tools that invoke a function as they invoke one in a Lambda
// container image: POST /2015-03-31/functions/function/invocations (or
// with the function's name in place of "function") with the event as its
// body. The response is the Lambda Invoke API's for a RequestResponse
// invocation: 200 with the function's response and the Content-Type the
// runtime gave it, or with the error envelope and X-Amz-Function-Error:
// Unhandled; X-Amzn-Requestid names the invocation. X-Amz-Client-Context
// (base64 JSON) and X-Amzn-Trace-Id reach the runtime as
// Lambda-Runtime-Client-Context and Lambda-Runtime-Trace-Id. An event over
// MaxPayload is a 413 RequestEntityTooLargeException; X-Amz-Invocation-Type
// DryRun is a 204. Unlike RIE, a timeout answers with Lambda's
// Sandbox.Timedout envelope rather than a bare "Task timed out after N.00
// seconds".
func (e *Emulator) InvokeHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{function}/invocations", e.serveInvoke)
	return mux
}

func (e *Emulator) serveInvoke(w http.ResponseWriter, r *http.Request) {
	if name := r.PathValue("function"); name != "function" && name != e.f.Name && name != e.functionARN() {
		writeAPIError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name)
		return
	}
	switch r.Header.Get("X-Amz-Invocation-Type") {
	case "", "RequestResponse":
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		writeAPIError(w, http.StatusBadRequest, "InvalidParameterValueException",
			"the emulator runs RequestResponse and DryRun invocations only")
		return
	}
	event, err := io.ReadAll(io.LimitReader(r.Body, MaxPayload+1))
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestContentException", "reading the request body: "+err.Error())
		return
	}
	if len(event) > MaxPayload {
		writeAPIError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException",
			fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", MaxPayload))
		return
	}
	c := call{traceID: r.Header.Get("X-Amzn-Trace-Id")}
	if v := r.Header.Get("X-Amz-Client-Context"); v != "" {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			writeAPIError(w, http.StatusBadRequest, "InvalidRequestContentException",
				"X-Amz-Client-Context must be base64-encoded JSON")
			return
		}
		c.clientContext = string(b)
	}
	inv, err := e.start(r.Context(), event, c)
	if err != nil {
		switch {
		case errors.Is(err, emulator.ErrClosed):
			writeAPIError(w, http.StatusServiceUnavailable, "ServiceException", err.Error())
		case r.Context().Err() != nil: // the client went away
		default:
			writeAPIError(w, http.StatusInternalServerError, "ServiceException", err.Error())
		}
		return
	}
	select {
	case <-inv.done:
	case <-r.Context().Done():
		return
	}
	res := inv.result
	h := w.Header()
	h.Set("X-Amzn-Requestid", res.RequestID)
	h.Set("X-Amz-Executed-Version", version)
	if res.Error != nil {
		h.Set("X-Amz-Function-Error", "Unhandled")
	}
	ct := inv.contentType
	if ct == "" {
		ct = "application/json"
	}
	h.Set("Content-Type", ct)
	w.WriteHeader(http.StatusOK)
	w.Write(res.Payload)
}

// writeAPIError writes an error of the Lambda API: the X-Amzn-ErrorType
// header and {"Type","message"}.
func writeAPIError(w http.ResponseWriter, status int, typ, msg string) {
	who := "User"
	if status >= 500 {
		who = "Service"
	}
	b, _ := json.Marshal(struct {
		Type    string `json:"Type"`
		Message string `json:"message"`
	}{who, msg})
	h := w.Header()
	h.Set("X-Amzn-Errortype", typ)
	h.Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
