package fc

import (
	"context"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/deadline"
	"github.com/anyfaas/faas/lifecycle"
)

// Handler runs invocations of an App the way FC delivers them: Invoke takes
// one event payload in process, and ServeHTTP serves the custom runtime
// contract. It is safe for concurrent use.
type Handler struct {
	app *faas.App
}

// NewHandler returns a Handler that invokes h, served as an App (see
// faas.AsApp).
func NewHandler(h faas.Handler) *Handler {
	return &Handler{app: faas.AsApp(h)}
}

// Invoke runs one event invocation in process: it decodes the payload into
// a standard event, invokes the App with a faas.Context whose deadline is
// fcctx's and whose Origin holds the payload and fcctx, and returns what FC
// should receive as the function's result. fcctx may be nil.
//
// An HTTP trigger's event (FC 3.0 JSON event or API Gateway event) is
// answered with the trigger's response JSON, built by faas.Respond: the
// handler's errors are HTTP responses too, such as a 500. Any other event
// is answered with the result as JSON (faas.EncodeResult), and the
// handler's error is returned, for the caller to report in FC's error JSON.
// A payload that cannot be decoded is a *faas.DecodeError, and a request or
// a response over MaxPayloadBytes a *faas.LimitError; neither is a panic.
func (h *Handler) Invoke(ctx context.Context, fcctx *Context, payload []byte) (out []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, lifecycle.Recovered(v)
		}
	}()
	if len(payload) > MaxPayloadBytes {
		return nil, limitError(guessTrigger(payload), "request", len(payload))
	}
	d, err := decode(payload)
	if err != nil {
		return nil, err
	}
	var cancel context.CancelFunc
	if fcctx != nil && !fcctx.Deadline.IsZero() {
		ctx, cancel = context.WithDeadline(ctx, fcctx.Deadline)
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	defer cancel()
	inv := faas.Invocation{
		Platform:  faas.PlatformFC,
		RequestID: d.requestID,
		Event:     d.event,
		Origin:    faas.Origin{Event: payload},
	}
	if fcctx != nil {
		inv.Origin.Context = fcctx
		if fcctx.RequestID != "" {
			inv.RequestID = fcctx.RequestID
		}
	}
	fctx := h.app.NewContext(ctx, inv)
	result, ierr := deadline.Invoke(h.app, fctx, d.event)
	switch d.reply {
	case replyHTTPTrigger, replyAPIGateway:
		resp := faas.Respond(fctx, result, ierr)
		if n := len(resp.Header.Values("Set-Cookie")); n > 1 {
			deadline.Logger(h.app, fctx, ierr).Warn("fc: FC's HTTP responses carry one Set-Cookie; the others are dropped", "dropped", n-1)
		}
		if d.reply == replyHTTPTrigger {
			out = appendHTTPTriggerResponse(make([]byte, 0, 128+len(resp.Body)*4/3), resp)
		} else {
			out = appendAPIGatewayResponse(make([]byte, 0, 128+len(resp.Body)*4/3), resp)
		}
	default:
		if ierr != nil {
			return nil, ierr
		}
		if out, err = faas.EncodeResult(result); err != nil {
			return nil, err
		}
	}
	if len(out) > MaxPayloadBytes {
		return nil, limitError(d.trigger, "response", len(out))
	}
	return out, nil
}

func limitError(trigger, what string, size int) *faas.LimitError {
	return &faas.LimitError{Platform: faas.PlatformFC, Trigger: trigger, What: what, Size: size, Limit: MaxPayloadBytes}
}
