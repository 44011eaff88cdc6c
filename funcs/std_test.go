package funcs_test

import (
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
)

func TestStdTypes(t *testing.T) {
	want := []string{"math/big.Int", "math/big.Float", "math/big.Rat", "net/netip.Addr", "net/netip.AddrPort", "net/netip.Prefix"}
	std := funcs.StdTypes()
	if len(std) != len(want) {
		t.Fatalf("StdTypes has %d types, want %d", len(std), len(want))
	}
	for i, s := range std {
		if s.QualifiedName() != want[i] {
			t.Errorf("StdTypes()[%d] = %s, want %s", i, s.QualifiedName(), want[i])
		}
		if s.Doc == "" || s.Example == "" {
			t.Errorf("%s has no Doc or Example", s)
		}
		// Only big.Int is a JSON number; only the netip types key maps
		// (their values have MarshalText; big's methods need a pointer).
		if s.Number != (s.Name == "Int") || s.Key != (s.Path == "net/netip") {
			t.Errorf("%s: Number %v Key %v", s, s.Number, s.Key)
		}
	}
	std[0] = nil // a copy: the list itself cannot be changed
	if funcs.StdTypes()[0] == nil {
		t.Error("StdTypes returns the list itself")
	}

	pkg := mustParse(t, typesHeader+`
//microfn:service
func F(a big.Int, b *big.Float, c map[netip.Addr]big.Rat, d ip.Prefix) {}
`)
	ps := pkg.Services[0].Params
	if a := ps[0].Type; a.Kind != funcs.Std || a.Std.QualifiedName() != "math/big.Int" || a.Name != "" {
		t.Errorf("big.Int: %v %+v", a.Kind, a.Std)
	}
	if b := ps[1].Type; b.Kind != funcs.Pointer || b.Elem.Kind != funcs.Std || b.Elem.Std.Name != "Float" {
		t.Errorf("*big.Float: %v", b)
	}
	if c := ps[2].Type; c.Key.Kind != funcs.Std || c.Key.Std.Name != "Addr" || c.Elem.Std.Name != "Rat" {
		t.Errorf("map[netip.Addr]big.Rat: key %v elem %v", c.Key, c.Elem)
	}
	if d := ps[3].Type; d.Std.QualifiedName() != "net/netip.Prefix" || d.String() != "netip.Prefix" {
		t.Errorf("ip.Prefix (a renamed import): %v", d)
	}
}

func TestIsMapKey(t *testing.T) {
	pkg := mustParse(t, typesHeader+`
//microfn:service
func F(a map[int]int, b map[Name]int, c map[uint8]int, d map[ID]int, e map[time.Duration]int, f map[time.Time]int, g map[netip.AddrPort]int) {}
`)
	for _, p := range pkg.Services[0].Params {
		if !funcs.IsMapKey(p.Type.Key) {
			t.Errorf("%s: IsMapKey(%s) = false", p.Name, p.Type.Key)
		}
		if !funcs.IsMapKey(p.Type.Elem) { // int is a key type too
			t.Errorf("%s: IsMapKey(int) = false", p.Name)
		}
	}
	for _, typ := range []*funcs.Type{
		{Kind: funcs.Bool}, {Kind: funcs.Float64}, {Kind: funcs.Any}, {Kind: funcs.Struct},
		{Kind: funcs.Pointer, Elem: &funcs.Type{Kind: funcs.String}}, {Kind: funcs.Std, Std: funcs.StdTypes()[0]},
	} {
		if funcs.IsMapKey(typ) {
			t.Errorf("IsMapKey(%s) = true", typ)
		}
	}
}

func TestParseAll(t *testing.T) {
	// ParseAll returns the package with the services it could describe,
	// beside every problem, for tools that check everything at once.
	files := []funcs.SourceFile{
		{Name: "a.go", Src: []byte("package p\n\n//microfn:service\nfunc Good(x int) int { return x }\n\n//microfn:service\nfunc Bad(c chan int) {}\n")},
		{Name: "b.go", Src: []byte("package p\n\n//microfn:service retry=x\nfunc Opts() {}\n\n//microfn:service\nfunc Good2(m map[int]string) {}\n")},
	}
	pkg, err := funcs.ParseAll(testDir, files)
	checkErrors(t, err,
		wantErr{"a.go:7:12", []string{`parameter "c"`, "channel"}},
		wantErr{"b.go:3:19", []string{"retry"}},
	)
	if pkg == nil || len(pkg.Files) != 2 {
		t.Fatalf("ParseAll returned no package or not its files: %+v", pkg)
	}
	var names []string
	for _, d := range pkg.Services {
		names = append(names, d.Name)
	}
	if got := strings.Join(names, " "); got != "Good Good2" {
		t.Errorf("services %q, want the two that could be described", got)
	}
	// Parse reports the same errors and no package.
	if pkg, err := funcs.Parse(testDir, files); pkg != nil || err == nil {
		t.Errorf("Parse = %v, %v; want nil and the errors", pkg, err)
	}

	// Without a package to check further, ParseAll returns none either.
	for _, src := range []string{"package p\n\nfunc F( {\n", "package main\n\nfunc main() {}\n"} {
		pkg, err := funcs.ParseAll(testDir, []funcs.SourceFile{{Name: "a.go", Src: []byte(src)}})
		if pkg != nil || err == nil {
			t.Errorf("ParseAll(%q) = %v, %v; want nil and an error", src, pkg, err)
		}
	}
	pkg, err = funcs.ParseAll(testDir, []funcs.SourceFile{{Name: "a.go", Src: []byte("package p\n")}, {Name: "b.go", Src: []byte("package q\n")}})
	if pkg != nil || err == nil {
		t.Errorf("ParseAll of two packages = %v, %v", pkg, err)
	}
	pkg, err = funcs.ParseAll(testDir, files[:1])
	if pkg == nil || err == nil {
		t.Errorf("ParseAll with one bad service = %v, %v", pkg, err)
	}
}
