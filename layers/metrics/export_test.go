package metrics

import "time"

// WithClock makes the layer read the time from now, for tests.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }
