package supervisor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/workertest"
	"github.com/microfn/microfn/protocol"
)

// newSpares returns spares of this executable kept for keep, closed when
// the test ends.
func newSpares(t *testing.T, keep time.Duration, logs *logBuffer) *Spares {
	t.Helper()
	s, err := NewSpares(nil, keep, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// waitingSpare waits until a spare of kind key waits in s, and returns it.
func waitingSpare(t *testing.T, s *Spares, key spareKey) *spare {
	t.Helper()
	var sp *spare
	waitFor(t, "a spare process", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		sp = s.waiting[key]
		return sp != nil
	})
	return sp
}

// TestSpareTakenByNextWorker: once a group has started a worker, a spare
// waits; the next worker is that process, given its Spec then: it serves,
// its temporary folder and environment are a worker's, its output is
// labelled with its group, and another spare takes its place.
func TestSpareTakenByNextWorker(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	spares := newSpares(t, time.Minute, &logs)
	dir := t.TempDir()
	env := []string{"GREETING=hello"}
	with := func(c *Config, s *protocol.Spec) {
		c.Dir, c.Spares = dir, spares
		s.Settings.Env = env
	}
	if _, _, err := start(t, workertest.Services, &logs, with); err != nil {
		t.Fatal(err)
	}
	key := keyOf(true, dir, env)
	sp := waitingSpare(t, spares, key)
	sparePID := sp.cmd.Process.Pid
	g, _, err := start(t, workertest.Services, &logs, func(c *Config, s *protocol.Spec) {
		with(c, s)
		c.Label = "second"
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := call(g, "PID", `{}`, soon()); err != nil || got != strconv.Itoa(sparePID) {
		t.Fatalf("the second worker is %s (%v), want the spare %d", got, err, sparePID)
	}
	got, err := call(g, "Env", `{}`, soon())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, `"GREETING=hello"`) || !strings.Contains(got, `"TMPDIR=`+sp.tmp+`"`) {
		t.Errorf("environment of the spare worker: %s, want GREETING and TMPDIR=%s", got, sp.tmp)
	}
	if _, err := call(g, "Print", `{"s":"from the spare"}`, soon()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the spare's output labelled with its group", func() bool {
		return strings.Contains(logs.String(), `"msg":"from the spare","package":"second","pid":`+strconv.Itoa(sparePID))
	})
	next := waitingSpare(t, spares, key)
	if next.cmd.Process.Pid == sparePID {
		t.Errorf("the taken spare %d still waits", sparePID)
	}
	// A worker of another environment takes no spare of this one.
	other, _, err := start(t, workertest.Services, &logs, func(c *Config, s *protocol.Spec) {
		with(c, s)
		s.Settings.Env = []string{"GREETING=bye"}
	})
	if err != nil {
		t.Fatal(err)
	}
	if pid := other.PID(); pid == next.cmd.Process.Pid {
		t.Errorf("a worker of another environment took the spare %d", pid)
	}
}

// TestSpareStops: a spare nobody takes within its keep time ends, and so
// do those waiting when the spares are closed; their temporary folders
// go with them.
func TestSpareStops(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		keep time.Duration
	}{
		{"expired", 300 * time.Millisecond},
		{"closed", time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logs logBuffer
			spares := newSpares(t, tc.keep, &logs)
			dir := t.TempDir()
			key := keyOf(true, dir, nil)
			spares.mu.Lock()
			spares.startLocked(key)
			spares.mu.Unlock()
			var sp *spare
			waitFor(t, "a spare process", func() bool {
				spares.mu.Lock()
				defer spares.mu.Unlock()
				sp = spares.waiting[key]
				return sp != nil || tc.keep < time.Second && !spares.starting[key] // it may expire at once on a busy machine
			})
			if sp == nil {
				return
			}
			pid := sp.cmd.Process.Pid
			if tc.name == "closed" {
				spares.Close()
			}
			waitFor(t, fmt.Sprintf("the spare %d to end", pid), func() bool { return !alive(pid) })
			waitFor(t, "its temporary folder to go", func() bool {
				_, err := os.Stat(sp.tmp)
				return os.IsNotExist(err)
			})
			if sp := spares.take(spares.command, key); sp != nil && tc.name == "closed" {
				t.Errorf("closed spares gave a spare")
			}
		})
	}
}

// TestSpareWarmup: a waiting prepare spare reads the warm-up line once
// Warm gives it, and a prepare spare started after another was taken
// gets it only at the next Warm (not while the work that took the other
// runs); a worker spare is given nothing.
func TestSpareWarmup(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Each spare copies what it reads to the file $OUT.PID.
	spares, err := NewSpares([]string{"/bin/sh", "-c", `exec cat > "$OUT.$$"`}, time.Minute, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(spares.Close)
	out := filepath.Join(dir, "out")
	prepareKey := keyOf(false, "", []string{"OUT=" + out})
	workerKey := keyOf(true, dir, []string{"OUT=" + out})
	read := func(sp *spare) []byte {
		b, _ := os.ReadFile(fmt.Sprintf("%s.%d", out, sp.cmd.Process.Pid))
		return b
	}
	// readNow returns what sp has read so far: what it read before a
	// line of ours, which it copies after.
	readNow := func(sp *spare) string {
		if _, err := sp.stdin.Write([]byte("end\n")); err != nil {
			t.Fatal(err)
		}
		var got []byte
		waitFor(t, "the spare's copy", func() bool {
			got = read(sp)
			return bytes.HasSuffix(got, []byte("end\n"))
		})
		return strings.TrimSuffix(string(got), "end\n")
	}
	spec := &protocol.Spec{Warmup: true, Prepare: &protocol.PrepareSpec{Exports: map[string]string{"fmt": "/export/fmt.a"}}}
	want, _ := json.Marshal(spec)

	spares.mu.Lock()
	spares.startLocked(prepareKey)
	spares.startLocked(workerKey)
	spares.mu.Unlock()
	prep := waitingSpare(t, spares, prepareKey)
	worker := waitingSpare(t, spares, workerKey)
	spares.Warm(spec)
	var got []byte
	waitFor(t, "the prepare spare's warm-up line", func() bool {
		got = read(prep)
		return len(got) > len(want)
	})
	var line protocol.Spec
	if err := json.Unmarshal(got, &line); err != nil || !line.Warmup || line.Prepare.Exports["fmt"] != "/export/fmt.a" || got[len(got)-1] != '\n' {
		t.Fatalf("the prepare spare read %q (%v), want the warm-up line %s and a newline", got, err, want)
	}
	if got := readNow(worker); got != "" {
		t.Fatalf("the worker spare read %q, want nothing", got)
	}

	// Taking the prepare spare starts another, which waits for Warm.
	if sp := spares.take(spares.command, prepareKey); sp != prep {
		t.Fatal("take did not give the waiting prepare spare")
	}
	next := waitingSpare(t, spares, prepareKey)
	if got := readNow(next); got != "" {
		t.Fatalf("a prepare spare started while the taken one works read %q before Warm, want nothing", got)
	}
	spares.Warm(spec)
	waitFor(t, "the next spare's warm-up line", func() bool {
		return bytes.Contains(read(next), want)
	})
	prep.stop()
}
