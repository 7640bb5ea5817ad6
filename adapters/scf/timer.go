package scf

import (
	"fmt"
	"time"

	"github.com/anyfaas/faas"
)

// decodeTimer decodes a timer event (Tencent Cloud doc 583/31927,
// "Event Message Structure for Timer Trigger"; scf-go-lib events/timer.go):
//
//	{"Type": "Timer", "TriggerName": "EveryDay",
//	 "Time": "2019-02-21T11:49:00Z", "Message": "user define msg body"}
//
// Message, the payload configured on the trigger, becomes Payload.
func decodeTimer(m *members) (*faas.TimerEvent, error) {
	const trig = faas.TriggerTimer
	name, err := optString(trig, "TriggerName", m.triggerName)
	if err != nil {
		return nil, err
	}
	at, err := optString(trig, "Time", m.time)
	if err != nil {
		return nil, err
	}
	msg, err := optString(trig, "Message", m.message)
	if err != nil {
		return nil, err
	}
	ev := &faas.TimerEvent{Name: name, Payload: msg}
	if at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return nil, decodeError(trig, "Time", fmt.Errorf("not an RFC 3339 time: %w", err))
		}
		ev.Time = t
	}
	return ev, nil
}
