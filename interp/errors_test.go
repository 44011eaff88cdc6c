package interp_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
)

// TestLoadErrors checks that problems are reported as file:line:col:
// message in the user's files.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		opts  interp.Options
		// want are the errors, in order, as base name:line:col, then a
		// text the message contains.
		want [][2]string
	}{
		{
			name: "syntax",
			files: map[string]string{"a.go": `package a

//microfn:service
func S() int {
	return 1 +
}
`},
			want: [][2]string{{"a.go:6:1", "expected operand"}},
		},
		{
			name: "undefined",
			files: map[string]string{"a.go": `package a

//microfn:service
func S() int {
	return missing + 1
}
`},
			want: [][2]string{{"a.go:5:9", "undefined: missing"}},
		},
		{
			name: "argument type",
			files: map[string]string{"a.go": `package a

import "strings"

//microfn:service
func S() string {
	return strings.Repeat(3, "x")
}
`},
			want: [][2]string{{"a.go:7:24", "cannot use 3"}, {"a.go:7:27", `cannot use "x"`}},
		},
		{
			name: "second file",
			files: map[string]string{
				"a.go": `package a

//microfn:service
func S() int { return helper() }
`,
				"b.go": `package a

import "fmt"

func helper() int {
	var s string = fmt.Sprint(1)
	return s
}
`},
			want: [][2]string{{"b.go:7:9", "cannot use s"}},
		},
		{
			name: "both files",
			files: map[string]string{
				"a.go": `package a

//microfn:service
func S() int { return nope }
`,
				"b.go": `package a

var x int = "s"
`},
			want: [][2]string{{"a.go:4:23", "undefined: nope"}, {"b.go:3:13", "cannot use"}},
		},
		{
			// The rewrite inserts an import after the package clause; type
			// errors come from the original source.
			name: "line 1",
			files: map[string]string{"a.go": `package a; var x int = "s"

//microfn:service
func S() int { return x }
`},
			want: [][2]string{{"a.go:1:24", "cannot use"}},
		},
		{
			// An error only the interpreter finds, on the line where the
			// rewrite inserted the import: the column is the user's.
			name: "line 1 interpreter",
			// (Two blank fields: reflect.StructOf refuses the names the
			// interpreter gives them.)
			files: map[string]string{"a.go": `package a; type T struct{ _ int; _ string; X int }; func f() int { return T{X: 1}.X }

//microfn:service
func S() int { return f() }
`},
			want: [][2]string{{"a.go:1:75", "the interpreter failed"}},
		},
		{
			name: "unrestricted import",
			files: map[string]string{"a.go": `package a

import "os/exec"

//microfn:service
func S() string { return exec.Command("true").Path }
`},
			want: [][2]string{{"a.go:3:8", "--unrestricted"}},
		},
		{
			name: "unavailable import",
			files: map[string]string{"a.go": `package a

import (
	"fmt"

	bar "github.com/foo/bar"
)

//microfn:service
func S() string { return fmt.Sprint(bar.X) }
`},
			want: [][2]string{{"a.go:6:6", `import "github.com/foo/bar" is not available to services`}},
		},
		{
			name: "range over a type the file cannot name",
			files: map[string]string{
				"a.go": `package a

//microfn:service
func S() int {
	n := 0
	for range dur() {
		n++
	}
	return n
}
`,
				"b.go": `package a

import "time"

func dur() time.Duration { return 3 }
`},
			want: [][2]string{{"a.go:6:12", "range over a time.Duration, whose package this file does not import, is not supported by microfn's interpreter: import it, or range over int64(n)"}},
		},
		{
			name: "go with a multi-value argument",
			files: map[string]string{"a.go": `package a

func two() (int, string) { return 1, "" }

func use(int, string) {}

//microfn:service
func S() int {
	go use(two())
	return 1
}
`},
			want: [][2]string{{"a.go:9:9", "go f(g()) with g returning several values is not supported"}},
		},
		{
			name: "service called while the package initialises",
			files: map[string]string{"a.go": `package a

//microfn:service
func Fib(n int) int { return n }

var early = Fib(3)

var (
	later  = func() int { return Fib(1) } // runs when called: fine
	ref    = Fib                           // a reference, not a call: fine
	nested = []int{1 + (Fib)(2)}
)

func init() {
	go func() { _ = Fib(4) }() // may run later: left to run time
	Fib := func(int) int { return 0 }
	_ = Fib(5) // the local Fib
}

func init() {
	_ = Fib(6)
}
`},
			want: [][2]string{
				{"a.go:6:13", "the initialiser of package-level variable early calls service Fib while the package initialises"},
				{"a.go:11:22", "variable nested calls service Fib"},
				{"a.go:21:6", "init calls service Fib"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadFiles(t, tt.files, tt.opts, nil)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			var list funcs.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %v (%T), want a funcs.ErrorList", err, err)
			}
			var got []string
			for _, e := range list {
				got = append(got, fmt.Sprintf("%s:%d:%d: %s", filepath.Base(e.Pos.Filename), e.Pos.Line, e.Pos.Column, e.Msg))
			}
			if len(got) != len(tt.want) {
				t.Fatalf("errors:\n%s\nwant %d", strings.Join(got, "\n"), len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i], w[0]+": ") || !strings.Contains(got[i], w[1]) {
					t.Errorf("error %d = %s\nwant %s: …%s…", i, got[i], w[0], w[1])
				}
				if dir := filepath.Dir(list[i].Pos.Filename); !filepath.IsAbs(dir) {
					t.Errorf("error %d names file %s, want the user's path", i, list[i].Pos.Filename)
				}
			}
		})
	}
}

func TestUnrestrictedImport(t *testing.T) {
	files := map[string]string{"a.go": `package a

import "os/exec"

//microfn:service
func S() string { return exec.Command("true").Args[0] }
`}
	pkg := mustLoad(t, files, interp.Options{Unrestricted: true}, nil)
	if got := mustInvoke(t, service(t, pkg, "S"), ""); got != `"true"` {
		t.Errorf("S() = %s", got)
	}
}

// TestMultiFile loads a package whose files share variables, types and
// services and each have an init function.
func TestMultiFile(t *testing.T) {
	pkg := mustLoad(t, map[string]string{
		"a.go": `package a

import "strings"

var names []string

func init() { names = append(names, "a") }

// Greeting is declared in b.go's package.
//
//microfn:service
func Greet(p Person) Greeting {
	return Greeting{Text: strings.Repeat("hi ", times) + p.Name, Inits: strings.Join(names, ",")}
}
`,
		"b.go": `package a

var times = 1

func init() {
	names = append(names, "b")
	times++
}

type Person struct{ Name string }

type Greeting struct {
	Text  string
	Inits string
}

//microfn:service
func Twice(name string) string {
	return Greet(Person{Name: name}).Text + "/" + Greet(Person{Name: name}).Inits
}
`,
	}, interp.Options{}, nil)
	if got := mustInvoke(t, service(t, pkg, "Twice"), `{"name":"x"}`); got != `"hi hi x/a,b"` {
		t.Errorf("Twice = %s", got)
	}
}

// TestServiceCalledDuringInit: a call the static check cannot see (from a
// function literal that a variable's initialiser calls) fails the load
// with a message saying what happened, not an index out of range.
func TestServiceCalledDuringInit(t *testing.T) {
	_, err := loadFiles(t, map[string]string{"a.go": `package a

//microfn:service
func Fib(n int) int { return n }

var early = func() int { return Fib(3) }()
`}, interp.Options{}, nil)
	if err == nil || !strings.Contains(err.Error(), "Fib was called while its package initialises") {
		t.Fatalf("Load = %v, want an error saying Fib was called while the package initialises", err)
	}
}
