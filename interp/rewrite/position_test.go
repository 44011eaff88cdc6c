package rewrite

import (
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
)

// TestGeneratedErrorVarPositions maps every line of the generated
// functions over the error variables to the variable's declaration, and
// the line of the functions calling a type's JSON and text methods to the
// type's.
func TestGeneratedErrorVarPositions(t *testing.T) {
	src, err := funcs.Parse("/src/pkg", []funcs.SourceFile{{Name: "a.go", Src: []byte(`package a

import "errors"

type Code string

func (c Code) Error() string { return string(c) }

var ErrX = errors.New("x")

const (
	Missing Code = "missing"
)

type ID [2]byte

func (ID) MarshalText() ([]byte, error) { return nil, nil }

func (*ID) UnmarshalText([]byte) error { return nil }
`)}})
	if err != nil {
		t.Fatal(err)
	}
	gen := generated(src, false, []string{"ErrX", "Missing"}, src.MarshalerTypes())
	want := map[string]string{"ErrX": "/src/pkg/a.go:9:5", "Missing": "/src/pkg/a.go:12:2", "ID": "/src/pkg/a.go:15:6"}
	lines := map[string]int{"ErrX": 2, "Missing": 2, "ID": 1}
	seen := map[string]int{}
	for i, line := range strings.Split(string(gen), "\n") {
		for name, pos := range want {
			if !strings.Contains(line, `"`+name+`"`) {
				continue
			}
			seen[name]++
			if got := generatedPosition(src, gen, i+1, 3).String(); got != pos {
				t.Errorf("line %d %q: got %s, want %s", i+1, line, got, pos)
			}
		}
	}
	for name, n := range lines {
		if seen[name] != n {
			t.Errorf("%s is on %d lines of the generated file, want %d:\n%s", name, seen[name], n, gen)
		}
	}
}
