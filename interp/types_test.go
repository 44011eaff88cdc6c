package interp

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
)

// exportFiles returns the export data files of paths and of what the
// declaration of package microfn imports, as the go command gives them.
func exportFiles(t *testing.T, paths ...string) map[string]string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-export", "-f", "{{.ImportPath}}\t{{.Export}}"}, append(paths, APIImports()...)...)...).Output()
	if err != nil {
		t.Skipf("no export data from the go command: %v", err)
	}
	files := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if p, f, ok := strings.Cut(line, "\t"); ok && f != "" {
			files[p] = f
		}
	}
	return files
}

func TestTypesWarm(t *testing.T) {
	t.Parallel()
	files := exportFiles(t, "fmt")
	types := NewTypes(files)
	types.Warm()
	// What Warm read is kept: the importer gives the packages it read.
	types.tc.mu.Lock()
	fmtPkg, err := types.tc.Import("fmt")
	stub := types.tc.stub
	types.tc.mu.Unlock()
	if err != nil || stub == nil {
		t.Fatalf("after Warm: fmt %v, %v; stub of microfn %v", fmtPkg, err, stub)
	}

	// A Loader given the Types checks with them: a package that uses fmt
	// and microfn checks, and one with a type error fails as without.
	loader := NewLoader(Options{Types: types})
	tests := []struct {
		name, src, wantErr string
	}{
		{"uses fmt and microfn", "package a\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/microfn/microfn\"\n)\n\n//microfn:service\nfunc F(x int) (string, error) {\n\tif x < 0 {\n\t\treturn \"\", microfn.Error(400, \"negative\")\n\t}\n\treturn fmt.Sprint(x), nil\n}\n", ""},
		{"a type error", "package a\n\nimport \"fmt\"\n\n//microfn:service\nfunc F(x int) int { return fmt.Sprint(x) }\n", "cannot use fmt.Sprint(x)"},
	}
	for _, tt := range tests {
		src, err := funcs.Parse("/src/a", []funcs.SourceFile{{Name: "a.go", Src: []byte(tt.src)}})
		if err != nil {
			t.Fatalf("%s: parse: %v", tt.name, err)
		}
		_, err = loader.Prepare(src)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: Prepare: %v", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: Prepare = %v, want an error with %q", tt.name, err, tt.wantErr)
		}
	}
	types.tc.mu.Lock()
	again, _ := types.tc.Import("fmt")
	types.tc.mu.Unlock()
	if again != fmtPkg {
		t.Error("the Loader read fmt's export data again instead of using what Warm read")
	}
}

func TestTypesUse(t *testing.T) {
	t.Parallel()
	types := NewTypes(map[string]string{"fmt": "/export/fmt.a"})
	if !types.Use(map[string]string{"fmt": "/export/fmt.a", "strings": "/export/strings.a"}) {
		t.Fatal("Use refused the same file and a new one")
	}
	if rc, err := types.open("strings"); err == nil {
		rc.Close()
		t.Fatal("opened a file that does not exist")
	} else if strings.Contains(err.Error(), "no export data") {
		t.Fatalf("Use did not add strings: %v", err)
	}
	if types.Use(map[string]string{"fmt": "/other/fmt.a"}) {
		t.Fatal("Use took another file for a package it has one of")
	}
}
