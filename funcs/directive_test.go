package funcs_test

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/microfn/microfn/funcs"
)

func TestDirectiveOptions(t *testing.T) {
	src := `package p

// Add adds.
//
//microfn:service retry=3 backoff=constant	base=5ms cap=1s jitter=20% budget=0 timeout=2s scale=4 queue=0 name=add.v2
func Add(a, b int) int { return a + b }
`
	pkg := mustParse(t, src)
	if len(pkg.Services) != 1 {
		t.Fatalf("got %d services, want 1", len(pkg.Services))
	}
	d := pkg.Services[0]
	if d.Name != "Add" || d.Route != "add.v2" {
		t.Errorf("Name, Route = %q, %q, want Add, add.v2", d.Name, d.Route)
	}
	if d.Doc != "Add adds." {
		t.Errorf("Doc = %q, want the doc comment without the directive", d.Doc)
	}
	want := []struct {
		key, value string
		col        int
	}{
		{"retry", "3", 19},
		{"backoff", "constant", 27},
		{"base", "5ms", 44},
		{"cap", "1s", 53},
		{"jitter", "20%", 60},
		{"budget", "0", 71},
		{"timeout", "2s", 80},
		{"scale", "4", 91},
		{"queue", "0", 99},
	}
	if len(d.Options) != len(want) {
		t.Fatalf("got options %+v, want %d (name= is not one of them)", d.Options, len(want))
	}
	for i, w := range want {
		o := d.Options[i]
		if o.Key != w.key || o.Value != w.value {
			t.Errorf("option %d = %s=%s, want %s=%s", i, o.Key, o.Value, w.key, w.value)
		}
		if o.Pos.Line != 5 || o.Pos.Column != w.col || o.Pos.Filename != filepath.Join(testDir, "a.go") {
			t.Errorf("option %s at %s, want pkg/a.go:5:%d", o.Key, o.Pos, w.col)
		}
	}
}

func TestDirectiveNoOptions(t *testing.T) {
	for _, directive := range []string{"//microfn:service", "//microfn:service   ", "//microfn:service\t"} {
		pkg := mustParse(t, "package p\n\n"+directive+"\nfunc F() {}\n")
		if len(pkg.Services) != 1 {
			t.Fatalf("%q: got %d services, want 1", directive, len(pkg.Services))
		}
		d := pkg.Services[0]
		if d.Route != "F" || len(d.Options) != 0 {
			t.Errorf("%q: Route %q, Options %v; want F and none", directive, d.Route, d.Options)
		}
	}
}

func TestDirectiveErrors(t *testing.T) {
	cases := []struct {
		name      string
		directive string // on line 3
		col       int
		words     []string
	}{
		{"retry not a number", "//microfn:service retry=x", 19, []string{"retry", `"x"`, "whole number"}},
		{"retry zero", "//microfn:service retry=0", 19, []string{"retry", `"0"`}},
		{"scale zero", "//microfn:service scale=0", 19, []string{"scale", `"0"`, ">= 1"}},
		{"timeout not a duration", "//microfn:service timeout=abc", 19, []string{"timeout", `"abc"`, "duration"}},
		{"negative base", "//microfn:service base=-1s", 19, []string{"base", `"-1s"`}},
		{"bad backoff", "//microfn:service backoff=linear", 19, []string{"backoff", `"linear"`, "exponential"}},
		{"jitter over 100", "//microfn:service jitter=101%", 19, []string{"jitter", `"101%"`}},
		{"second option bad", "//microfn:service retry=2 queue=-1", 27, []string{"queue", `"-1"`}},
		{"after tabs", "//microfn:service\tretry=1\t\tscale=x", 28, []string{"scale", `"x"`}},
		{"unknown key", "//microfn:service retries=3", 19, []string{
			"unknown option", `"retries"`, "known:", "name", "retry", "backoff", "base", "cap", "jitter", "budget", "timeout", "scale", "queue"}},
		{"repeated key", "//microfn:service retry=2 retry=3", 27, []string{`"retry"`, "twice"}},
		{"repeated name", "//microfn:service name=a name=b", 26, []string{`"name"`, "twice"}},
		{"missing =", "//microfn:service retry", 19, []string{`"retry"`, "key=value"}},
		{"missing key", "//microfn:service =3", 19, []string{`"=3"`, "key=value"}},
		{"bad route", "//microfn:service name=a/b", 19, []string{"name", `"a/b"`, "letters"}},
		{"empty route", "//microfn:service name=", 19, []string{"name", `""`}},
		{"route starting with a dot", "//microfn:service name=.x", 19, []string{"name", `".x"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseSrc("package p\n\n" + c.directive + "\nfunc F() {}\n")
			want := append([]string{funcs.Directive}, c.words...)
			checkErrors(t, err, wantErr{"a.go:3:" + strconv.Itoa(c.col), want})
		})
	}
}

func TestDirectiveSeveralErrors(t *testing.T) {
	// Every bad option is reported, not only the first.
	_, err := parseSrc("package p\n\n//microfn:service retry=x scale=0 foo=1 retry=2 bare\nfunc F() {}\n")
	checkErrors(t, err,
		wantErr{"a.go:3:19", []string{"retry", `"x"`}},
		wantErr{"a.go:3:27", []string{"scale", `"0"`}},
		wantErr{"a.go:3:35", []string{"unknown option", `"foo"`}},
		wantErr{"a.go:3:41", []string{`"retry"`, "twice"}},
		wantErr{"a.go:3:49", []string{`"bare"`, "key=value"}},
	)
}

func TestDirectiveTypos(t *testing.T) {
	for _, typo := range []string{"//microfn:servce", "//microfn:services", "//microfn:Service", "//microfn:service2 retry=1", "//microfn:"} {
		t.Run(typo, func(t *testing.T) {
			pkg, err := parseSrc("package p\n\n// F does nothing.\n" + typo + "\nfunc F() {}\n")
			if pkg != nil {
				t.Errorf("got a package with %d services, want none", len(pkg.Services))
			}
			checkErrors(t, err, wantErr{"a.go:4:1", []string{"unknown directive", "did you mean", funcs.Directive}})
		})
	}
}

func TestNotADirective(t *testing.T) {
	// Only a line starting with //microfn: is a directive.
	src := `package p

// microfn:service with a space is prose.
func F() {}

/*
//microfn:service inside a block comment is prose too.
*/
func G() {}
`
	pkg := mustParse(t, src)
	if len(pkg.Services) != 0 {
		t.Errorf("got services %v, want none", pkg.Services)
	}
}

func TestDirectivePlacement(t *testing.T) {
	cases := []struct {
		name  string
		src   string
		pos   string
		words []string
	}{
		{"method", `package p

type T int

// M is a method.
//
//microfn:service
func (T) M() {}
`, "a.go:7:1", []string{"method M", "top-level functions"}},
		{"pointer method", `package p

type T int

//microfn:service retry=2
func (*T) M() {}
`, "a.go:5:1", []string{"method M"}},
		{"type", `package p

// T is a type.
//
//microfn:service
type T int
`, "a.go:5:1", []string{funcs.Directive, "doc comment of a top-level function"}},
		{"var", `package p

//microfn:service
var V = 1
`, "a.go:3:1", []string{"doc comment of a top-level function"}},
		{"floating", `package p

//microfn:service

func F() {}
`, "a.go:3:1", []string{"doc comment of a top-level function", "no blank line"}},
		{"end of file", `package p

func F() {}

//microfn:service
`, "a.go:5:1", []string{"doc comment of a top-level function"}},
		{"inside a function", `package p

func F() {
	//microfn:service
	_ = 1
}
`, "a.go:4:2", []string{"doc comment of a top-level function"}},
		{"floating typo", `package p

//microfn:servce
`, "a.go:3:1", []string{"//microfn:servce", "doc comment"}},
		{"given twice", `package p

//microfn:service
//microfn:service retry=2
func F() {}
`, "a.go:4:1", []string{"twice", "F"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pkg, err := parseSrc(c.src)
			if pkg != nil {
				t.Errorf("got a package, want an error")
			}
			checkErrors(t, err, wantErr{c.pos, c.words})
		})
	}
}

func TestReservedRoutes(t *testing.T) {
	for _, route := range funcs.ReservedRoutes {
		t.Run(route, func(t *testing.T) {
			_, err := parseSrc("package p\n\n//microfn:service name=" + route + "\nfunc F() {}\n")
			checkErrors(t, err, wantErr{"a.go:4:6", []string{"service F", "/" + route, "reserved"}})
		})
	}
	// A function named like a reserved route, in any case, needs name=.
	for _, name := range []string{"Metrics", "Healthz", "Readyz", "Docs"} {
		t.Run(name, func(t *testing.T) {
			_, err := parseSrc("package p\n\n//microfn:service\nfunc " + name + "() {}\n")
			checkErrors(t, err, wantErr{"a.go:4:6", []string{"service " + name, "reserved", "name="}})
			pkg := mustParse(t, "package p\n\n//microfn:service name=my"+name+"\nfunc "+name+"() {}\n")
			if got := pkg.Services[0].Route; got != "my"+name {
				t.Errorf("Route = %q, want my%s", got, name)
			}
		})
	}
}

func TestDuplicateRoutes(t *testing.T) {
	src := `package p

//microfn:service
func A() {}

//microfn:service name=A
func B() {}

//microfn:service name=c
func C() {}

//microfn:service name=c
func D() {}
`
	_, err := parseSrc(src)
	checkErrors(t, err,
		wantErr{"a.go:7:6", []string{`route "A"`, "B", "already used by A", "a.go:4:6"}},
		wantErr{"a.go:13:6", []string{`route "c"`, "D", "already used by C", "a.go:10:6"}},
	)
}

func TestDuplicateRoutesAcrossFiles(t *testing.T) {
	files := []funcs.SourceFile{
		{Name: "b.go", Src: []byte("package p\n\n//microfn:service name=F\nfunc G() {}\n")},
		{Name: "a.go", Src: []byte("package p\n\n//microfn:service\nfunc F() {}\n")},
	}
	_, err := funcs.Parse(testDir, files)
	// Files are read in name order: a.go's F comes first.
	checkErrors(t, err, wantErr{"b.go:4:6", []string{`route "F"`, "G", "already used by F"}})
}
