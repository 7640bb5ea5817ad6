package faastest

import (
	"fmt"

	"github.com/anyfaas/faas/catalog"
)

// Event returns a real native event of a platform ("aws", "fc", "scf",
// "gcf", "web") and trigger ("http", "timer", "storage", "message", "log",
// or a source's own trigger such as "dynamodb"), with overrides applied:
// the first sample package catalog lists for them (catalog.Find), which is
// the source the platform most commonly delivers, such as API Gateway's
// HTTP API for aws and http. Overrides are catalog.Event's: semantic keys
// such as "path", "body", "bucket" or "header.X-Name", and JSON pointers
// such as "/requestContext/stage".
//
// The event is the platform's payload, for a test that runs an adapter in
// process (aws.NewHandler(app).Invoke, fc.NewHandler(app).Invoke, …) the
// way the platform calls it. To name a sample, such as "aws/alb", call
// catalog.Event instead. An unknown platform or trigger, an unknown key
// and a value of the wrong form are errors wrapping catalog.ErrNotFound,
// catalog.ErrUnknownKey and catalog.ErrInvalidValue.
func Event(platform, trigger string, overrides map[string]string) ([]byte, error) {
	entries, err := catalog.Find(platform, trigger)
	if err != nil {
		return nil, fmt.Errorf("faastest: %w", err)
	}
	b, err := catalog.Event(entries[0].Name, overrides)
	if err != nil {
		return nil, fmt.Errorf("faastest: %w", err)
	}
	return b, nil
}
