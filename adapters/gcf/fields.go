package gcf

import (
	"fmt"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// Helpers for the members of legacy events, whose decode errors name this
// platform.

func decodeError(trigger, field string, err error) *faas.DecodeError {
	return &faas.DecodeError{Platform: faas.PlatformGCF, Trigger: trigger, Field: field, Err: err}
}

func isNull(v []byte) bool { return string(v) == "null" }

// stringField returns the string a member holds; null is "".
func stringField(trigger, field string, v []byte) (string, error) {
	if isNull(v) {
		return "", nil
	}
	s, ok := jsonwire.String(v)
	if !ok {
		return "", decodeError(trigger, field, fmt.Errorf("want a string, not %s", jsonwire.Kind(v)))
	}
	return s, nil
}

// timeField returns the RFC 3339 time a member holds; null or "" is the
// zero time.
func timeField(trigger, field string, v []byte) (time.Time, error) {
	s, err := stringField(trigger, field, v)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	t, err := parseTime(s)
	if err != nil {
		return time.Time{}, decodeError(trigger, field, err)
	}
	return t, nil
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 timestamp", s)
	}
	return t, nil
}
