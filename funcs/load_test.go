package funcs_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
)

func TestLoad(t *testing.T) {
	dir := filepath.Join("testdata", "ok")
	pkg, err := funcs.Load(dir)
	if err != nil {
		t.Fatalf("Load: %s", lines(err))
	}
	if pkg.Name != "shapes" || pkg.Dir != dir || pkg.Fset == nil {
		t.Errorf("Name %q, Dir %q", pkg.Name, pkg.Dir)
	}
	// shapes_test.go, ignored.go (//go:build ignore), .hidden.go, _draft.go
	// and notes.txt are not part of the package: their broken services are
	// never looked at.
	var names []string
	for _, f := range pkg.Files {
		names = append(names, f.Name)
		if f.Path != filepath.Join(dir, f.Name) || len(f.Src) == 0 || f.AST == nil {
			t.Errorf("file %s: Path %q, %d bytes", f.Name, f.Path, len(f.Src))
		}
	}
	if !slices.Equal(names, []string{"shapes.go"}) {
		t.Errorf("files %v, want [shapes.go]", names)
	}
	if len(pkg.Services) != 2 {
		t.Fatalf("got %d services, want 2", len(pkg.Services))
	}
	area, wait := pkg.Services[0], pkg.Services[1]
	if area.Name != "Area" || area.Route != "Area" || !area.Context || !area.Error || len(area.Params) != 2 ||
		area.Params[0].Name != "min" || area.Params[1].Name != "max" || area.Params[1].Type.Name != "Point" {
		t.Errorf("Area: %+v", area)
	}
	if area.Pos.Filename != filepath.Join(dir, "shapes.go") || area.Pos.Line != 19 || area.Pos.Column != 6 {
		t.Errorf("Area at %s, want shapes.go:19:6", area.Pos)
	}
	if got := area.Summary(); got != "Area returns the area of the rectangle between min and max." {
		t.Errorf("Summary = %q", got)
	}
	if len(area.Options) != 2 || area.Options[0].Key != "retry" || area.Options[1].Key != "timeout" || area.Options[1].Value != "2s" {
		t.Errorf("Area options: %+v", area.Options)
	}
	if wait.Route != "sleep" || len(wait.Params) != 1 || wait.Params[0].Type.Kind != funcs.Duration || wait.Summary() != "Wait sleeps for d." {
		t.Errorf("Wait: %+v", wait)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		dir   string
		pos   string
		words []string
	}{
		{"mixed", "b.go:1:9", []string{"package b", "package a", "one package"}},
		{"main", "main.go:1:9", []string{"package main", "cannot be served"}},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			pkg, err := funcs.Load(filepath.Join("testdata", c.dir))
			if pkg != nil {
				t.Errorf("got a package, want an error")
			}
			checkErrors(t, err, wantErr{c.pos, c.words})
		})
	}
}

func TestLoadEmpty(t *testing.T) {
	pkg, err := funcs.Load(filepath.Join("testdata", "empty"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pkg.Files) != 0 || len(pkg.Services) != 0 || pkg.Name != "" {
		t.Errorf("empty directory: %+v", pkg)
	}
}

func TestLoadMissingDir(t *testing.T) {
	_, err := funcs.Load(filepath.Join(t.TempDir(), "missing"))
	if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "read package directory") {
		t.Errorf("Load of a missing directory: %v", err)
	}
}

func TestParseSyntaxError(t *testing.T) {
	files := []funcs.SourceFile{
		{Name: "b.go", Src: []byte("package p\n\nfunc F( {}\n")},
		{Name: "a.go", Src: []byte("package p\n\n//microfn:service\nfunc G() {}\n")},
	}
	pkg, err := funcs.Parse(testDir, files)
	if pkg != nil {
		t.Error("got a package, want an error")
	}
	list := errorList(t, err)
	if len(list) == 0 || !strings.HasPrefix(where(list[0]), "b.go:3:") {
		t.Errorf("errors:\n%s", list.Lines())
	}
}

func TestParseSeveralFiles(t *testing.T) {
	files := []funcs.SourceFile{
		{Name: "z.go", Src: []byte("package p\n\n//microfn:service\nfunc Z(p Point) Point { return p }\n")},
		{Name: "a.go", Src: []byte("package p\n\n// Point is declared in another file.\ntype Point struct{ X int }\n\n//microfn:service\nfunc A() {}\n")},
	}
	pkg, err := funcs.Parse(testDir, files)
	if err != nil {
		t.Fatal(lines(err))
	}
	if len(pkg.Files) != 2 || pkg.Files[0].Name != "a.go" || pkg.Files[1].Name != "z.go" {
		t.Errorf("files not sorted by name")
	}
	if len(pkg.Services) != 2 || pkg.Services[0].Name != "A" || pkg.Services[1].Name != "Z" {
		t.Fatalf("services %v, want A then Z", pkg.Services)
	}
	p := pkg.Services[1].Params[0].Type
	if p.Name != "Point" || p.Doc != "Point is declared in another file." || filepath.Base(p.Pos.Filename) != "a.go" || p.Pos.Line != 4 {
		t.Errorf("Point: %+v", p)
	}
	if p != pkg.Services[1].Results[0] {
		t.Errorf("the same named type gives different *Type values")
	}

	// Errors in several files come sorted by file, then position.
	files = []funcs.SourceFile{
		{Name: "b.go", Src: []byte("package p\n\n//microfn:service\nfunc B(c chan int) {}\n")},
		{Name: "a.go", Src: []byte("package p\n\n//microfn:service\nfunc A(c chan int) {}\n\n//microfn:servce\nfunc C() {}\n")},
	}
	_, err = funcs.Parse(testDir, files)
	checkErrors(t, err,
		wantErr{"a.go:4:10", []string{"service A"}},
		wantErr{"a.go:6:1", []string{"unknown directive"}},
		wantErr{"b.go:4:10", []string{"service B"}},
	)
}

func TestErrorList(t *testing.T) {
	_, err := parseSrc("package p\n\n//microfn:service\nfunc A(c chan int, f func(), e error) {}\n")
	list := errorList(t, err)
	if len(list) != 3 {
		t.Fatalf("got %d errors", len(list))
	}
	first := filepath.Join(testDir, "a.go") + ":4:10: service A"
	if msg := err.Error(); !strings.HasPrefix(msg, first) || !strings.HasSuffix(msg, "(and 2 more errors)") {
		t.Errorf("Error() = %q", msg)
	}
	if got := strings.Count(list.Lines(), "\n"); got != 3 {
		t.Errorf("Lines() has %d lines, want 3", got)
	}
	var se *funcs.SourceError
	if !errors.As(err, &se) || se != list[0] {
		t.Errorf("errors.As does not find the first SourceError")
	}
	if got := funcs.ErrorList(nil).Error(); got != "no errors" {
		t.Errorf("empty list: %q", got)
	}
	if got := (&funcs.SourceError{Msg: "m"}).Error(); got != "m" {
		t.Errorf("error without position: %q", got)
	}
}

func TestIsSourceFile(t *testing.T) {
	for name, want := range map[string]bool{
		"a.go":         true,
		"a_linux.go":   true,
		"a_test.go":    false,
		".a.go":        false,
		"_a.go":        false,
		"a.go.txt":     false,
		"a.txt":        false,
		"go":           false,
		"test_a.go":    true,
		"a_test.go.go": true,
	} {
		if got := funcs.IsSourceFile(name); got != want {
			t.Errorf("IsSourceFile(%q) = %v, want %v", name, got, want)
		}
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.go", "package p\n")
	write(t, dir, "big.go", "package p\n\n// "+strings.Repeat("x", 200)+"\n")
	write(t, dir, "nul.go", "package p\n\x00\n")
	write(t, dir, "a_test.go", "package p\n")
	write(t, dir, "ignored.go", "//go:build ignore\n\npackage p\n")
	write(t, dir, "c.go", "package p\n")
	write(t, dir, "sub/s.go", "package sub\n")
	if err := os.Symlink(filepath.Join(dir, "a.go"), filepath.Join(dir, "link.go")); err != nil {
		t.Logf("no symbolic link: %v", err)
	}

	files, err := funcs.ReadDir(dir, funcs.Limits{MaxFileSize: 100})
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	if !slices.Equal(names, []string{"a.go", "c.go"}) {
		t.Errorf("files %v, want [a.go c.go]", names)
	}
	list := errorList(t, err)
	if len(list) != 3 {
		t.Fatalf("got %d errors, want 3:\n%s", len(list), list.Lines())
	}
	if list[0].Pos.Filename != filepath.Join(dir, "big.go") || !strings.Contains(list[0].Msg, "skipped") || !strings.Contains(list[0].Msg, "over the limit of 100") {
		t.Errorf("big.go: %v", list[0])
	}
	if list[1].Pos.Filename != filepath.Join(dir, "link.go") || !strings.Contains(list[1].Msg, "symbolic link") {
		t.Errorf("link.go: %v", list[1])
	}
	if list[2].Pos.Filename != filepath.Join(dir, "nul.go") || !strings.Contains(list[2].Msg, "skipped") || !strings.Contains(list[2].Msg, "NUL") {
		t.Errorf("nul.go: %v", list[2])
	}

	// Within the default limits only the binary file and the link are
	// problems.
	files, err = funcs.ReadDir(dir, funcs.Limits{})
	if len(files) != 3 || len(errorList(t, err)) != 2 {
		t.Errorf("default limits: %d files, error %v", len(files), err)
	}

	// MaxFiles counts the files read; every later source file is reported
	// (before its build constraints are looked at).
	files, err = funcs.ReadDir(dir, funcs.Limits{MaxFiles: 1, MaxFileSize: 100})
	list = errorList(t, err)
	if len(files) != 1 || files[0].Name != "a.go" || len(list) != 5 || !strings.Contains(list[1].Msg, "more than 1 files") {
		t.Errorf("MaxFiles 1: %d files, errors:\n%s", len(files), list.Lines())
	}

	// Load refuses a directory with a file it could not read.
	if _, err := funcs.Load(dir); err == nil {
		t.Error("Load succeeded with a binary file in the directory")
	}
}

func TestPackageDirs(t *testing.T) {
	dirs, err := funcs.PackageDirs(filepath.Join("testdata", "dirs"))
	if err != nil {
		t.Fatal(err)
	}
	// testdata, vendor, .hidden and _draft are skipped, docs has no Go file,
	// onlytests only a test file; "." comes once although m sorts between
	// a.go and z.go.
	if want := []string{".", "m", "m/sub"}; !slices.Equal(dirs, want) {
		t.Errorf("PackageDirs = %q, want %q", dirs, want)
	}

	if _, err := funcs.PackageDirs(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("PackageDirs of a missing root succeeded")
	}

	// The root itself is listed even if its name would be skipped below it.
	root := filepath.Join(t.TempDir(), "testdata")
	write(t, root, "x.go", "package x\n")
	write(t, root, "vendor/y.go", "package y\n")
	dirs, err = funcs.PackageDirs(root)
	if err != nil || !slices.Equal(dirs, []string{"."}) {
		t.Errorf("PackageDirs(testdata) = %q, %v", dirs, err)
	}

	// Symbolic links to directories are not followed.
	other := t.TempDir()
	write(t, other, "o.go", "package o\n")
	if err := os.Symlink(other, filepath.Join(root, "link")); err == nil {
		dirs, err = funcs.PackageDirs(root)
		if err != nil || !slices.Equal(dirs, []string{"."}) {
			t.Errorf("PackageDirs with a link = %q, %v", dirs, err)
		}
	}
}

func TestReadDirSkipsSymlinks(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.go"), []byte("package a\n\nvar Secret = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.go"), []byte("package a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.go"), filepath.Join(dir, "link.go")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	files, err := funcs.ReadDir(dir, funcs.Limits{})
	if len(files) != 1 || files[0].Name != "a.go" {
		t.Errorf("files %v, want a.go only", files)
	}
	if err == nil || !strings.Contains(err.Error(), "link.go: skipped: a symbolic link") {
		t.Errorf("error %v, want link.go reported as skipped", err)
	}
}
