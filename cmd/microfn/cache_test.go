package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microfn/microfn/compile"
)

// TestCacheCommand: microfn cache reports the folder, size, budget and
// what is in use of a cache of real files, and microfn cache clean
// removes all but what a lease holds; bad arguments are refused.
func TestCacheCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"worker-aaa", "worker-bbb", "worker-ccc"} {
		if err := os.WriteFile(filepath.Join(dir, name), bytes.Repeat([]byte{1}, 1<<20), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	c, err := compile.OpenCache(dir, -1, nil)
	if err != nil {
		t.Fatal(err)
	}
	held, err := c.Lease(filepath.Join(dir, "worker-bbb"))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	steps := []struct {
		args       []string
		code       int
		out, isErr string
	}{
		{[]string{"cache", "--worker-cache", dir, "--worker-cache-size", "1GiB"}, 0, dir + "\n3 executables, 3.0 MiB (budget 1.0 GiB); 1 in use, 1.0 MiB; 0 build folders\n", ""},
		{[]string{"cache", "--worker-cache", dir, "--worker-cache-size", "0"}, 0, "budget no limit", ""},
		{[]string{"cache", "--worker-cache-size", "lots", "--worker-cache", dir}, 2, "", `--worker-cache-size: want a size such as 2GiB`},
		{[]string{"cache", "purge", "--worker-cache", dir}, 2, "", "Usage:"},
		{[]string{"cache", "clean", "--worker-cache", dir}, 0, "removed 2 executables (2.0 MiB) and 0 leftover build folders from " + dir + "; 1 in use kept (1.0 MiB)\n", ""},
		{[]string{"cache", "--worker-cache", dir}, 0, "1 executable, 1.0 MiB", ""},
	}
	for _, s := range steps {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), s.args, &stdout, &stderr)
		if code != s.code || !strings.Contains(stdout.String(), s.out) || !strings.Contains(stderr.String(), s.isErr) {
			t.Errorf("microfn %s = %d, stdout %q, stderr %q; want %d, stdout with %q, stderr with %q",
				strings.Join(s.args, " "), code, stdout.String(), stderr.String(), s.code, s.out, s.isErr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "worker-bbb")); err != nil {
		t.Errorf("the leased executable: %v", err)
	}
}
