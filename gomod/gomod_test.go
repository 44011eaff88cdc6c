package gomod_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/gomod"
)

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// moduleWith writes files into a new module directory and returns the
// module and the files of its package in rel.
func moduleWith(t *testing.T, files map[string]string, rel string) (*gomod.Module, []funcs.SourceFile) {
	t.Helper()
	root := t.TempDir()
	write(t, root, files)
	mod, err := gomod.Find(root, funcs.Limits{})
	if err != nil || mod == nil {
		t.Fatalf("Find: %v, %v", mod, err)
	}
	src, err := funcs.ReadDir(filepath.Join(root, rel), funcs.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return mod, src
}

// TestImportSource resolves every kind of import of a module whose
// required modules are in a module cache of the test's own.
func TestImportSource(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("GOMODCACHE", cache)
	write(t, cache, map[string]string{
		"example.com/!upper/lib@v1.2.0/lib.go":      "package lib\n\nconst V = 1\n",
		"example.com/!upper/lib@v1.2.0/sub/sub.go":  "package sub\n",
		"example.com/other@v0.1.0/other.go":         "package other\n",
		"example.com/other/nested@v0.3.0/nested.go": "package nested\n",
	})
	root := t.TempDir()
	write(t, root, map[string]string{
		"go.mod": `module example.com/app

go 1.22

require (
	example.com/Upper/lib v1.2.0
	example.com/other v0.1.0
	example.com/other/nested v0.3.0
	example.com/gone v1.0.0
	example.com/local v0.0.0
)

replace example.com/local => ./third_party/local
`,
		"svc/util/util.go":           "package util\n",
		"svc/api/api.go":             "package api\n",
		"lib/outside.go":             "package lib\n",
		"third_party/local/local.go": "package local\n",
	})
	mod, err := gomod.Find(filepath.Join(root, "svc"), funcs.Limits{})
	if err != nil || mod == nil {
		t.Fatalf("Find: %v, %v", mod, err)
	}
	if mod.Path != "example.com/app" || mod.Dir != root {
		t.Errorf("module %s at %s", mod.Path, mod.Dir)
	}
	if got := mod.ImportPath(filepath.Join(root, "svc", "api")); got != "example.com/app/svc/api" {
		t.Errorf("ImportPath = %s", got)
	}
	tests := []struct {
		path    string
		dir     string // of the package found, relative to its root; "" if none
		ok      bool
		errWant string
	}{
		{path: "example.com/app/svc/util", dir: filepath.Join(root, "svc", "util"), ok: true},
		{path: "example.com/app/lib", errWant: "outside the served folder"},
		{path: "example.com/app/svc/none", errWant: "does not exist"},
		{path: "strings", ok: false},
		{path: "example.com/Upper/lib", dir: filepath.Join(cache, "example.com", "!upper", "lib@v1.2.0"), ok: true},
		{path: "example.com/Upper/lib/sub", dir: filepath.Join(cache, "example.com", "!upper", "lib@v1.2.0", "sub"), ok: true},
		{path: "example.com/other/nested", dir: filepath.Join(cache, "example.com", "other", "nested@v0.3.0"), ok: true},
		{path: "example.com/local", dir: filepath.Join(root, "third_party", "local"), ok: true},
		{path: "example.com/gone", errWant: "go mod download example.com/gone"},
		{path: "example.com/unknown/x", errWant: "go get example.com/unknown/x"},
		{path: "example.com/other/missing", errWant: "has no package example.com/other/missing"},
	}
	for _, tc := range tests {
		pkg, ok, err := mod.ImportSource(tc.path)
		switch {
		case tc.errWant != "":
			if err == nil || !strings.Contains(err.Error(), tc.errWant) {
				t.Errorf("%s: err %v, want %q", tc.path, err, tc.errWant)
			}
		case err != nil || ok != tc.ok:
			t.Errorf("%s: ok %v err %v, want ok %v", tc.path, ok, err, tc.ok)
		case ok && (pkg.Dir != tc.dir || pkg.ImportPath != tc.path):
			t.Errorf("%s: package %s at %s, want %s", tc.path, pkg.ImportPath, pkg.Dir, tc.dir)
		}
	}
}

// TestVendor: with vendor/modules.txt, required modules' packages come
// from vendor/.
func TestVendor(t *testing.T) {
	t.Setenv("GOMODCACHE", t.TempDir())
	root := t.TempDir()
	write(t, root, map[string]string{
		"go.mod":                        "module example.com/v\n\ngo 1.22\n\nrequire example.com/dep v1.0.0\n",
		"vendor/modules.txt":            "# example.com/dep v1.0.0\n## explicit\nexample.com/dep\n",
		"vendor/example.com/dep/dep.go": "package dep\n",
	})
	mod, err := gomod.Find(root, funcs.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	pkg, ok, err := mod.ImportSource("example.com/dep")
	if err != nil || !ok || pkg.Dir != filepath.Join(root, "vendor", "example.com", "dep") {
		t.Fatalf("ImportSource: %v %v %v", pkg, ok, err)
	}
	if !mod.Vendored() {
		t.Error("not vendored")
	}
}

// TestLocalDeps lists the module's packages a package imports, directly
// or not, and changes its hash when one of them changes.
func TestLocalDeps(t *testing.T) {
	mod, files := moduleWith(t, map[string]string{
		"go.mod":     "module example.com/d\n\ngo 1.22\n",
		"a/a.go":     "package a\n\nimport \"example.com/d/b\"\n",
		"b/b.go":     "package b\n\nimport (\n\t\"strings\"\n\n\t\"example.com/d/c\"\n)\n",
		"c/c.go":     "package c\n",
		"lone/l.go":  "package lone\n",
		"cmd/x/x.go": "package main\n",
	}, "a")
	root := mod.Dir
	rels, sum := mod.LocalDeps(files)
	if !slices.Equal(rels, []string{"b", "c"}) {
		t.Errorf("LocalDeps = %v, want [b c]", rels)
	}
	write(t, root, map[string]string{"c/c.go": "package c\n\nconst X = 1\n"})
	if _, sum2 := mod.LocalDeps(files); sum2 == sum {
		t.Error("the hash did not change with c")
	}
	if mod.Changed() {
		t.Error("Changed before go.mod changed")
	}
	write(t, root, map[string]string{"go.mod": "module example.com/d\n\ngo 1.23\n"})
	if !mod.Changed() {
		t.Error("Changed is false after go.mod changed")
	}
}

// TestNotInModule: outside a module, Find finds none, and NoModule
// explains what an import outside the standard library needs.
func TestNotInModule(t *testing.T) {
	dir := t.TempDir()
	if mod, err := gomod.Find(dir, funcs.Limits{}); err != nil || mod != nil {
		// A go.mod above the temporary directory would be a surprise of
		// the machine, not of the code.
		if mod != nil {
			t.Skipf("%s is inside module %s", dir, mod.Path)
		}
		t.Fatal(err)
	}
	if _, ok, err := (gomod.NoModule{}).ImportSource("strings"); ok || err != nil {
		t.Errorf("strings: %v %v", ok, err)
	}
	if _, _, err := (gomod.NoModule{}).ImportSource("github.com/x/y"); err == nil || !strings.Contains(err.Error(), "go mod init") {
		t.Errorf("github.com/x/y: %v", err)
	}
}

// TestSnapshot: a snapshot reads each package directory once, so the
// packages loaded together see the same files while one changes.
func TestSnapshot(t *testing.T) {
	mod, files := moduleWith(t, map[string]string{
		"go.mod":   "module example.com/s\n\ngo 1.22\n",
		"lib/l.go": "package lib\n\nconst V = 1\n",
		"a/a.go":   "package a\n\nimport \"example.com/s/lib\"\n",
	}, "a")
	root := mod.Dir
	snap := mod.Snapshot()
	_, before := snap.LocalDeps(files)
	write(t, root, map[string]string{"lib/l.go": "package lib\n\nconst V = 2\n"})
	if _, after := snap.LocalDeps(files); after != before {
		t.Error("the snapshot read lib again")
	}
	pkg, ok, err := snap.ImportSource("example.com/s/lib")
	if err != nil || !ok || !strings.Contains(string(pkg.Files[0].Src), "V = 1") {
		t.Errorf("ImportSource through the snapshot: %v %v, want the first lib", ok, err)
	}
	if _, fresh := mod.LocalDeps(files); fresh == before {
		t.Error("the module's own LocalDeps did not read lib anew")
	}
}

// TestLocalDepsMissing: a package that is imported but missing is a
// dependency too, and its arrival changes the hash.
func TestLocalDepsMissing(t *testing.T) {
	mod, files := moduleWith(t, map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.22\n",
		"a/a.go": "package a\n\nimport \"example.com/m/gone\"\n",
	}, "a")
	root := mod.Dir
	rels, before := mod.LocalDeps(files)
	if !slices.Equal(rels, []string{"gone"}) {
		t.Errorf("LocalDeps = %v, want [gone]", rels)
	}
	write(t, root, map[string]string{"gone/g.go": "package gone\n"})
	if _, after := mod.LocalDeps(files); after == before {
		t.Error("the hash did not change when the package appeared")
	}
}
