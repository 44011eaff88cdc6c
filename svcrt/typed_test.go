package svcrt

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/wire"
)

// TestHostFuncType: a service gets a typed proxy exactly when every type of
// its signature exists outside the interpreter, and the proxy's type is the
// signature's.
func TestHostFuncType(t *testing.T) {
	src := `package a

import (
	"context"
	"time"
)

type Point struct{ X int }
type Celsius float64
type Alias = int
type MyByte byte

//microfn:service
func Basic(a int, b string, c bool, d float64, e rune) (uint8, error) { return 0, nil }
//microfn:service
func Composite(a []int, b map[string][]string, c *int, d [2]bool, e []byte, f time.Time, g time.Duration, h Alias) {}
//microfn:service
func Ctx(ctx context.Context, xs ...string) string { return "" }
//microfn:service
func Struct(p Point) int { return 0 }
//microfn:service
func Named(c Celsius) int { return 0 }
//microfn:service
func Nested(m map[string]*Point) int { return 0 }
//microfn:service
func Any(v any) int { return 0 }
//microfn:service
func NamedBytes(b []MyByte) int { return 0 }
//microfn:service
func Anon(p struct{ X int }) int { return 0 }
`
	pkg, err := funcs.Parse(".", []funcs.SourceFile{{Name: "a.go", Src: []byte(src)}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]reflect.Type{
		"Basic":     reflect.TypeOf(func(int, string, bool, float64, rune) (uint8, error) { return 0, nil }),
		"Composite": reflect.TypeOf(func([]int, map[string][]string, *int, [2]bool, []byte, time.Time, time.Duration, int) {}),
		"Ctx":       reflect.TypeOf(func(ctx context.Context, xs ...string) string { return "" }),
		// Types of the package, and any, stay inside the interpreter.
		"Struct": nil, "Named": nil, "Nested": nil, "Any": nil, "NamedBytes": nil, "Anon": nil,
	}
	for _, d := range pkg.Services {
		got, ok := hostFuncType(d)
		if w := want[d.Name]; ok != (w != nil) || got != w {
			t.Errorf("hostFuncType(%s) = %v, %v; want %v", d.Name, got, ok, w)
		}
	}
}

// TestHostTypesComplete checks that every kind says whether its types
// exist outside the interpreter, and that those that do have the host
// types wire registers for them (see wire.Codec.Register).
func TestHostTypesComplete(t *testing.T) {
	t.Parallel()
	intType := &funcs.Type{Kind: funcs.Int}
	for k := range funcs.Kinds() {
		t.Run(k.String(), func(t *testing.T) {
			t.Parallel()
			if int(k) >= len(hostTypes) || hostTypes[k] == nil {
				t.Fatalf("kind %s (%d) has no entry in hostTypes (svcrt/typed.go)", k, int(k))
			}
			typ := &funcs.Type{Kind: k, Elem: intType, Key: &funcs.Type{Kind: funcs.String}, Len: 2}
			rt, ok := hostType(typ)
			if !ok {
				return
			}
			if err := wire.NewCodec().Register(typ, rt); err != nil {
				t.Errorf("the host type of %s is %s, which wire refuses: %v", typ, rt, err)
			}
		})
	}
}
