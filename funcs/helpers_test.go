package funcs_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
)

// testDir is the directory name given to Parse for in-test sources; error
// positions are reported below it.
const testDir = "pkg"

// parseSrc parses src as the single file a.go of a package.
func parseSrc(src string) (*funcs.Package, error) {
	return funcs.Parse(testDir, []funcs.SourceFile{{Name: "a.go", Src: []byte(src)}})
}

// mustParse parses src as parseSrc does and fails the test on error.
func mustParse(t *testing.T, src string) *funcs.Package {
	t.Helper()
	pkg, err := parseSrc(src)
	if err != nil {
		t.Fatalf("Parse: unexpected error:\n%s", lines(err))
	}
	return pkg
}

// lines shows every error of err, one per line.
func lines(err error) string {
	var list funcs.ErrorList
	if errors.As(err, &list) {
		return list.Lines()
	}
	return fmt.Sprint(err)
}

// errorList returns the ErrorList inside err, failing the test if there is
// none.
func errorList(t *testing.T, err error) funcs.ErrorList {
	t.Helper()
	if err == nil {
		t.Fatal("Parse succeeded, want an error")
	}
	var list funcs.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v (%T) is not an ErrorList", err, err)
	}
	return list
}

// where formats the position of e as base-name:line:col.
func where(e *funcs.SourceError) string {
	return fmt.Sprintf("%s:%d:%d", filepath.Base(e.Pos.Filename), e.Pos.Line, e.Pos.Column)
}

// wantErr is one expected error: its position as file:line:col and words
// its message must contain.
type wantErr struct {
	pos   string
	words []string
}

// checkErrors checks that err holds exactly the errors want, in order.
func checkErrors(t *testing.T, err error, want ...wantErr) {
	t.Helper()
	list := errorList(t, err)
	if len(list) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%s", len(list), len(want), list.Lines())
	}
	for i, w := range want {
		e := list[i]
		if got := where(e); got != w.pos {
			t.Errorf("error %d at %s, want %s: %s", i, got, w.pos, e.Msg)
		}
		for _, word := range w.words {
			if !strings.Contains(e.Msg, word) {
				t.Errorf("error %d %q does not contain %q", i, e.Msg, word)
			}
		}
	}
}

// colOf returns the 1-based column of the first occurrence of marker in
// line n (1-based) of src.
func colOf(t *testing.T, src string, n int, marker string) int {
	t.Helper()
	ls := strings.Split(src, "\n")
	if n > len(ls) {
		t.Fatalf("source has no line %d", n)
	}
	i := strings.Index(ls[n-1], marker)
	if i < 0 {
		t.Fatalf("line %d %q has no %q", n, ls[n-1], marker)
	}
	return i + 1
}

// lineOf returns the 1-based line of the first line of src containing
// marker.
func lineOf(t *testing.T, src, marker string) int {
	t.Helper()
	for i, l := range strings.Split(src, "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	t.Fatalf("source has no line with %q", marker)
	return 0
}

// service returns the service named name of pkg.
func service(t *testing.T, pkg *funcs.Package, name string) *funcs.Descriptor {
	t.Helper()
	for _, d := range pkg.Services {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no service %s", name)
	return nil
}
