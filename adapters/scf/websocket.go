package scf

import (
	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// decodeWebSocket checks an API Gateway WebSocket event (Tencent Cloud doc
// "API Gateway Trigger / WebSocket: How It Works"; scf-go-lib
// cloudevents/scf/apigw.go):
//
//	{"requestContext": {...}, "websocket": {"action": "connecting",
//	 "secConnectionID": "...", ...}}
//
// and returns it as a raw event of trigger "websocket" whose Kind is the
// action: "connecting", "data send", "data recv" or "closing". The
// handler's result is sent as JSON as it is; for "connecting" API Gateway
// expects {"errNo": 0, "errMsg": "ok", "websocket": {...}}.
func decodeWebSocket(m *members, payload []byte) (*faas.RawEvent, error) {
	if len(m.websocket) == 0 || m.websocket[0] != '{' {
		return nil, wrongType(triggerWebSocket, "websocket", m.websocket, "object")
	}
	action, err := optString(triggerWebSocket, "websocket.action", jsonwire.Member(m.websocket, "action"))
	if err != nil {
		return nil, err
	}
	return &faas.RawEvent{Trigger: triggerWebSocket, Kind: action, JSON: payload}, nil
}
