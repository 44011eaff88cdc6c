package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestBatchWriter: lines written to a batchWriter reach its writer whole
// and in order: within the flush interval, at once when a batch fills,
// and all of them by Close.
func TestBatchWriter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		every   time.Duration
		lines   int
		size    int  // bytes per line
		closing bool // read after Close; else wait for the flushes
	}{
		{name: "flushed on time", every: 10 * time.Millisecond, lines: 3, size: 40},
		{name: "a full batch at once", every: time.Hour, lines: maxLogBatch/1000 + 1, size: 1000},
		{name: "the rest by Close", every: time.Hour, lines: 5, size: 40, closing: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out lockedBuffer
			b := newBatchWriter(&out, tc.every)
			defer b.Close()
			var want strings.Builder
			for i := range tc.lines {
				line := fmt.Sprintf("%0*d\n", tc.size-1, i)
				want.WriteString(line)
				if n, err := b.Write([]byte(line)); n != len(line) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if tc.closing {
				if out.String() != "" {
					t.Errorf("written before a flush: %q", out.String())
				}
				if err := b.Close(); err != nil {
					t.Fatal(err)
				}
			}
			got := out.String()
			for deadline := time.Now().Add(10 * time.Second); len(got) < want.Len() && time.Now().Before(deadline); got = out.String() {
				if tc.every == time.Hour {
					break // a full batch is written by the Write that fills it
				}
				time.Sleep(5 * time.Millisecond)
			}
			if got != want.String() {
				t.Errorf("written %d bytes, want %d:\n%.200q", len(got), want.Len(), got)
			}
		})
	}
}

// TestBatchWriterConcurrent: lines written at once from many goroutines
// all arrive, each whole.
func TestBatchWriterConcurrent(t *testing.T) {
	t.Parallel()
	var out lockedBuffer
	b := newBatchWriter(&out, time.Millisecond)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				fmt.Fprintf(b, "g%d line %d\n", g, i)
			}
		})
	}
	wg.Wait()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 8*500 {
		t.Fatalf("%d lines, want %d", len(lines), 8*500)
	}
	next := map[string]int{}
	for _, l := range lines {
		var g string
		var i int
		if _, err := fmt.Sscanf(l, "%s line %d", &g, &i); err != nil || next[g] != i {
			t.Fatalf("line %q: want line %d of %s (%v)", l, next[g], g, err)
		}
		next[g]++
	}
}
