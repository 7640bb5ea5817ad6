package logging

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/lambdalog"
	"github.com/anyfaas/faas/internal/redact"
)

// A shape is how one platform's log service reads a line. Every shape is
// one line per record, JSON where the platform parses JSON:
//
//	aws  {"timestamp","level","message",...}: Lambda's JSON log format, whose
//	     "level" and RFC 3339 "timestamp" Lambda's log-level filtering reads
//	     (internal/lambdalog, which the App's default logger uses on aws too).
//	fc   <time> <requestId> [LEVEL] {"message",...}: the line prefix of FC's
//	     own Go logger (aliyun/fc-runtime-go-sdk fccontext/fc_logger.go), then
//	     the record as JSON, for SLS to search and parse.
//	scf  {"time","level","message",...} with every value at the top level: SCF
//	     makes each top-level string or number field of a JSON line a CLS
//	     field, and ignores the rest (Tencent Cloud SCF docs 583/18032,
//	     "Custom log fields"), so groups become dotted keys and other values
//	     strings.
//	gcf  {"time","severity","message","logging.googleapis.com/trace",...}:
//	     Cloud Logging's structured logging special fields (Google Cloud,
//	     "Structured logging").
//	web  {"time","level","msg",...}: log/slog's JSON shape.
type shape struct {
	platform   string
	timeKey    string // "" writes the time in the prefix (fc)
	timeFormat string
	levelKey   string
	levelName  func(slog.Level) string
	messageKey string
	// The keys quoted, with their colon, as encoder.name writes them.
	qTime, qLevel, qMessage string

	prefix bool // fc: <time> <requestId> [LEVEL] before the JSON
	flat   bool // scf: top-level strings and numbers only
	cloud  bool // gcf: trace fields and labels
}

// millis is RFC 3339 in UTC, in milliseconds: Lambda's layout
// (lambdalog.TimeFormat), FC's and SCF's.
const millis = lambdalog.TimeFormat

var shapes = map[string]*shape{
	faas.PlatformAWS: {platform: faas.PlatformAWS, timeKey: lambdalog.TimeKey, timeFormat: lambdalog.TimeFormat,
		levelKey: lambdalog.LevelKey, levelName: lambdalog.Level, messageKey: lambdalog.MessageKey},
	faas.PlatformFC: {platform: faas.PlatformFC, timeFormat: millis,
		levelName: plainLevel, messageKey: "message", prefix: true},
	faas.PlatformSCF: {platform: faas.PlatformSCF, timeKey: "time", timeFormat: millis,
		levelKey: "level", levelName: plainLevel, messageKey: "message", flat: true},
	faas.PlatformGCF: {platform: faas.PlatformGCF, timeKey: "time", timeFormat: time.RFC3339Nano,
		levelKey: "severity", levelName: cloudSeverity, messageKey: "message", cloud: true},
	faas.PlatformWeb: {platform: faas.PlatformWeb, timeKey: "time", timeFormat: time.RFC3339Nano,
		levelKey: "level", levelName: slog.Level.String, messageKey: "msg"},
}

func init() {
	for _, sh := range shapes {
		sh.qTime, sh.qLevel, sh.qMessage = `"`+sh.timeKey+`":`, `"`+sh.levelKey+`":`, `"`+sh.messageKey+`":`
	}
}

// shapeOf returns the shape of platform, or web's for one it does not
// know (such as faastest's "test").
func shapeOf(platform string) *shape {
	if s := shapes[platform]; s != nil {
		return s
	}
	return shapes[faas.PlatformWeb]
}

// plainLevel names the four levels FC's logger and SCF's Log4J levels
// share.
func plainLevel(l slog.Level) string {
	switch {
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARN"
	}
	return "ERROR"
}

// cloudSeverity names Cloud Logging's LogSeverity values.
func cloudSeverity(l slog.Level) string {
	switch {
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARNING"
	case l < slog.LevelError+4:
		return "ERROR"
	}
	return "CRITICAL"
}

// invocation is what a record says of the invocation it belongs to.
type invocation struct {
	requestID, function, platform, trigger string
	// trace is Cloud Logging's trace resource name, spanID a hex span id.
	trace, spanID string
	sampled       bool
}

// NewHandler returns a slog.Handler that writes each record to w as one
// line in platform's log shape (see the package documentation); "" means
// the platform faas.Detect names from the environment. It is what the
// logging layer writes with, for an App's own logger:
//
//	faas.New(faas.WithLogger(slog.New(logging.NewHandler(os.Stderr, "", nil))))
//
// opts may be nil; its Level and AddSource are honoured, its ReplaceAttr is
// not. The handler is safe for concurrent use; each record is one Write.
func NewHandler(w io.Writer, platform string, opts *slog.HandlerOptions) slog.Handler {
	if platform == "" {
		platform, _, _, _ = faas.Detect(os.Getenv)
	}
	var o slog.HandlerOptions
	if opts != nil {
		o = *opts
	}
	if o.Level == nil {
		o.Level = slog.LevelInfo
	}
	return &handler{shape: shapeOf(platform), w: w, mu: new(sync.Mutex), level: o.Level, source: o.AddSource,
		scopes: []scope{{}}}
}

// handler writes records in a shape. Its attributes and groups are kept as
// they were given and encoded with each record.
type handler struct {
	shape  *shape
	w      io.Writer
	mu     *sync.Mutex // shared by the handlers derived from one
	level  slog.Leveler
	source bool
	inv    *invocation
	// scopes[0] holds the attributes outside any group; each later scope
	// is a group, with the attributes given inside it.
	scopes []scope
}

type scope struct {
	group string
	attrs []slog.Attr
}

func (h *handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	c := *h
	c.scopes = append([]scope(nil), h.scopes...)
	last := &c.scopes[len(c.scopes)-1]
	last.attrs = append(append([]slog.Attr(nil), last.attrs...), attrs...)
	return &c
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.scopes = append(append([]scope(nil), h.scopes...), scope{group: name})
	return &c
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func (h *handler) Handle(_ context.Context, r slog.Record) error {
	return h.write(func(b []byte) []byte { return h.appendRecord(b, r) })
}

// write writes the line add appends to a pooled buffer, in one Write.
func (h *handler) write(add func([]byte) []byte) error {
	bp := bufPool.Get().(*[]byte)
	b := add((*bp)[:0])
	h.mu.Lock()
	_, err := h.w.Write(b)
	h.mu.Unlock()
	if cap(b) <= 64<<10 {
		*bp = b
		bufPool.Put(bp)
	}
	return err
}

func (h *handler) appendRecord(b []byte, r slog.Record) []byte {
	e := h.appendHead(b, h.inv, r.Time, r.Level, r.Message)
	if h.source && r.PC != 0 {
		h.appendSource(&e, r.PC)
	}
	h.appendAttrs(&e, r)
	return append(e.b, '}', '\n')
}

// outcome is what the invocation line says of an invocation besides what
// every line says.
type outcome struct {
	duration  time.Duration
	coldStart bool
	status    int    // 0 for none
	failed    bool   // with an error, whose text is err
	err       string //
	stack     string // a panic's, or ""
}

// appendInvocation appends the invocation line of inv, as appendRecord of
// a handler of inv with no attributes of its own appends a record of it
// with the attributes durationMs, coldStart, status (if not 0), error
// (if it failed) and stack (if set), without building the record.
func (h *handler) appendInvocation(b []byte, inv *invocation, t time.Time, level slog.Level, o outcome) []byte {
	e := h.appendHead(b, inv, t, level, "invocation")
	e.name(`"durationMs":`)
	e.b = appendMillis(e.b, o.duration)
	e.name(`"coldStart":`)
	e.value(slog.BoolValue(o.coldStart))
	if o.status != 0 {
		e.name(`"status":`)
		e.value(slog.IntValue(o.status))
	}
	if o.failed {
		e.name(`"error":`)
		e.str(o.err)
	}
	if o.stack != "" {
		e.name(`"stack":`)
		e.str(o.stack)
	}
	return append(e.b, '}', '\n')
}

// appendMillis appends d as a number of milliseconds, to the microsecond,
// as strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'g', -1, 64)
// does (log/slog's JSON number): for d from 0 to under 10^6 ms, whose
// shortest decimal is written without an exponent, that is its digits
// with the fraction's trailing zeros left out, appended here without
// converting to a float and back.
func appendMillis(b []byte, d time.Duration) []byte {
	us := d.Microseconds()
	if us < 0 || us >= 1e9 {
		return strconv.AppendFloat(b, float64(us)/1000, 'g', -1, 64)
	}
	b = strconv.AppendInt(b, us/1000, 10)
	frac, width := int(us%1000), 3
	if frac == 0 {
		return b
	}
	for frac%10 == 0 {
		frac, width = frac/10, width-1
	}
	return appendDigits(append(b, '.'), frac, width)
}

// appendHead appends a line's prefix and the members every line of the
// shape has, and returns the encoder of the object they open.
func (h *handler) appendHead(b []byte, inv *invocation, t time.Time, l slog.Level, msg string) encoder {
	sh := h.shape
	if inv == nil {
		inv = &invocation{}
	}
	level := sh.levelName(l)
	if sh.prefix {
		if t.IsZero() {
			t = time.Now()
		}
		b = appendTime(b, t, sh.timeFormat)
		b = append(b, ' ')
		if inv.requestID != "" {
			b = append(b, inv.requestID...)
			b = append(b, ' ')
		}
		b = append(b, '[')
		b = append(b, level...)
		b = append(b, "] "...)
	}
	e := encoder{b: append(b, '{'), flat: sh.flat}
	if sh.timeKey != "" && !t.IsZero() {
		e.name(sh.qTime)
		// The time formats need no escaping.
		e.b = append(appendTime(append(e.b, '"'), t, sh.timeFormat), '"')
	}
	if sh.levelKey != "" {
		e.name(sh.qLevel)
		e.str(level)
	}
	e.name(sh.qMessage)
	e.str(msg)
	if inv.requestID != "" && !sh.prefix {
		e.name(`"requestId":`)
		e.str(inv.requestID)
	}
	e.nonEmpty(`"function":`, inv.function)
	e.nonEmpty(`"platform":`, inv.platform)
	e.nonEmpty(`"trigger":`, inv.trigger)
	if sh.cloud {
		if inv.trace != "" {
			e.name(`"logging.googleapis.com/trace":`)
			e.str(inv.trace)
			e.nonEmpty(`"logging.googleapis.com/spanId":`, inv.spanID)
			e.name(`"logging.googleapis.com/trace_sampled":`)
			e.b = strconv.AppendBool(e.b, inv.sampled)
		}
		if inv.requestID != "" {
			// functions-framework-go labels its lines the same way.
			e.name(`"logging.googleapis.com/labels":`)
			e.b = append(e.b, `{"execution_id":`...)
			e.str(inv.requestID)
			e.b = append(e.b, '}')
		}
	}
	return e
}

func (h *handler) appendSource(e *encoder, pc uintptr) {
	f, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	if h.shape.cloud {
		e.name(`"logging.googleapis.com/sourceLocation":`)
		e.b = append(e.b, `{"file":`...)
		e.str(f.File)
		e.b = append(e.b, `,"line":"`...)
		e.b = strconv.AppendInt(e.b, int64(f.Line), 10)
		e.b = append(e.b, `","function":`...)
		e.str(f.Function)
		e.b = append(e.b, '}')
		return
	}
	if e.flat {
		e.name(`"source":`)
		e.str(fmt.Sprintf("%s:%d", f.File, f.Line))
		return
	}
	e.name(`"source":`)
	e.b = append(e.b, `{"function":`...)
	e.str(f.Function)
	e.b = append(e.b, `,"file":`...)
	e.str(f.File)
	e.b = append(e.b, `,"line":`...)
	e.b = strconv.AppendInt(e.b, int64(f.Line), 10)
	e.b = append(e.b, '}')
}

// appendAttrs writes the handler's attributes and the record's, each group
// an object (a key prefix in flat shapes). A group left with no
// attributes is not written.
func (h *handler) appendAttrs(e *encoder, r slog.Record) {
	// last is the deepest scope holding an attribute: the groups past it
	// are empty.
	last := -1
	if r.NumAttrs() > 0 {
		last = len(h.scopes) - 1
	} else {
		for i := len(h.scopes) - 1; i >= 0; i-- {
			if len(h.scopes[i].attrs) > 0 {
				last = i
				break
			}
		}
	}
	opened := 0
	for i := 0; i <= last; i++ {
		s := h.scopes[i]
		if i > 0 {
			e.open(s.group)
			opened++
		}
		for _, a := range s.attrs {
			e.attr(a)
		}
		if i == len(h.scopes)-1 {
			r.Attrs(func(a slog.Attr) bool { e.attr(a); return true })
		}
	}
	for range opened {
		e.close()
	}
}

// encoder appends a JSON object's members. In flat mode groups become
// dotted key prefixes and values other than strings and numbers become
// strings.
type encoder struct {
	b      []byte
	flat   bool
	prefix []string // the open groups, in flat mode
}

// name writes the key of a member the handler itself writes, outside any
// group, given quoted and with its colon (`"level":`): a constant with
// nothing to escape, so written as is, without the escaping or the group
// prefix key looks at.
func (e *encoder) name(quoted string) {
	if e.b[len(e.b)-1] != '{' { // no JSON value ends with '{'
		e.b = append(e.b, ',')
	}
	e.b = append(e.b, quoted...)
}

// nonEmpty writes the member of the quoted key (as name takes it) with the
// string v, unless v is empty.
func (e *encoder) nonEmpty(quoted, v string) {
	if v != "" {
		e.name(quoted)
		e.str(v)
	}
}

func (e *encoder) key(k string) {
	if e.b[len(e.b)-1] != '{' { // no JSON value ends with '{'
		e.b = append(e.b, ',')
	}
	if e.flat && len(e.prefix) > 0 {
		full := ""
		for _, p := range e.prefix {
			full += p + "."
		}
		k = full + k
	}
	e.str(k)
	e.b = append(e.b, ':')
}

func (e *encoder) open(group string) {
	if e.flat {
		e.prefix = append(e.prefix, group)
		return
	}
	e.key(group)
	e.b = append(e.b, '{')
}

func (e *encoder) close() {
	if e.flat {
		e.prefix = e.prefix[:len(e.prefix)-1]
		return
	}
	e.b = append(e.b, '}')
}

func (e *encoder) attr(a slog.Attr) {
	v := a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if v.Kind() == slog.KindGroup {
		attrs := v.Group()
		if len(attrs) == 0 {
			return
		}
		if a.Key != "" {
			e.open(a.Key)
		}
		for _, ga := range attrs {
			e.attr(ga)
		}
		if a.Key != "" {
			e.close()
		}
		return
	}
	if a.Key == "" {
		return
	}
	e.key(a.Key)
	e.value(v)
}

func (e *encoder) value(v slog.Value) {
	switch v.Kind() {
	case slog.KindString:
		e.str(v.String())
	case slog.KindInt64:
		e.b = strconv.AppendInt(e.b, v.Int64(), 10)
	case slog.KindUint64:
		e.b = strconv.AppendUint(e.b, v.Uint64(), 10)
	case slog.KindFloat64:
		f := v.Float64()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			e.str(strconv.FormatFloat(f, 'g', -1, 64))
			return
		}
		e.b = strconv.AppendFloat(e.b, f, 'g', -1, 64)
	case slog.KindBool:
		if e.flat {
			e.str(strconv.FormatBool(v.Bool()))
			return
		}
		e.b = strconv.AppendBool(e.b, v.Bool())
	case slog.KindDuration:
		// As log/slog's JSON handler: nanoseconds.
		e.b = strconv.AppendInt(e.b, int64(v.Duration()), 10)
	case slog.KindTime:
		e.str(v.Time().Format(time.RFC3339Nano))
	default:
		e.any(redact.Value(v.Any()))
	}
}

// any writes a value of no slog kind: an error as its text, a
// json.Marshaler or anything encoding/json takes as its JSON (a string in
// flat mode, unless a string or number), anything else as fmt's %+v.
func (e *encoder) any(x any) {
	if err, ok := x.(error); ok {
		if _, marshals := x.(json.Marshaler); !marshals {
			e.str(err.Error())
			return
		}
	}
	js, err := json.Marshal(x)
	if err != nil {
		e.str(fmt.Sprintf("%+v", x))
		return
	}
	if e.flat && len(js) > 0 && (js[0] == '{' || js[0] == '[' || js[0] == 't' || js[0] == 'f' || js[0] == 'n') {
		e.str(string(js))
		return
	}
	e.b = append(e.b, js...)
}

// plain is the bytes str writes as they are: printable ASCII but for the
// quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plain8 reports whether the 8 bytes of s are all plain, 8 at a time: a
// byte is not plain if its top bit is set (0x80 up), it is below 0x20, or
// it is '"' or '\\'. Each test sets a byte's top bit where it finds one;
// below and the equalities are exact on bytes below 0x80.
func plain8(s string) bool {
	const ones, tops = 0x0101010101010101, 0x8080808080808080
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	zero := func(y uint64) uint64 { return (y - ones) &^ y } // top bit of each zero byte
	below := (x - 0x20*ones) &^ x
	return (x|below|zero(x^'"'*ones)|zero(x^'\\'*ones))&tops == 0
}

// str writes s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced.
func (e *encoder) str(s string) {
	const hex = "0123456789abcdef"
	e.b = append(e.b, '"')
	for i := 0; i < len(s); {
		// The run of bytes that need no escaping, appended at once.
		j := i
		for j+8 <= len(s) && plain8(s[j:j+8]) {
			j += 8
		}
		for j < len(s) && plain[s[j]] {
			j++
		}
		e.b = append(e.b, s[i:j]...)
		if i = j; i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				e.b = append(e.b, '\\', c)
			case c == '\n':
				e.b = append(e.b, '\\', 'n')
			case c == '\r':
				e.b = append(e.b, '\\', 'r')
			case c == '\t':
				e.b = append(e.b, '\\', 't')
			default: // another control character
				e.b = append(e.b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			e.b = append(e.b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			e.b = append(e.b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			e.b = append(e.b, s[i:i+size]...)
		}
		i += size
	}
	e.b = append(e.b, '"')
}

// appendTime appends t in UTC in layout, which is millis or
// time.RFC3339Nano, as t.UTC().AppendFormat(b, layout) does, without its
// parsing of the layout: a line's time costs a tenth as much. A year
// outside 0–9999 is left to AppendFormat.
//
// The date and time of day, which take the calendar to work out, are kept
// for the last second written: most lines fall in the second of the line
// before. Lines of other seconds in turn (records timed earlier) work them
// out each time, and replace the kept second (an allocation).
func appendTime(b []byte, t time.Time, layout string) []byte {
	t = t.UTC()
	if layout != millis && layout != time.RFC3339Nano {
		return t.AppendFormat(b, layout)
	}
	unix := t.Unix()
	s := lastSecond.Load()
	if s == nil || s.unix != unix {
		year, month, day := t.Date()
		if year < 0 || year > 9999 {
			return t.AppendFormat(b, layout)
		}
		hour, minute, sec := t.Clock()
		s = &second{unix: unix}
		d := appendDigits(s.text[:0], year, 4)
		d = append(d, '-')
		d = appendDigits(d, int(month), 2)
		d = append(d, '-')
		d = appendDigits(d, day, 2)
		d = append(d, 'T')
		d = appendDigits(d, hour, 2)
		d = append(d, ':')
		d = appendDigits(d, minute, 2)
		d = append(d, ':')
		appendDigits(d, sec, 2) // fills s.text
		lastSecond.Store(s)
	}
	b = append(b, s.text[:]...)
	ns := t.Nanosecond()
	if layout == millis {
		b = append(b, '.')
		b = appendDigits(b, ns/1e6, 3)
		return append(b, 'Z')
	}
	if ns != 0 { // RFC3339Nano: the fraction without trailing zeros
		digits := 9
		for ns%10 == 0 {
			ns /= 10
			digits--
		}
		b = append(b, '.')
		b = appendDigits(b, ns, digits)
	}
	return append(b, 'Z')
}

// A second is a second since the Unix epoch, in UTC as
// "2006-01-02T15:04:05".
type second struct {
	unix int64
	text [len("2006-01-02T15:04:05")]byte
}

// lastSecond is the second appendTime wrote last.
var lastSecond atomic.Pointer[second]

// appendDigits appends n, 0 ≤ n < 10^width, in width decimal digits.
func appendDigits(b []byte, n, width int) []byte {
	start := len(b)
	for range width {
		b = append(b, '0')
	}
	for i := len(b) - 1; i >= start && n > 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return b
}
