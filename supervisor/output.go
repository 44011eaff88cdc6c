package supervisor

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// maxLine bounds one line of a worker's output: the rest of a longer line
// is dropped, so a worker printing without newlines cannot make the
// supervisor buffer without bound.
const maxLine = 64 << 10

// maxCrashLines bounds the crash output kept for the log: the first lines
// of a fatal error are what matter, and a goroutine dump of a big program
// can be very long.
const maxCrashLines = 400

// readLines calls line for every line of r, each at most maxLine bytes
// long, until r ends.
func readLines(r io.Reader, line func([]byte)) {
	br := bufio.NewReaderSize(r, 4096)
	var buf []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if len(chunk) > 0 && len(buf) < maxLine {
			buf = append(buf, chunk[:min(len(chunk), maxLine-len(buf))]...)
		}
		if err != nil {
			if len(buf) > 0 {
				line(buf)
			}
			return
		}
		if !isPrefix {
			line(buf)
			buf = buf[:0]
		}
	}
}

// crashMarkers start the output of a fatal error of the Go runtime or an
// unrecovered panic.
var crashMarkers = []string{"fatal error: ", "panic: ", "runtime: ", "SIGQUIT", "SIGABRT", "SIGSEGV", "unexpected fault address", "goroutine "}

// stderrLog is what a worker wrote on its standard error: its log records
// (JSON lines) are logged as they come; the output of a fatal error is
// kept for the crash report.
type stderrLog struct {
	logger *slog.Logger
	label  string

	mu      sync.Mutex // guards the fields below
	crash   []string   // lines from the first crash marker on
	lastRaw string     // the last line that was not a log record
}

// line handles one line of the worker's standard error.
func (s *stderrLog) line(b []byte) {
	if len(b) > 0 && b[0] == '{' && s.record(b) {
		return
	}
	text := strings.Map(escapeControl, string(b))
	s.mu.Lock()
	crashing := len(s.crash) > 0
	if !crashing && hasCrashMarker(text) {
		crashing = true
	}
	if crashing {
		if len(s.crash) < maxCrashLines {
			s.crash = append(s.crash, text)
		}
		s.mu.Unlock()
		return
	}
	if strings.TrimSpace(text) != "" {
		s.lastRaw = text
	}
	s.mu.Unlock()
	s.logger.Warn(text, "worker", s.label, "stream", "stderr")
}

func hasCrashMarker(line string) bool {
	for _, m := range crashMarkers {
		if strings.HasPrefix(line, m) {
			return true
		}
	}
	return false
}

// escapeControl replaces control characters, so that what service code
// prints cannot forge log lines or terminal escapes.
func escapeControl(r rune) rune {
	if r == '\t' {
		return r
	}
	if r < 0x20 || r == 0x7f {
		return '?'
	}
	return r
}

// record logs a JSON log record of the worker through the supervisor's
// logger, keeping its level, message and attributes in order. It reports
// false if b is not such a record.
func (s *stderrLog) record(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	level := slog.LevelInfo
	msg, ok := "", false
	var attrs []any
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return false
		}
		key, _ := kt.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return false
		}
		switch key {
		case slog.TimeKey:
		case slog.LevelKey:
			if str, isStr := v.(string); isStr {
				_ = level.UnmarshalText([]byte(str))
			}
		case slog.MessageKey:
			msg, ok = v.(string)
		default:
			attrs = append(attrs, key, v)
		}
	}
	if !ok {
		return false
	}
	s.logger.Log(context.Background(), level, msg, attrs...)
	return true
}

// reason is the first line of the fatal error the worker died of, without
// the runtime's "fatal error: " or "runtime: " prefix, or else the last
// line it printed, or "".
func (s *stderrLog) reason() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.crash) > 0 {
		first := s.crash[0]
		for _, p := range []string{"fatal error: ", "runtime: "} {
			first = strings.TrimPrefix(first, p)
		}
		return strings.TrimSpace(first)
	}
	return strings.TrimSpace(s.lastRaw)
}

// crashed reports whether the worker printed a fatal error.
func (s *stderrLog) crashed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.crash) > 0
}

// crashOutput is the output of the fatal error, for the log.
func (s *stderrLog) crashOutput() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.crash, "\n")
}
