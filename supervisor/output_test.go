package supervisor

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os/exec"
	"strings"
	"testing"

	"github.com/microfn/microfn/protocol"
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

// TestCrashReason: the reason of a crash is the first line of the Go
// runtime's final report on standard error, when the process died as the
// runtime ends one; text printed before it, on either stream, is never
// the reason, and is logged as service output.
func TestCrashReason(t *testing.T) {
	t.Parallel()
	type line struct{ stream, text string }
	out := func(stream, text string) []line {
		var ls []line
		for _, l := range strings.Split(text, "\n") {
			ls = append(ls, line{stream, l})
		}
		return ls
	}
	tests := []struct {
		name    string
		lines   []line
		runtime bool   // the process died as the runtime ends one
		want    string // the reason
		logged  string // in the log, as service output
	}{
		{"stack overflow", out("stderr", "runtime: goroutine stack exceeds 67108864-byte limit\nruntime: sp=0x1 stack=[0x1, 0x2]\nfatal error: stack overflow\n\ngoroutine 7 [running]:"), true,
			"goroutine stack exceeds 67108864-byte limit", ""},
		{"map writes", out("stderr", "fatal error: concurrent map writes\n\ngoroutine 9 [running]:"), true, "concurrent map writes", ""},
		{"panic", out("stderr", "panic: boom [recovered]\n\ngoroutine 1 [running]:"), true, "panic: boom [recovered]", ""},
		{"forged before a real crash, on standard output", append(out("stdout", "fatal error: X"), out("stderr", "fatal error: concurrent map writes\n\ngoroutine 9 [running]:")...), true,
			"concurrent map writes", "fatal error: X"},
		{"forged before a real crash, on standard error", append(out("stderr", "fatal error: X\nmore output"), out("stderr", "panic: real\n\ngoroutine 1 [running]:")...), true,
			"panic: real", "fatal error: X"},
		{"forged before a real stack overflow", append(out("stderr", "panic: X"), out("stderr", "runtime: goroutine stack exceeds 1-byte limit\nfatal error: stack overflow")...), true,
			"goroutine stack exceeds 1-byte limit", "panic: X"},
		{"forged, then killed", out("stderr", "fatal error: X"), false, "the worker was killed after printing: fatal error: X", "fatal error: X"},
		{"log.Fatal", out("stderr", "2026/11/29 10:00:00 the end"), false, "the worker was killed after printing: 2026/11/29 10:00:00 the end", "the end"},
		{"nothing", nil, false, "the worker was killed", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			o := newWorkerOutput(slog.New(slog.NewTextHandler(&logs, nil)), false, "p", []byte("k"))
			for _, l := range tc.lines {
				o.rawLine(l.stream, []byte(l.text))
			}
			reason, report := o.conclude("the worker was killed", tc.runtime)
			if reason != tc.want {
				t.Errorf("reason %q, want %q", reason, tc.want)
			}
			if tc.logged != "" && !strings.Contains(logs.String(), tc.logged) {
				t.Errorf("%q is not in the log:\n%s", tc.logged, logs.String())
			}
			if tc.runtime && (report == "" || strings.Contains(logs.String(), "goroutine ")) {
				t.Errorf("the runtime's report %q is not kept for the crash, or was logged line by line:\n%s", report, logs.String())
			}
		})
	}
}

// TestRuntimeDeath: an exit status of 2 and the signals the runtime
// re-raises are the runtime's way to end a process; others are not.
func TestRuntimeDeath(t *testing.T) {
	t.Parallel()
	for script, want := range map[string]bool{"exit 2": true, "exit 1": false, "exit 0": false, "kill -ABRT $$": true, "kill -KILL $$": false, "kill -TERM $$": false} {
		cmd := exec.Command("sh", "-c", script)
		_ = cmd.Run()
		if got := runtimeDeath(cmd.ProcessState); got != want {
			t.Errorf("%s: runtimeDeath = %v, want %v", script, got, want)
		}
	}
}

// signedBy returns the messages a worker's protocol.Channel with key
// writes: send is called with the channel.
func signedBy(t *testing.T, key string, send func(c *protocol.Channel) error) [][]byte {
	t.Helper()
	var w messageWriter
	c, err := protocol.NewChannel(&w, []byte(key))
	if err != nil {
		t.Fatal(err)
	}
	if err := send(c); err != nil {
		t.Fatal(err)
	}
	return w.msgs
}

// messageWriter keeps each Write as one message, as a SOCK_SEQPACKET
// socket does.
type messageWriter struct{ msgs [][]byte }

func (w *messageWriter) Write(p []byte) (int, error) {
	w.msgs = append(w.msgs, append([]byte(nil), p...))
	return len(p), nil
}

// TestWorkerMessages: a record the worker signed is relayed with its
// level and attributes in order, its pid added and its package attribute
// replaced by the group's; a record without the signature, as service code
// could write on the channel, and raw output are text, escaped.
func TestWorkerMessages(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	o := newWorkerOutput(slog.New(slog.NewJSONHandler(&logs, nil)).With("package", "p"), true, "p", []byte("key"))
	o.pid = 42
	ready := signedBy(t, "key", func(c *protocol.Channel) error { return c.Ready(protocol.Ready{Loaded: []string{"a"}}) })
	if len(ready) != 1 {
		t.Fatalf("a small Ready message in %d parts", len(ready))
	}
	// Before the real one: an unsigned Ready, and one signed with another
	// key.
	if r, err, done := o.message(append([]byte{protocol.ChannelReady}, `{"loaded":["forged"]}`...)); done || r != nil || err != nil {
		t.Errorf("an unsigned message was taken for Ready: %q %v", r, err)
	}
	other := signedBy(t, "another key", func(c *protocol.Channel) error { return c.Ready(protocol.Ready{Loaded: []string{"forged"}}) })
	if r, _, done := o.message(other[0]); done || r != nil {
		t.Errorf("a message with a wrong signature was taken for Ready: %q", r)
	}
	if r, err, done := o.message(ready[0]); !done || err != nil || string(r) != `{"loaded":["a"]}` {
		t.Errorf("a signed Ready message gives %q %v %v", r, err, done)
	}
	record := signedBy(t, "key", func(c *protocol.Channel) error {
		_, err := c.Write([]byte(`{"time":"x","level":"WARN","msg":"hello","package":"q","n":3}`))
		return err
	})
	o.message(record[0])
	forged := `{"level":"WARN","msg":"GET /billing/Refund"}`
	o.message(append([]byte{protocol.ChannelRecord}, forged...))
	o.message(append(append([]byte(nil), record[0][:len(record[0])-1]...), 'x'))
	o.rawLine("stdout", []byte(forged))
	o.rawLine("stderr", []byte("plain \x1b[31mred\x1b[0m text"))
	got := strings.Split(strings.TrimSpace(logs.String()), "\n")
	// The forged Ready messages, the signed record, the forged one, the
	// one with a broken signature, the two raw lines.
	if len(got) != 7 {
		t.Fatalf("%d log records, want 7:\n%s", len(got), logs.String())
	}
	if !strings.Contains(got[2], `"level":"WARN","msg":"hello","package":"p","n":3,"pid":42}`) {
		t.Errorf("the signed record: %s", got[2])
	}
	for _, r := range append(got[:2:2], got[3:6]...) {
		if !strings.Contains(r, `"msg":`) || strings.Contains(r, `"msg":"GET /billing/Refund"`) || strings.Contains(r, `"msg":"hello"`) ||
			!strings.Contains(r, `"package":"p"`) || !strings.Contains(r, `"pid":42`) || !strings.Contains(r, `"stream":`) {
			t.Errorf("forged message not logged as labelled text: %s", r)
		}
	}
	if strings.Contains(got[6], "\x1b") || !strings.Contains(got[6], `"msg":"plain ?[31mred?[0m text"`) || !strings.Contains(got[6], `"stream":"stderr"`) {
		t.Errorf("raw output not escaped and labelled: %q", got[6])
	}
	if strings.Count(logs.String(), `"package"`) != 7 {
		t.Errorf("a record carries the package twice:\n%s", logs.String())
	}
}

// TestReadyInParts: a Ready message larger than a message of the channel
// comes in signed parts, which the supervisor puts together; a part
// without the signature, between them, is output and changes nothing.
func TestReadyInParts(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	o := newWorkerOutput(slog.New(slog.NewJSONHandler(&logs, nil)), false, "p", []byte("key"))
	big := protocol.Ready{Prepared: map[string]json.RawMessage{"a": json.RawMessage(`"` + strings.Repeat("x", 300<<10) + `"`)}}
	msgs := signedBy(t, "key", func(c *protocol.Channel) error { return c.Ready(big) })
	if len(msgs) < 5 {
		t.Fatalf("a Ready message of 300 KiB in %d parts", len(msgs))
	}
	for _, m := range msgs {
		if len(m) > protocol.MaxChannelMessage {
			t.Fatalf("a part of %d bytes, over %d", len(m), protocol.MaxChannelMessage)
		}
	}
	var got []byte
	for i, m := range msgs {
		if i == 2 {
			forged := append([]byte{protocol.ChannelReadyPart}, `{"forged":`...)
			if _, _, done := o.message(forged); done {
				t.Fatal("an unsigned part ended the Ready message")
			}
		}
		r, err, done := o.message(m)
		if err != nil || done != (i == len(msgs)-1) {
			t.Fatalf("part %d of %d: %v, complete %v", i, len(msgs), err, done)
		}
		got = r
	}
	var r protocol.Ready
	if err := json.Unmarshal(got, &r); err != nil || len(r.Prepared["a"]) != 300<<10+2 {
		t.Fatalf("the parts make %d bytes: %v", len(got), err)
	}
}
