package server_test

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
)

// children returns the processes this process started that still run.
func children(t *testing.T) map[int]bool {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	me := strconv.Itoa(os.Getpid())
	out := map[int]bool{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(fields) > 1 && fields[1] == me {
			out[pid] = true
		}
	}
	return out
}

// TestSaveTakesSpareWorker: while the folder is watched, a save is served
// by a worker process that was started before the save was written (a
// spare waiting for its Spec), not one started after it.
func TestSaveTakesSpareWorker(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"live.go": versionSrc(1)})
	in.WaitBody("/Version", "1", waitReload)
	if h := health(t, in); len(h.Packages) != 1 || h.Packages[0].Worker == nil {
		t.Skip("no worker processes in this isolation mode")
	}
	for n := 2; n <= 4; n++ {
		// Spares are started once a prepare process and a worker have
		// been: wait for both to run.
		deadline := time.Now().Add(waitReload)
		for value(scrape(t, in), "microfn_spare_processes", nil) < 2 {
			if time.Now().After(deadline) {
				t.Fatalf("no spare worker and prepare process after %s", waitReload)
			}
			time.Sleep(10 * time.Millisecond)
		}
		before := children(t)
		in.Write("live.go", versionSrc(n))
		in.WaitBody("/Version", strconv.Itoa(n), waitReload)
		h := health(t, in)
		pid := *h.Packages[0].Worker
		if !before[pid] {
			t.Fatalf("save %d is served by worker %d, started after the save (processes before it: %v)", n, pid, before)
		}
	}
}
