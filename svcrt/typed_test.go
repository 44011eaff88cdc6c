package svcrt

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/microfn/microfn/funcs"
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
