package interp

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestLineWriterBounded: what service code prints is logged line by line,
// and text without a newline is logged once it reaches maxPrintLine, so it
// is never kept without bound.
func TestLineWriterBounded(t *testing.T) {
	var out bytes.Buffer
	w := &lineWriter{logger: slog.New(slog.NewTextHandler(&out, nil)), pkg: "p", stream: "stdout"}
	w.Write([]byte("one\ntw"))
	w.Write([]byte("o\n"))
	if got := strings.Count(out.String(), "msg="); got != 2 {
		t.Fatalf("%d records for two lines:\n%s", got, out.String())
	}
	chunk := []byte(strings.Repeat("x", 1000))
	for range 3 * maxPrintLine / len(chunk) {
		w.Write(chunk)
	}
	if w.buf.Len() >= maxPrintLine {
		t.Errorf("%d bytes kept without a newline, want less than %d", w.buf.Len(), maxPrintLine)
	}
	if got := strings.Count(out.String(), "msg="); got < 4 {
		t.Errorf("%d records after %d bytes without a newline, want the text logged in pieces", got, 3*maxPrintLine)
	}
}
