package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/server"
)

// tempSrc writes temporary files.
const tempSrc = `package scratch

import (
	"io/ioutil"
	"os"
	"time"
)

var chunk = make([]byte, 1<<20)

// Fill writes n files of 1 MiB in the temporary folder, and keeps them
// unless drop.
//
//microfn:service retry=1 timeout=30s
func Fill(n int, drop bool) (int, error) {
	for i := 0; i < n; i++ {
		f, err := ioutil.TempFile("", "fill")
		if err != nil {
			return i, err
		}
		_, err = f.Write(chunk)
		f.Close()
		if drop {
			os.Remove(f.Name())
		}
		if err != nil {
			return i, err
		}
		time.Sleep(5 * time.Millisecond)
	}
	return n, nil
}

//microfn:service
func Alive() string { return "alive" }
`

// TestMaxTempSize: the files of a worker's temporary folder may take at
// most --max-temp-size together: a worker that writes more is ended, its
// call answered 502 naming the limit, and a new worker takes over; files
// removed free their space.
func TestMaxTempSize(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"scratch/scratch.go": tempSrc},
		server.WithIsolation(server.IsolatePackage), server.WithAllow("io/ioutil", "os"),
		server.WithWorkerLimits(protocol.Limits{MaxMemory: 1 << 30, MaxStack: 64 << 20, MaxOpenFiles: 256, MaxFileSize: 64 << 20, MaxTempSize: 8 << 20}))
	// Written and removed, again and again: far more than the limit in
	// all, never more than a file at once.
	for range 3 {
		if r := in.Get("/scratch/Fill?n=12&drop=true"); r.Status != 200 || body(r) != "12" {
			t.Fatalf("Fill(12, drop) = %d %s, want 12", r.Status, r.Body)
		}
	}
	r := in.Get("/scratch/Fill?n=64&drop=false")
	if r.Status != 502 || !strings.Contains(problem(t, r).Detail, "its temporary files took more than 8 MiB (--max-temp-size)") {
		t.Fatalf("Fill(64) = %d %s, want a 502 naming --max-temp-size", r.Status, r.Body)
	}
	in.WaitBody("/scratch/Alive", `"alive"`, 10*time.Second)
	if c := healthAt(t, in, "/healthz").crashes("scratch"); c == nil || !strings.Contains(c.LastError, "--max-temp-size") {
		t.Errorf("crashes of scratch = %+v, want the temporary files named", c)
	}
	// The new worker has a folder of its own, empty.
	if r := in.Get("/scratch/Fill?n=6&drop=false"); r.Status != 200 || body(r) != "6" {
		t.Errorf("Fill(6) in the new worker = %d %s, want 6", r.Status, r.Body)
	}
}
