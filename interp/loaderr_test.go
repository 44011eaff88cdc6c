package interp_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
)

// TestLoadErrorPositions loads packages that the interpreter cannot run
// or that fail while they initialise: every error names a position in the
// user's files (base name:line:col here) and says what to do.
func TestLoadErrorPositions(t *testing.T) {
	tests := []struct {
		name string
		src  string
		opts interp.Options
		want [][2]string // base name:line:col, a text the message contains
	}{
		{
			name: "recursive function type",
			src: `package a

import "fmt"

type F func(s string) F

func (f F) Then(s string) F { return f(s) }

func start(s string) F {
	fmt.Println(s)
	return start
}

//microfn:service
func S() string { F(start).Then("a"); return "ok" }
`,
			want: [][2]string{{"a.go:5:6", "type F refers to itself through a function type"}},
		},
		{
			name: "recursive pointer type",
			src: `package a

type Number *Number

//microfn:service
func S() int {
	e := new(Number)
	var x Number
	*e = x
	return 1
}
`,
			want: [][2]string{{"a.go:3:6", "type Number refers to itself through a pointer"}},
		},
		{
			name: "recursive types through slices and maps",
			src: `package a

type Tree []Tree

type M map[string]func() M

type A []B

type B map[int]A

type OK struct{ kids []OK; f func(OK) OK }

//microfn:service
func S() int { return len(Tree{}) }
`,
			want: [][2]string{
				{"a.go:3:6", "type Tree refers to itself through a slice"},
				{"a.go:5:6", "type M refers to itself through a map"},
				{"a.go:7:6", "type A refers to itself through a slice"},
				{"a.go:9:6", "type B refers to itself through a map"},
			},
		},
		{
			name: "reflect on methods",
			src: `package a

import "reflect"

type T struct{ n int }

func (t T) Get() int { return t.n }

type U int

func (u *U) Set(n int) { *u = U(n) }

type Plain struct{ A int }

//microfn:service
func S() int {
	t := T{1}
	v := reflect.ValueOf(t)
	n := v.NumMethod()
	m := reflect.ValueOf(&t).Elem().MethodByName("Get")
	var u U
	_ = reflect.TypeOf(&u).Method(0)
	_ = reflect.TypeFor[T]().NumMethod()
	_ = reflect.ValueOf(Plain{}).NumMethod() // no methods: nothing to see
	_ = m
	return n
}
`,
			want: [][2]string{
				{"a.go:19:9", "reflection cannot see the methods of T"},
				{"a.go:20:34", "reflection cannot see the methods of T"},
				{"a.go:22:25", "reflection cannot see the methods of U"},
				{"a.go:23:27", "reflection cannot see the methods of T"},
			},
		},
		{
			name: "init panic",
			src: `package a

func init() { panic("init failed") }

//microfn:service
func S() int { return 1 }
`,
			want: [][2]string{{"a.go:3:15", "panic while the package initialised: init failed"}},
		},
		{
			name: "initializer panic",
			src: `package a

var x = f()

func f() int {
	var m map[int]int
	m[1] = 1
	return 1
}

//microfn:service
func S() int { return x }
`,
			// (The interpreter reports the statement before the map
			// write: the position is the nearest it knows.)
			want: [][2]string{{"a.go:6:6", "panic while the package initialised: assignment to entry in nil map"}},
		},
		{
			name: "interpreter failure",
			src: `package a

type T struct {
	_ int
	_ string
	X int
}

//microfn:service
func S() int {
	return T{X: 1}.X
}
`,
			want: [][2]string{{"a.go:11:9", "the interpreter failed: CFG post-order panic: reflect.StructOf"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadFiles(t, map[string]string{"a.go": tt.src}, tt.opts, nil)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			var list funcs.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("not a funcs.ErrorList: %v", err)
			}
			if len(list) != len(tt.want) {
				t.Fatalf("%d errors, want %d:\n%s", len(list), len(tt.want), lines(err))
			}
			for i, w := range tt.want {
				p := list[i].Pos
				got := filepath.Base(p.Filename) + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
				if got != w[0] || !strings.Contains(list[i].Msg, w[1]) {
					t.Errorf("error %d: %s: %s\nwant %s: …%s…", i, got, list[i].Msg, w[0], w[1])
				}
				if strings.Contains(list[i].Msg, "%!") {
					t.Errorf("error %d is garbled: %s", i, list[i].Msg)
				}
			}
		})
	}
}

// TestBinaryVariables assigns a variable of a standard library package,
// which the interpreter refused as a constant with a garbled message.
func TestBinaryVariables(t *testing.T) {
	pkg := mustLoad(t, map[string]string{"a.go": `package a

import "runtime"

//microfn:service
func S() int {
	old := runtime.MemProfileRate
	runtime.MemProfileRate = 0
	n := runtime.MemProfileRate
	runtime.MemProfileRate = old
	return n
}
`}, interp.Options{Unrestricted: true}, nil)
	if got := mustInvoke(t, service(t, pkg, "S"), ""); got != "0" {
		t.Errorf("S() = %s, want 0", got)
	}
}

// TestLoadErrorIsAList checks that a run-time panic while the package
// initialises is one positioned error.
func TestLoadErrorIsAList(t *testing.T) {
	src := parsePackage(t, map[string]string{"a.go": "package a\n\nfunc init() { var p *int; _ = *p }\n\n//microfn:service\nfunc S() int { return 1 }\n"})
	_, err := interp.NewLoader(interp.Options{}).Load(context.Background(), src, direct)
	var list funcs.ErrorList
	if !errors.As(err, &list) || len(list) != 1 || !list[0].Pos.IsValid() {
		t.Fatalf("Load: %v, want one positioned error", err)
	}
	if !strings.Contains(list[0].Msg, "invalid memory address or nil pointer dereference") {
		t.Errorf("message %q", list[0].Msg)
	}
}
