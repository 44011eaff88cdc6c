package compile

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// leaseHolderEnv, set, makes this test binary a process that leases the
// executable it names, says "held" on its standard output, and holds
// the lease until its standard input closes.
const leaseHolderEnv = "MICROFN_TEST_LEASE_HOLDER"

func TestMain(m *testing.M) {
	if exe := os.Getenv(leaseHolderEnv); exe != "" {
		os.Exit(holdLease(exe))
	}
	os.Exit(m.Run())
}

// holdLease is the lease holder's main.
func holdLease(exe string) int {
	c, err := OpenCache(filepath.Dir(exe), -1, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	l, err := c.Lease(exe)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("held")
	io.Copy(io.Discard, os.Stdin)
	l.Release()
	return 0
}

// t0 is the time the test caches' executables were last used, plus
// their number of minutes.
var t0 = time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)

// writeExe writes the executable worker-NAME of size bytes to dir, last
// used min minutes after t0.
func writeExe(t *testing.T, dir, name string, size, min int) string {
	t.Helper()
	path := filepath.Join(dir, exePrefix+name)
	if err := os.WriteFile(path, bytes.Repeat([]byte{'x'}, size), 0o755); err != nil {
		t.Fatal(err)
	}
	at := t0.Add(time.Duration(min) * time.Minute)
	if err := os.Chtimes(path, at, at); err != nil {
		t.Fatal(err)
	}
	return path
}

// exesIn returns the names of the executables in dir, sorted, without
// their prefix.
func exesIn(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if name, ok := strings.CutPrefix(e.Name(), exePrefix); ok && !strings.HasSuffix(name, lockSuffix) {
			out = append(out, name)
		}
	}
	return out
}

func TestEvictionOrder(t *testing.T) {
	t.Parallel()
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	tests := []struct {
		name string
		in   []cacheEntry
		want []string
	}{
		{"empty", nil, nil},
		{"least recently used first", []cacheEntry{{name: "c", used: at(3)}, {name: "a", used: at(1)}, {name: "b", used: at(2)}}, []string{"a", "b", "c"}},
		{"size does not matter", []cacheEntry{{name: "big", size: 1 << 30, used: at(2)}, {name: "small", size: 1, used: at(1)}}, []string{"small", "big"}},
		{"same time: by name", []cacheEntry{{name: "z", used: at(1)}, {name: "m", used: at(1)}, {name: "a", used: at(2)}}, []string{"m", "z", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, e := range evictionOrder(tt.in) {
				got = append(got, e.name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("evictionOrder = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTrimBudget(t *testing.T) {
	t.Parallel()
	type exe struct {
		name      string
		size, min int
		leased    bool
	}
	tests := []struct {
		name    string
		budget  int64
		exes    []exe
		want    []string // left, sorted
		removed int
		skipped int
	}{
		{"fits", 300, []exe{{"a", 100, 1, false}, {"b", 100, 2, false}, {"c", 100, 3, false}}, []string{"a", "b", "c"}, 0, 0},
		{"oldest go first", 250, []exe{{"a", 100, 3, false}, {"b", 100, 1, false}, {"c", 100, 2, false}}, []string{"a", "c"}, 1, 0},
		{"until it fits", 150, []exe{{"a", 100, 3, false}, {"b", 100, 1, false}, {"c", 100, 2, false}}, []string{"a"}, 2, 0},
		{"a big recent one stays, small old ones go", 500, []exe{{"big", 400, 9, false}, {"s1", 100, 1, false}, {"s2", 100, 2, false}}, []string{"big", "s2"}, 1, 0},
		{"in use is skipped", 150, []exe{{"a", 100, 3, false}, {"b", 100, 1, true}, {"c", 100, 2, false}}, []string{"b"}, 2, 1},
		{"all in use: over budget", 50, []exe{{"a", 100, 1, true}, {"b", 100, 2, true}}, []string{"a", "b"}, 0, 2},
		{"zero: all not in use go", 0, []exe{{"a", 100, 1, false}, {"b", 100, 2, true}}, []string{"b"}, 1, 1},
		{"no limit", -1, []exe{{"a", 100, 1, false}, {"b", 100, 2, false}}, []string{"a", "b"}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			c, err := OpenCache(dir, tt.budget, nil)
			if err != nil {
				t.Fatal(err)
			}
			var total int64
			for _, e := range tt.exes {
				path := writeExe(t, dir, e.name, e.size, e.min)
				total += int64(e.size)
				if e.leased {
					l, err := lease(path)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(l.Release)
				}
			}
			tr, err := c.Trim()
			if err != nil {
				t.Fatal(err)
			}
			if got := exesIn(t, dir); !slices.Equal(got, tt.want) {
				t.Errorf("left %v, want %v", got, tt.want)
			}
			if tr.Removed != tt.removed || tr.Skipped != tt.skipped || tr.Kept != len(tt.want) || tr.Bytes+tr.Freed != total {
				t.Errorf("Trim = %+v, want %d removed, %d skipped, %d kept, %d bytes in all", tr, tt.removed, tt.skipped, len(tt.want), total)
			}
			if st, err := c.Stat(); err != nil || st.Executables != len(tt.want) || st.Bytes != tr.Bytes {
				t.Errorf("Stat = %+v, %v; want %d executables of %d bytes", st, err, len(tt.want), tr.Bytes)
			}
		})
	}
}

func TestLeaseRecordsUse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c, err := OpenCache(dir, 150, nil)
	if err != nil {
		t.Fatal(err)
	}
	old := writeExe(t, dir, "old", 100, 1)
	writeExe(t, dir, "new", 100, 2)
	l, err := c.Lease(old)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(old, t0, t0); err != nil { // leased long ago
		t.Fatal(err)
	}
	l.Release() // used until now: the other is the least recently used
	l.Release()
	if _, err := c.Trim(); err != nil {
		t.Fatal(err)
	}
	if got := exesIn(t, dir); !slices.Equal(got, []string{"old"}) {
		t.Errorf("left %v, want the one leased last", got)
	}
	if _, err := c.Lease(filepath.Join(dir, exePrefix+"new")); err == nil {
		t.Error("a lease of an evicted executable succeeded")
	}
}

func TestTrimLeftovers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c, err := OpenCache(dir, -1, nil)
	if err != nil {
		t.Fatal(err)
	}
	mkdir := func(name string, age time.Duration) string {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Join(path, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(path, "worker"), []byte("partial"), 0o755); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(-age)
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
		return path
	}
	mkdir("build-killed", time.Hour)
	mkdir("app-killed", 2*staleAfter)
	mkdir("build-new", 0) // may be a build making its folder
	held := mkdir("build-running", time.Hour)
	unhold, err := holdDir(held)
	if err != nil {
		t.Fatal(err)
	}
	defer unhold()
	mkdir("other", time.Hour) // not the cache's
	orphan := filepath.Join(dir, exePrefix+"gone"+lockSuffix)
	leased := filepath.Join(dir, exePrefix+"building")
	if err := os.WriteFile(orphan, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := lease(leased) // a build under way leases what it makes
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	tr, err := c.Trim()
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{"build-new", "build-running", "other", exePrefix + "building" + lockSuffix}
	if !slices.Equal(left, want) || tr.Leftovers != 2 {
		t.Errorf("left %v after removing %d leftovers, want %v after 2", left, tr.Leftovers, want)
	}
}

func TestTrimWarnsOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var buf syncBuffer
	c, err := OpenCache(dir, 50, slog.New(slog.NewTextHandler(&buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	l, err := lease(writeExe(t, dir, "a", 100, 1))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.Trim(); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(buf.String(), "over its budget"); n != 1 {
		t.Errorf("%d warnings after three trims over budget, want 1:\n%s", n, buf.String())
	}
	l.Release()
	if tr, err := c.Trim(); err != nil || tr.Removed != 1 {
		t.Fatalf("Trim = %+v, %v; want the released executable removed", tr, err)
	}
	l, err = lease(writeExe(t, dir, "b", 100, 2))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	c.Trim()
	if n := strings.Count(buf.String(), "over its budget"); n != 2 {
		t.Errorf("%d warnings, want a second once over budget again:\n%s", n, buf.String())
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLeaseAcrossProcesses: an executable another process leases
// survives a clean of the cache by this one, which removes the others;
// once that process has ended, it goes too.
func TestLeaseAcrossProcesses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	held := writeExe(t, dir, "held", 100, 1) // the least recently used
	writeExe(t, dir, "free", 100, 2)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), leaseHolderEnv+"="+held)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if line != "held\n" {
		t.Fatalf("the holder said %q (%v; stderr %s), want held", line, err, stderr.String())
	}
	c, err := OpenCache(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := c.Stat(); err != nil || st.InUse != 1 || st.InUseBytes != 100 {
		t.Errorf("Stat = %+v, %v; want 1 executable of 100 bytes in use", st, err)
	}
	if tr, err := c.Clean(); err != nil || tr.Removed != 1 || tr.Skipped != 1 {
		t.Errorf("Clean = %+v, %v; want 1 removed, 1 in use", tr, err)
	}
	if got := exesIn(t, dir); !slices.Equal(got, []string{"held"}) {
		t.Fatalf("left %v, want the held one", got)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the holder: %v (%s)", err, stderr.String())
	}
	if tr, err := c.Clean(); err != nil || tr.Removed != 1 {
		t.Errorf("Clean = %+v, %v after the holder ended; want it removed", tr, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("%d entries left, want none (the lock files too)", len(entries))
	}
}

func TestParseCacheSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"2GiB", 2 << 30, false},
		{"500MB", 500e6, false},
		{"1", 1, false},
		{"0", -1, false},
		{"lots", 0, true},
		{"-1GiB", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseCacheSize(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseCacheSize(%q) = %d, %v; want %d (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
