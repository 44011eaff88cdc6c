package interp

import (
	"bytes"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// escapeControl replaces the control characters of a printed line, so
// that service code cannot forge log lines or send terminal escapes.
func escapeControl(r rune) rune {
	if r == '\t' {
		return r
	}
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
		return '?'
	}
	return r
}

// maxPrintLine bounds the text service code prints without a newline
// that a lineWriter keeps: past it, the text is logged as a line.
const maxPrintLine = 64 << 10

// lineWriter sends what interpreted code prints to the logger, a line at a
// time, with the package's real file names.
type lineWriter struct {
	logger      *slog.Logger
	pkg, stream string
	paths       *strings.Replacer // see realPaths
	// panics, if set, sees every line, for the position of a panic.
	panics *panicRecorder

	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

var _ io.Writer = (*lineWriter)(nil)

// Write implements io.Writer. It is safe for concurrent use.
func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			w.buf.WriteString(line)
			if w.buf.Len() < maxPrintLine {
				break
			}
			// Text printed without a newline is logged once it is long
			// enough, so that it is never kept without bound.
			line = w.buf.String()
			w.buf.Reset()
		}
		line = strings.TrimRight(line, "\n")
		if w.paths != nil {
			line = w.paths.Replace(line)
		}
		// The interpreter names the functions it reports panics in; a
		// service's is named as written.
		line = strings.ReplaceAll(line, "."+ImplPrefix, ".")
		w.panics.line(line)
		w.logger.Info(strings.Map(escapeControl, line), "package", w.pkg, "stream", w.stream)
	}
	return len(p), nil
}
