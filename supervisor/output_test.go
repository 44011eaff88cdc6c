package supervisor

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestReadLinesBounded(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 3*maxLine)
	var got []string
	readLines(strings.NewReader("a\n"+long+"\nb\nno newline at the end"), func(b []byte) { got = append(got, string(b)) })
	if len(got) != 4 || got[0] != "a" || got[2] != "b" || got[3] != "no newline at the end" {
		t.Fatalf("lines %q", abbreviate(got))
	}
	if len(got[1]) != maxLine {
		t.Errorf("a line of %d bytes was kept as %d, want %d", len(long), len(got[1]), maxLine)
	}
}

func abbreviate(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if len(l) > 20 {
			l = l[:20] + "…"
		}
		out[i] = l
	}
	return out
}

func TestCrashReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		output string
		want   string
	}{
		{"stack overflow", "runtime: goroutine stack exceeds 67108864-byte limit\nruntime: sp=0x1 stack=[0x1, 0x2]\nfatal error: stack overflow\n\ngoroutine 7 [running]:\n", "goroutine stack exceeds 67108864-byte limit"},
		{"map writes", `{"level":"INFO","msg":"served"}` + "\nfatal error: concurrent map writes\n\ngoroutine 9 [running]:\n", "concurrent map writes"},
		{"panic", "panic: boom [recovered]\n\ngoroutine 1 [running]:\n", "panic: boom [recovered]"},
		{"log.Fatal", "2026/11/29 10:00:00 the end\n", "2026/11/29 10:00:00 the end"},
		{"nothing", `{"level":"INFO","msg":"quiet"}` + "\n", ""},
	}
	for _, tc := range tests {
		var logs bytes.Buffer
		s := &stderrLog{logger: slog.New(slog.NewTextHandler(&logs, nil)), label: "p"}
		readLines(strings.NewReader(tc.output), s.line)
		if got := s.reason(); got != tc.want {
			t.Errorf("%s: reason %q, want %q", tc.name, got, tc.want)
		}
		if strings.Contains(tc.output, `"msg"`) && !strings.Contains(logs.String(), "msg=") {
			t.Errorf("%s: the worker's log record was not relayed: %s", tc.name, logs.String())
		}
		if tc.name != "log.Fatal" && tc.name != "nothing" && strings.Contains(logs.String(), "goroutine") {
			t.Errorf("%s: the crash output was logged line by line: %s", tc.name, logs.String())
		}
	}
}

func TestWorkerRecordRelayed(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	s := &stderrLog{logger: slog.New(slog.NewJSONHandler(&logs, nil)), label: "p"}
	s.line([]byte(`{"time":"x","level":"WARN","msg":"hello","package":"p","n":3}`))
	s.line([]byte("plain \x1b[31mred\x1b[0m text"))
	out := logs.String()
	if !strings.Contains(out, `"level":"WARN","msg":"hello","package":"p","n":3`) {
		t.Errorf("record not relayed with its level and attributes in order: %s", out)
	}
	if strings.Contains(out, "\x1b") || !strings.Contains(out, "plain ?[31mred?[0m text") {
		t.Errorf("control characters not escaped: %q", out)
	}
}
