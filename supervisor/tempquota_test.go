package supervisor

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestTempQuota: the account follows files written, in new directories
// too, and removed; past the quota it calls over once.
func TestTempQuota(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fired := make(chan int64, 4)
	q, err := watchTemp(dir, 3<<20, func(used int64) { fired <- used })
	if err != nil {
		t.Fatal(err)
	}
	defer q.stop()
	mib := make([]byte, 1<<20)
	write := func(path string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, mib, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	used := func() int64 {
		q.mu.Lock()
		defer q.mu.Unlock()
		return q.used
	}
	waitUsed := func(want int64) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for used() != want {
			if time.Now().After(deadline) {
				t.Fatalf("the account says %d bytes, want %d", used(), want)
			}
			time.Sleep(time.Millisecond)
		}
	}
	write(filepath.Join(dir, "a"))
	write(filepath.Join(dir, "sub", "deeper", "b"))
	waitUsed(2 << 20)
	if err := os.RemoveAll(filepath.Join(dir, "sub")); err != nil {
		t.Fatal(err)
	}
	waitUsed(1 << 20)
	select {
	case u := <-fired:
		t.Fatalf("over called at %d bytes, below the quota", u)
	default:
	}
	for _, name := range []string{"c", "sub2/d", "sub2/e"} {
		write(filepath.Join(dir, name))
	}
	select {
	case u := <-fired:
		if u <= 3<<20 {
			t.Errorf("over called at %d bytes, not past the quota", u)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("over not called at %d bytes", used())
	}
	q.set(filepath.Join(dir, "f"), 1<<20)
	if len(fired) != 0 {
		t.Errorf("over called again")
	}
}

// TestTempWatcherShared: one TempWatcher keeps the accounts of several
// folders apart, each calling its own over, and goes on for the others
// when one stops.
func TestTempWatcherShared(t *testing.T) {
	t.Parallel()
	tw, err := NewTempWatcher()
	if err != nil {
		t.Fatal(err)
	}
	defer tw.Close()
	dirs := []string{t.TempDir(), t.TempDir()}
	fired := []chan int64{make(chan int64, 1), make(chan int64, 1)}
	var qs []*tempQuota
	for i, dir := range dirs {
		q, err := tw.watch(dir, 2<<20, func(used int64) { fired[i] <- used })
		if err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q)
	}
	mib := make([]byte, 1<<20)
	// Two MiB in each folder: at the quota, not past it.
	for _, dir := range dirs {
		for _, name := range []string{"a", "b"} {
			if err := os.WriteFile(filepath.Join(dir, name), mib, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	qs[0].stop()
	// A third MiB in each: only the folder still watched is over.
	for _, dir := range dirs {
		if err := os.WriteFile(filepath.Join(dir, "c"), mib, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case used := <-fired[1]:
		if used <= 2<<20 {
			t.Errorf("over called at %d bytes, not past the quota", used)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the folder still watched went past its quota and over was not called")
	}
	select {
	case used := <-fired[0]:
		t.Errorf("over of a stopped quota called at %d bytes", used)
	default:
	}
	for _, p := range tw.w.WatchList() {
		if p == dirs[0] {
			t.Errorf("%s is still watched after its quota stopped", p)
		}
	}
}
