package fc

import (
	"bytes"
	"errors"
	"strconv"
	"strings"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/envelope"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// maxFrames bounds the stack frames of an error report.
const maxFrames = 32

// errorPayload returns FC's report of a failed invocation, the shape
// fc-runtime-go-sdk posts (fc/messages/messages.go InvokeResponse_Error):
// {"errorMessage","errorType","stackTrace":[{"path","line","label"}]}, the
// stack trace only for a panic.
func errorPayload(err error) []byte {
	r := envelope.ReportOf(err)
	b := make([]byte, 0, 64+len(r.Message))
	b = append(b, `{"errorMessage":`...)
	b = jsonwire.AppendString(b, r.Message)
	b = append(b, `,"errorType":`...)
	b = jsonwire.AppendString(b, r.Type)
	var perr *faas.PanicError
	if errors.As(err, &perr) {
		if frames := stackFrames(perr.Stack); len(frames) > 0 {
			b = append(b, `,"stackTrace":[`...)
			for i, f := range frames {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"path":`...)
				b = jsonwire.AppendString(b, f.path)
				b = append(b, `,"line":`...)
				b = strconv.AppendInt(b, int64(f.line), 10)
				b = append(b, `,"label":`...)
				b = jsonwire.AppendString(b, f.label)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
	}
	return append(b, '}')
}

type frame struct {
	path  string
	line  int
	label string
}

// stackFrames reads the frames of a runtime/debug.Stack text that follow
// the call to panic, or all of them if there is none:
//
//	goroutine 7 [running]:
//	main.f(...)
//		/src/main.go:12 +0x1d
func stackFrames(stack []byte) []frame {
	lines := strings.Split(string(bytes.TrimSpace(stack)), "\n")
	var frames []frame
	for i := 1; i+1 < len(lines); i += 2 {
		label := lines[i]
		if p := strings.LastIndexByte(label, '('); p > 0 {
			label = label[:p]
		}
		loc := strings.TrimSpace(lines[i+1])
		if sp := strings.IndexByte(loc, ' '); sp >= 0 {
			loc = loc[:sp]
		}
		path, lineText := loc, ""
		if c := strings.LastIndexByte(loc, ':'); c >= 0 {
			path, lineText = loc[:c], loc[c+1:]
		}
		line, _ := strconv.Atoi(lineText)
		if label == "panic" {
			frames = frames[:0]
			continue
		}
		frames = append(frames, frame{path: path, line: line, label: label})
	}
	if len(frames) > maxFrames {
		frames = frames[:maxFrames]
	}
	return frames
}
