package interp

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp/rewrite"
)

// TestSourceErrorPositions maps errors the interpreter reports in the
// generated file, in the proxies appended to a file and without a
// position to positions in the user's files.
func TestSourceErrorPositions(t *testing.T) {
	src, err := funcs.Parse("/src/pkg", []funcs.SourceFile{{Name: "a.go", Src: []byte(`package a

type A struct{ X int }

type B struct{ Y int }

//microfn:service
func Get(a A) B { return B{a.X} }

//microfn:service
func Add(x, y int) int { return x + y }
`)}})
	if err != nil {
		t.Fatal(err)
	}
	files, err := rewrite.ForInterpreter(src, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	virtualDir := "_pkg/src/microfn.local/pkg/src/pkg/"
	rewritten := strings.Split(string(files["a.go"]), "\n")
	proxyLine := 0
	for i, l := range rewritten {
		if strings.HasPrefix(l, "func Get(") {
			proxyLine = i + 1
		}
	}
	if proxyLine == 0 {
		t.Fatalf("no proxy of Get in\n%s", files["a.go"])
	}
	gen := string(files[rewrite.GeneratedFile])
	typesLine := strings.Count(gen[:strings.Index(gen, "var "+TypesVar)], "\n") + 1
	bCol := strings.Index(strings.Split(gen, "\n")[typesLine-1], "(*B)") + 2
	l := NewLoader(Options{})
	cases := []struct {
		err  string
		want string // base name:line:col: message
	}{
		{fmt.Sprintf("%sa.go:%d:3: undefined: x", virtualDir, proxyLine+1), "a.go:8:6: undefined: x"},
		{fmt.Sprintf("%s%s:%d:%d: CFG post-order panic: boom", virtualDir, rewrite.GeneratedFile, typesLine, bCol), "a.go:5:6: CFG post-order panic: boom"},
		{fmt.Sprintf("%sa.go:11:33: bad", virtualDir), "a.go:11:33: bad"},
		{interpFailed + "nil dereference", "a.go:1:1: the interpreter failed: nil dereference"},
		{"2:3: something in the loader's own code", "a.go:1:1: the interpreter failed: 2:3: something in the loader's own code"},
	}
	for _, c := range cases {
		err := l.sourceError([]loadedSource{{virtualDir, src, files}}, errors.New(c.err), nil)
		var list funcs.ErrorList
		if !errors.As(err, &list) || len(list) != 1 {
			t.Fatalf("%s: %v", c.err, err)
		}
		p := list[0].Pos
		got := fmt.Sprintf("%s:%d:%d: %s", filepath.Base(p.Filename), p.Line, p.Column, list[0].Msg)
		if got != c.want {
			t.Errorf("%s:\n\tgot  %s\n\twant %s", c.err, got, c.want)
		}
	}
	// A panic while the package initialised is placed where it happened.
	rec := &panicRecorder{}
	rec.line("/src/pkg/a.go:11:33: panic: microfn.local/pkg/src/pkg.Add(...)")
	rec.line("/src/pkg/a.go:8:1: panic: microfn.local/pkg/src/pkg.Get(...)")
	err = l.sourceError([]loadedSource{{virtualDir, src, files}}, errors.New(interpFailed+"boom"), rec)
	if got := errorLines(err); got != "/src/pkg/a.go:11:33: panic while the package initialised: boom" {
		t.Errorf("panic at init: %s", got)
	}
}

func errorLines(err error) string {
	var list funcs.ErrorList
	if errors.As(err, &list) {
		return strings.TrimSpace(list.Lines())
	}
	return err.Error()
}

// TestSourceErrorImportedPositions: an error the interpreter reports in a
// package imported from source (read from below the importer's directory)
// is placed in that package's own files.
func TestSourceErrorImportedPositions(t *testing.T) {
	mainSrc, err := funcs.Parse("/src/api", []funcs.SourceFile{{Name: "a.go", Src: []byte("package api\n\nfunc A() int { return 1 }\n")}})
	if err != nil {
		t.Fatal(err)
	}
	dep, err := funcs.Parse("/src/util", []funcs.SourceFile{{Name: "a.go", Src: []byte("package util\n\nfunc U() int { return 2 }\n")}})
	if err != nil {
		t.Fatal(err)
	}
	mainDir := virtualPath("example.com/m/api")
	depDir := virtualPath("example.com/m/api/vendor/example.com/m/util")
	loaded := []loadedSource{
		{virtualDir: mainDir, src: mainSrc, files: map[string][]byte{"a.go": mainSrc.Files[0].Src}},
		{virtualDir: depDir, src: dep, files: map[string][]byte{"a.go": dep.Files[0].Src}},
	}
	l := NewLoader(Options{})
	err = l.sourceError(loaded, errors.New(depDir+"a.go:3:15: boom\n"+mainDir+"a.go:3:6: bang"), nil)
	if got := errorLines(err); got != "/src/util/a.go:3:15: boom\n/src/api/a.go:3:6: bang" {
		t.Errorf("got\n%s", got)
	}
}
