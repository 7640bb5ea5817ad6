package scf

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"sync"
)

// maxLogLine bounds a platform log line: SCF cuts each log at 8 KB (doc
// "Log Delivery Configuration", "Use Limits").
const maxLogLine = 8 << 10

// logWriter is Function.Log made safe for the process's output and the
// platform's lines to share: one Write at a time.
type logWriter struct {
	mu sync.Mutex
	w  io.Writer // nil discards
}

// Write writes p to the function's log.
func (l *logWriter) Write(p []byte) (int, error) {
	if l.w == nil {
		return len(p), nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// logf writes one platform line, cut at maxLogLine.
func (e *Emulator) logf(format string, args ...any) {
	if e.log.w == nil {
		return
	}
	line := fmt.Sprintf(format, args...)
	if len(line) > maxLogLine {
		line = strings.ToValidUTF8(line[:maxLogLine], "")
	}
	line = strings.ReplaceAll(line, "\n", " ")
	e.log.Write([]byte(line + "\n"))
}

// newRequestID returns a random request id in SCF's form, a UUID
// ("09c346d3-8417-49c5-8569-c55033b17f51").
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
