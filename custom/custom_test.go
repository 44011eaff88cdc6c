package custom

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImportable(t *testing.T) {
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"github.com/google/uuid", true},
		{"golang.org/x/text/language", true},
		{"golang.org/x/text/internal/tag", false},
		{"example.com/m/internal", false},
		{"example.com/m/testdata/x", false},
		{"example.com/internals", true},
	} {
		if got := importable(tc.path); got != tc.want {
			t.Errorf("importable(%s) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

// TestBuildErrors: a build refuses bad options before it runs the go
// command, saying what is missing.
func TestBuildErrors(t *testing.T) {
	notMicrofn := t.TempDir()
	if err := os.WriteFile(filepath.Join(notMicrofn, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "x")
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"no module", Options{Output: out, Source: "../.."}, "--with"},
		{"no output", Options{Modules: []string{"example.com/m"}, Source: "../.."}, "-o FILE"},
		{"no source", Options{Modules: []string{"example.com/m"}, Output: out, Source: t.TempDir()}, "microfn's source tree"},
		{"another module", Options{Modules: []string{"example.com/m"}, Output: out, Source: notMicrofn}, "is not microfn's source tree"},
		{"no go command", Options{Modules: []string{"example.com/m"}, Output: out, Source: "../..", Go: "no-such-go-command"}, "needs the Go toolchain"},
	} {
		err := Build(context.Background(), tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}
