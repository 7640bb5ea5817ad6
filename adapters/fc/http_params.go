package fc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/deadline"
	"github.com/anyfaas/faas/lifecycle"
)

// headerHTTPParams carries an FC 2.0 HTTP function's request and response
// on the runtime API (fc-runtime-go-sdk fc/http_handler.go and
// fc/http_handler_response.go): the body travels raw and this header holds
// the rest, as base64 of JSON.
const headerHTTPParams = "X-Fc-Http-Params"

// httpParams is the request's x-fc-http-params.
type httpParams struct {
	Path       string              `json:"path"`
	Method     string              `json:"method"`
	RequestURI string              `json:"requestURI"`
	ClientIP   string              `json:"clientIP"`
	Host       string              `json:"host"`
	QueriesMap map[string][]string `json:"queriesMap"`
	HeadersMap map[string][]string `json:"headersMap"`
}

// responseParams is the response's x-fc-http-params: the status and every
// header value.
type responseParams struct {
	Status     int                 `json:"status"`
	HeadersMap map[string][]string `json:"headersMap"`
}

// invokeHTTPParams runs an FC 2.0 HTTP function's invocation: params is the
// request's x-fc-http-params and body the raw request body. It returns the
// raw response body and the response's x-fc-http-params.
func (h *Handler) invokeHTTPParams(ctx context.Context, fcctx *Context, params string, body []byte) (out []byte, outParams string, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, outParams, err = nil, "", lifecycle.Recovered(v)
		}
	}()
	req, err := decodeHTTPParams(params, body)
	if err != nil {
		return nil, "", err
	}
	if len(body) > MaxPayloadBytes {
		return nil, "", limitError(faas.TriggerHTTP, "request body", len(body))
	}
	if fcctx != nil && !fcctx.Deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, fcctx.Deadline)
		defer cancel()
	}
	inv := faas.Invocation{Platform: faas.PlatformFC, Event: req}
	if fcctx != nil {
		inv.RequestID, inv.Origin.Context = fcctx.RequestID, fcctx
	}
	fctx := h.app.NewContext(ctx, inv)
	result, ierr := deadline.Invoke(h.app, fctx, req)
	resp := faas.Respond(fctx, result, ierr)
	if len(resp.Body) > MaxPayloadBytes {
		return nil, "", limitError(faas.TriggerHTTP, "response body", len(resp.Body))
	}
	rp := responseParams{Status: status(resp), HeadersMap: resp.Header}
	if rp.HeadersMap == nil {
		rp.HeadersMap = http.Header{}
	}
	js, err := json.Marshal(rp)
	if err != nil {
		return nil, "", fmt.Errorf("fc: encoding x-fc-http-params: %w", err)
	}
	return resp.Body, base64.StdEncoding.EncodeToString(js), nil
}

func decodeHTTPParams(params string, body []byte) (*faas.HTTPRequest, error) {
	const (
		trigger = faas.TriggerHTTP
		field   = "x-fc-http-params"
	)
	js, err := base64.StdEncoding.DecodeString(params)
	if err != nil {
		return nil, decodeError(trigger, field, fmt.Errorf("invalid base64: %w", err))
	}
	var p httpParams
	if err := json.Unmarshal(js, &p); err != nil {
		return nil, jsonError(trigger, field, js, err)
	}
	if p.Method == "" {
		return nil, decodeError(trigger, field+".method", fmt.Errorf("is missing"))
	}
	req := &faas.HTTPRequest{
		Method:   strings.ToUpper(p.Method),
		Path:     p.Path,
		Query:    url.Values(p.QueriesMap),
		Header:   make(http.Header, len(p.HeadersMap)),
		Body:     body,
		Host:     p.Host,
		SourceIP: p.ClientIP,
	}
	for k, vs := range p.HeadersMap {
		k = textproto.CanonicalMIMEHeaderKey(k)
		req.Header[k] = append(req.Header[k], vs...)
	}
	if req.Path == "" || req.Query == nil {
		u, err := url.ParseRequestURI(p.RequestURI)
		if err != nil && req.Path == "" {
			return nil, decodeError(trigger, field+".requestURI", err)
		}
		if err == nil {
			if req.Path == "" {
				req.Path = u.Path
			}
			if req.Query == nil {
				req.Query = u.Query()
			}
		}
	}
	if req.Query == nil {
		req.Query = url.Values{}
	}
	req.Path = rootPath(req.Path)
	return req, nil
}
