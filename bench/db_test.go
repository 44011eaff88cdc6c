package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/pgbin"
)

// TestSmokeDB runs the db scenario in --smoke mode: microfn (interpreted
// and compiled) and the baseline answer every database operation
// correctly, on SQLite and, where it is installed, on PostgreSQL, and the
// report has the scenario's tables and goals.
func TestSmokeDB(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers, builds a compiled worker and loads them; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	out := filepath.Join(t.TempDir(), "benchmarks.md")
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"--smoke", "--scenarios", "db", "--out", out}, &stdout, &stderr)
	t.Logf("progress:\n%s", stderr.String())
	if code != 0 {
		t.Fatalf("exit code %d; stdout:\n%s", code, stdout.String())
	}
	report, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"## 13. Databases", "| SQLite | server |", "| KV get | microfn --isolate=package |", "| SQL insert | microfn --isolate=package --tier=compiled |", "| SQL select | baseline |",
		"| db KV put p50/p99, SQLite, interpreted | ≤ 1.5× baseline + a call |"}
	if pgbin.Dir() != "" {
		want = append(want, "| PostgreSQL | server |", "| db SQL insert p50/p99, PostgreSQL, compiled |")
	}
	for _, w := range want {
		if !strings.Contains(string(report), w) {
			t.Errorf("the report lacks %q", w)
		}
	}
}
