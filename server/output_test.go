package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// lockedBuffer is a bytes.Buffer safe for a logger and a test at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the JSON log records written so far.
func (b *lockedBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("a log line that is not a record: %q", line)
		}
		out = append(out, r)
	}
	return out
}

// lines returns the log as written.
func (b *lockedBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Split(strings.TrimSpace(b.buf.String()), "\n")
}

// forgedRecord is a log record as the server writes its access lines.
const forgedRecord = `{"level":"WARN","msg":"GET /billing/Refund?cents=100000","status":200}`

// forgeSrc writes forgedRecord everywhere service code can reach.
const forgeSrc = `package forge

import (
	"fmt"
	"io/ioutil"
	"os"
)

const record = ` + "`" + forgedRecord + "`" + `

//microfn:service retry=1
func ProcFD(fd int) string {
	err := ioutil.WriteFile(fmt.Sprintf("/proc/self/fd/%d", fd), []byte(record+"\n"), 0)
	return fmt.Sprint(err)
}

//microfn:service retry=1
func Streams() {
	os.Stdout.WriteString(record + "\n")
	os.Stderr.WriteString(record + "\n")
	fmt.Println("printed", record)
}

//microfn:service retry=1
func Channel() string {
	// The worker's channel to its server (file descriptor 3), as the
	// worker writes its records on it, but without their signature.
	_, err := os.NewFile(3, "channel").Write([]byte("L" + record))
	return fmt.Sprint(err)
}
`

// TestForgedLogRecords: a record service code writes — on its standard
// output or error, through /proc/self/fd, or on the worker's own channel
// to the server — is logged as service output: text, labelled with its
// package and the worker's pid, never as a record of the server's own.
// Each record carries the package once.
func TestForgedLogRecords(t *testing.T) {
	t.Parallel()
	for _, iso := range []server.Isolation{server.IsolatePackage, server.IsolateShared} {
		t.Run(string(iso), func(t *testing.T) {
			t.Parallel()
			var logs lockedBuffer
			in := microfntest.Start(t, map[string]string{"forge/forge.go": forgeSrc}, server.WithIsolation(iso),
				server.WithAllow("os", "io/ioutil"), server.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
			for _, fd := range []int{1, 2, 3} {
				r := in.Get(fmt.Sprintf("/forge/ProcFD?fd=%d", fd))
				if r.Status != 200 || !strings.Contains(r.Body, "no such device or address") {
					t.Errorf("writing /proc/self/fd/%d: %d %s, want no such device or address", fd, r.Status, r.Body)
				}
			}
			if r := in.Get("/forge/Streams"); r.Status != 200 {
				t.Errorf("Streams: %d %s", r.Status, r.Body)
			}
			if r := in.Get("/forge/Channel"); r.Status != 200 || body(r) != `"\u003cnil\u003e"` {
				t.Errorf("Channel: %d %s", r.Status, r.Body)
			}
			want := map[string]bool{"stdout": true, "stderr": true, "channel": true}
			microfntest.Eventually(t, 5*time.Second, func() (bool, string) {
				got := map[string]bool{}
				for _, r := range logs.records(t) {
					msg, _ := r["msg"].(string)
					if strings.Contains(msg, "GET /billing/Refund") && strings.Contains(msg, `"level"`) {
						if s, _ := r["stream"].(string); want[s] && r["pid"] != nil && r["package"] != nil {
							got[s] = true
						}
					}
				}
				return len(got) == len(want), fmt.Sprintf("labelled service output on %v of %v", got, want)
			})
			for _, r := range logs.records(t) {
				if r["msg"] == "GET /billing/Refund?cents=100000" {
					t.Errorf("a forged record passed for the server's: %v", r)
				}
			}
			for _, l := range logs.lines() {
				if strings.Count(l, `"package":`) > 1 {
					t.Errorf("a record carries the package twice: %s", l)
				}
				if strings.Contains(l, "printed") && !strings.Contains(l, `"stream":"stdout"`) {
					t.Errorf("printed output without its stream: %s", l)
				}
			}
		})
	}
}

// forgedCrashSrc prints the start of a fatal error report, then crashes
// for real.
const forgedCrashSrc = `package bad

import (
	"os"
	"sync"
)

//microfn:service retry=1
func Crash() int {
	os.Stdout.WriteString("fatal error: forged on stdout\n")
	os.Stderr.WriteString("fatal error: forged on stderr\n\ngoroutine 1 [running]:\n")
	os.Stderr.WriteString("panic: forged panic\n")
	var mu sync.Mutex
	mu.Unlock()
	return 1
}

//microfn:service
func Alive() string { return "alive" }
`

// TestCrashReasonNotForged: the reason of a crash, in the 502 and in
// /healthz, is the Go runtime's own report, not the text service code
// printed before it.
func TestCrashReasonNotForged(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"bad/bad.go": forgedCrashSrc},
		server.WithAllow("os"), server.WithIsolation(server.IsolatePackage))
	r := in.Get("/bad/Crash")
	if r.Status != 502 || !strings.Contains(problem(t, r).Detail, "sync: unlock of unlocked mutex") || strings.Contains(r.Body, "forged") {
		t.Errorf("Crash = %d %s, want a 502 naming the real fatal error", r.Status, r.Body)
	}
	in.WaitBody("/bad/Alive", `"alive"`, 10*time.Second)
	c := healthAt(t, in, "/healthz").crashes("bad")
	if c == nil || c.LastError != "sync: unlock of unlocked mutex" {
		t.Errorf("crashes of bad = %+v, want the runtime's fatal error", c)
	}
	// What was printed before the crash is in the log, as output.
	microfntest.Eventually(t, 5*time.Second, func() (bool, string) {
		n := in.Logs().Count(func(r microfntest.Record) bool {
			return strings.HasPrefix(r.Msg, "fatal error: forged on") && r.Attrs["stream"] != ""
		})
		return n == 2, fmt.Sprintf("%d of the 2 forged lines logged as output", n)
	})
}

// framesSrc writes on the worker's connection to its server (file
// descriptor 4), as service code with --allow os can.
const framesSrc = `package frames

import (
	"bytes"
	"fmt"
	"os"
	"time"
)

// Garbage writes what is not the protocol on every socket the worker
// holds but its standard streams and its channel: its connection among
// them, whatever its number.
//
//microfn:service retry=1
func Garbage() string {
	n := 0
	for fd := 4; fd < 64; fd++ {
		f := os.NewFile(uintptr(fd), "fd")
		if info, err := f.Stat(); err != nil || info.Mode()&os.ModeSocket == 0 {
			continue
		}
		if _, err := f.Write(bytes.Repeat([]byte{0xff}, 16)); err == nil {
			n++
		}
	}
	time.Sleep(2 * time.Second)
	return fmt.Sprint(n, " sockets written")
}

//microfn:service
func Alive() string { return "alive" }
`

// TestForgedFrames: what service code writes on its worker's connection
// that is not the protocol ends the connection: the call is answered as a
// crash of the worker, which is replaced; the server and the other calls
// go on.
func TestForgedFrames(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"frames/frames.go": framesSrc},
		server.WithAllow("os"), server.WithIsolation(server.IsolatePackage))
	r := in.Get("/frames/Garbage")
	if r.Status != 502 || !strings.Contains(problem(t, r).Detail, "protocol") {
		t.Errorf("Garbage = %d %s, want a 502 saying the worker broke the protocol", r.Status, r.Body)
	}
	in.WaitBody("/frames/Alive", `"alive"`, 10*time.Second)
	if c := healthAt(t, in, "/healthz").crashes("frames"); c == nil || !strings.Contains(c.LastError, "protocol") {
		t.Errorf("crashes of frames = %+v, want the broken protocol named", c)
	}
}
