package funcs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
)

// typesHeader declares what the type expressions of the tests below use.
// Services follow it, one per line.
const typesHeader = `package p

import (
	"context"
	"math/big"
	"net/netip"
	"net/url"
	ip "net/netip"
	tm "time"
	"time"
)

const N = 4

const (
	M int = 0x2
	Big = 1_000
)

var n = 3

type Name string
type MyByte byte
type Ints []int
type Celsius float64
type Bag map[Name]Celsius
type Ptr *int
type Grid [N][M]int
type Any any
type Empty interface{}
type Alias = Point
type Point struct{ X, Y float64 }
type Node struct {
	Value int
	Next  *Node
	Kids  []Node
	ByKey map[string]*Node
}
type Tree map[string]Tree
type List []List
type G[T any] struct{ V T }
type Shape interface{ Area() float64 }
type Err error
type Ctx context.Context
type Chan chan int
type HasChan struct{ C chan int }
type Stamp time.Time
type When = time.Time
type ID int
type Amount big.Int
type Money = big.Int
type Flag bool

var _ = url.Parse
var _ = time.Now
var _ = tm.Now
var _ = big.NewInt
var _ = netip.ParseAddr
var _ = ip.ParseAddr
`

func TestSupportedTypes(t *testing.T) {
	cases := []struct {
		expr string
		kind funcs.Kind
		str  string // Type.String()
	}{
		{"bool", funcs.Bool, "bool"},
		{"int", funcs.Int, "int"},
		{"int8", funcs.Int8, "int8"},
		{"int16", funcs.Int16, "int16"},
		{"int32", funcs.Int32, "int32"},
		{"rune", funcs.Int32, "int32"},
		{"int64", funcs.Int64, "int64"},
		{"uint", funcs.Uint, "uint"},
		{"uint8", funcs.Uint8, "uint8"},
		{"byte", funcs.Uint8, "uint8"},
		{"uint16", funcs.Uint16, "uint16"},
		{"uint32", funcs.Uint32, "uint32"},
		{"uint64", funcs.Uint64, "uint64"},
		{"uintptr", funcs.Uintptr, "uintptr"},
		{"float32", funcs.Float32, "float32"},
		{"float64", funcs.Float64, "float64"},
		{"string", funcs.String, "string"},
		{"[]byte", funcs.Bytes, "[]byte"},
		{"[]uint8", funcs.Bytes, "[]byte"},
		{"[]MyByte", funcs.Bytes, "[]MyByte"}, // base64, as encoding/json does
		{"[]int", funcs.Slice, "[]int"},
		{"[][]string", funcs.Slice, "[][]string"},
		{"[][]byte", funcs.Slice, "[][]byte"},
		{"[3]int", funcs.Array, "[3]int"},
		{"[N]int", funcs.Array, "[4]int"},
		{"[M]bool", funcs.Array, "[2]bool"},
		{"[Big]byte", funcs.Array, "[1000]uint8"},
		{"[0x10]int", funcs.Array, "[16]int"},
		{"[(N)]int", funcs.Array, "[4]int"},
		{"[2][3]int", funcs.Array, "[2][3]int"},
		{"map[string]int", funcs.Map, "map[string]int"},
		{"map[Name]int", funcs.Map, "map[Name]int"},
		{"map[string][]*Point", funcs.Map, "map[string][]*Point"},
		{"map[int]string", funcs.Map, "map[int]string"},
		{"map[uint8]bool", funcs.Map, "map[uint8]bool"},
		{"map[int64][]int", funcs.Map, "map[int64][]int"},
		{"map[uintptr]int", funcs.Map, "map[uintptr]int"},
		{"map[ID]Point", funcs.Map, "map[ID]Point"},
		{"map[time.Duration]int", funcs.Map, "map[time.Duration]int"},
		{"map[time.Time]int", funcs.Map, "map[time.Time]int"},
		{"map[netip.Addr]int", funcs.Map, "map[netip.Addr]int"},
		{"map[ip.Prefix]bool", funcs.Map, "map[netip.Prefix]bool"},
		{"map[netip.AddrPort]string", funcs.Map, "map[netip.AddrPort]string"},
		{"big.Int", funcs.Std, "big.Int"},
		{"*big.Int", funcs.Pointer, "*big.Int"},
		{"big.Float", funcs.Std, "big.Float"},
		{"*big.Rat", funcs.Pointer, "*big.Rat"},
		{"netip.Addr", funcs.Std, "netip.Addr"},
		{"ip.AddrPort", funcs.Std, "netip.AddrPort"},
		{"[]netip.Prefix", funcs.Slice, "[]netip.Prefix"},
		{"Money", funcs.Std, "big.Int"},
		{"map[string]*big.Int", funcs.Map, "map[string]*big.Int"},
		{"*int", funcs.Pointer, "*int"},
		{"**string", funcs.Pointer, "**string"},
		{"time.Time", funcs.Time, "time.Time"},
		{"tm.Time", funcs.Time, "time.Time"},
		{"time.Duration", funcs.Duration, "time.Duration"},
		{"*time.Time", funcs.Pointer, "*time.Time"},
		{"When", funcs.Time, "time.Time"},
		{"any", funcs.Any, "any"},
		{"interface{}", funcs.Any, "any"},
		{"[]any", funcs.Slice, "[]any"},
		{"map[string]interface{}", funcs.Map, "map[string]any"},
		{"Name", funcs.String, "Name"},
		{"Ints", funcs.Slice, "Ints"},
		{"Celsius", funcs.Float64, "Celsius"},
		{"Bag", funcs.Map, "Bag"},
		{"Ptr", funcs.Pointer, "Ptr"},
		{"Grid", funcs.Array, "Grid"},
		{"Any", funcs.Any, "Any"},
		{"Empty", funcs.Any, "Empty"},
		{"Point", funcs.Struct, "Point"},
		{"Alias", funcs.Struct, "Point"},
		{"*Point", funcs.Pointer, "*Point"},
		{"Node", funcs.Struct, "Node"},
		{"Tree", funcs.Map, "Tree"},
		{"List", funcs.Slice, "List"},
		{"struct{ A int; B string }", funcs.Struct, "struct{A int; B string}"},
		{"struct{}", funcs.Struct, "struct{}"},
		{"(int)", funcs.Int, "int"},
	}
	var src strings.Builder
	src.WriteString(typesHeader)
	for i, c := range cases {
		fmt.Fprintf(&src, "\n//microfn:service\nfunc S%d(v %s) {}\n", i, c.expr)
	}
	pkg := mustParse(t, src.String())
	if len(pkg.Services) != len(cases) {
		t.Fatalf("got %d services, want %d", len(pkg.Services), len(cases))
	}
	for i, c := range cases {
		d := pkg.Services[i]
		if len(d.Params) != 1 {
			t.Fatalf("%s: got %d params", c.expr, len(d.Params))
		}
		typ := d.Params[0].Type
		if typ.Kind != c.kind || typ.String() != c.str {
			t.Errorf("%s: got %v %q, want %v %q", c.expr, typ.Kind, typ, c.kind, c.str)
		}
	}
}

func TestTypeDetails(t *testing.T) {
	pkg := mustParse(t, typesHeader+`
//microfn:service
func F(grid Grid, bag Bag, node Node, tree Tree, b []MyByte, n Name) {}
`)
	d := pkg.Services[0]
	grid, bag, node, tree, bytes, name := d.Params[0].Type, d.Params[1].Type, d.Params[2].Type, d.Params[3].Type, d.Params[4].Type, d.Params[5].Type

	if grid.Len != 4 || grid.Elem.Kind != funcs.Array || grid.Elem.Len != 2 || grid.Elem.Elem.Kind != funcs.Int {
		t.Errorf("Grid = %+v, want [4][2]int", grid)
	}
	if grid.Name != "Grid" || grid.Pos.Line != lineOf(t, typesHeader, "type Grid") || grid.Pos.Column != 6 {
		t.Errorf("Grid: Name %q at %s", grid.Name, grid.Pos)
	}
	if bag.Key.Kind != funcs.String || bag.Key.Name != "Name" || bag.Elem.Kind != funcs.Float64 || bag.Elem.Name != "Celsius" {
		t.Errorf("Bag = map[%v %q]%v %q, want map[Name]Celsius", bag.Key.Kind, bag.Key.Name, bag.Elem.Kind, bag.Elem.Name)
	}
	if name.Kind != funcs.String || name.Name != "Name" {
		t.Errorf("Name: %v %q", name.Kind, name.Name)
	}

	// Recursive types reach the same *Type again.
	if len(node.Fields) != 4 {
		t.Fatalf("Node has %d fields, want 4", len(node.Fields))
	}
	if next := node.Fields[1].Type; next.Kind != funcs.Pointer || next.Elem != node {
		t.Errorf("Node.Next = %v, want *Node pointing back to Node", next)
	}
	if kids := node.Fields[2].Type; kids.Kind != funcs.Slice || kids.Elem != node {
		t.Errorf("Node.Kids = %v, want []Node pointing back to Node", kids)
	}
	if byKey := node.Fields[3].Type; byKey.Kind != funcs.Map || byKey.Elem.Elem != node {
		t.Errorf("Node.ByKey = %v, want map[string]*Node pointing back to Node", byKey)
	}
	if tree.Elem != tree {
		t.Errorf("Tree's element is not Tree itself")
	}
	if bytes.Elem == nil || bytes.Elem.Name != "MyByte" || bytes.Elem.Kind != funcs.Uint8 {
		t.Errorf("[]MyByte: Elem = %v, want MyByte", bytes.Elem)
	}
}

func TestContextErrorVariadic(t *testing.T) {
	src := `package p

import (
	"context"
	stdctx "context"
)

//microfn:service
func Plain(a int, b string) bool { return false }

//microfn:service
func WithCtx(ctx context.Context, a int) (int, error) { return 0, nil }

//microfn:service
func Renamed(c stdctx.Context) error { return nil }

//microfn:service
func Blank(_ context.Context) {}

//microfn:service
func Variadic(sep string, parts ...string) string { return "" }

//microfn:service
func VarBytes(b ...byte) {}

//microfn:service
func Results() (a, b int, c string, err error) { return }

//microfn:service
func OnlyError() error { return nil }
`
	pkg := mustParse(t, src)
	cases := []struct {
		name              string
		params            string // name type, ...
		results           string
		ctx, err, variadc bool
	}{
		{"Plain", "a int, b string", "bool", false, false, false},
		{"WithCtx", "a int", "int", true, true, false},
		{"Renamed", "", "", true, true, false},
		{"Blank", "", "", true, false, false},
		{"Variadic", "sep string, parts []string", "string", false, false, true},
		{"VarBytes", "b []byte", "", false, false, true},
		{"Results", "", "int, int, string", false, true, false},
		{"OnlyError", "", "", false, true, false},
	}
	if len(pkg.Services) != len(cases) {
		t.Fatalf("got %d services, want %d", len(pkg.Services), len(cases))
	}
	for i, c := range cases {
		d := pkg.Services[i]
		if d.Name != c.name {
			t.Fatalf("service %d is %s, want %s (source order)", i, d.Name, c.name)
		}
		var params, results []string
		for _, p := range d.Params {
			params = append(params, p.Name+" "+p.Type.String())
		}
		for _, r := range d.Results {
			results = append(results, r.String())
		}
		if got := strings.Join(params, ", "); got != c.params {
			t.Errorf("%s: params %q, want %q", c.name, got, c.params)
		}
		if got := strings.Join(results, ", "); got != c.results {
			t.Errorf("%s: results %q, want %q", c.name, got, c.results)
		}
		if d.Context != c.ctx || d.Error != c.err || d.Variadic != c.variadc {
			t.Errorf("%s: Context, Error, Variadic = %v, %v, %v, want %v, %v, %v", c.name, d.Context, d.Error, d.Variadic, c.ctx, c.err, c.variadc)
		}
		if d.Decl == nil || d.Decl.Name.Name != c.name || d.File == nil || d.File.Name != "a.go" {
			t.Errorf("%s: Decl or File not set", c.name)
		}
		if line := lineOf(t, src, "func "+c.name+"("); d.Pos.Line != line || d.Pos.Column != 6 {
			t.Errorf("%s: Pos %s, want line %d column 6", c.name, d.Pos, line)
		}
	}
	p := service(t, pkg, "WithCtx").Params[0]
	if line := lineOf(t, src, "func WithCtx"); p.Pos.Line != line || p.Pos.Column != colOf(t, src, line, "a int") {
		t.Errorf("parameter a at %s", p.Pos)
	}
}

func TestStructFields(t *testing.T) {
	src := `package p

import "time"

// Person is someone.
type Person struct {
	// Name is the name.
	Name   string ` + "`json:\"name\"`" + `
	Age    int    ` + "`json:\"age,omitempty\"`" + ` // Age in years.
	Nick   string ` + "`json:\",omitempty\"`" + `
	Secret string ` + "`json:\"-\"`" + `
	Dash   string ` + "`json:\"-,\"`" + `
	Born   time.Time ` + "`json:\"born,omitzero\"`" + `
	Weird  int    ` + "`json:\"a\\\\b\"`" + `
	Both   int    ` + "`json:\"both,omitempty,omitzero\"`" + `
	Other  int    ` + "`xml:\"other\"`" + `
	A, B   int    ` + "`json:\"ab\"`" + `
	Address
	*Extra
	inner
	*innerPtr
	label
	hidden chan int
	_      int
	Self   *Person
	Kids   []Person
	Since  time.Duration
}

type Address struct{ City string }
type Extra struct{ Note string }
type inner struct{ Deep int }
type innerPtr struct{ Deeper int }
type label string

//microfn:service
func F(p Person) {}
`
	pkg := mustParse(t, src)
	person := pkg.Services[0].Params[0].Type
	if person.Name != "Person" || person.Doc != "Person is someone." || person.Kind != funcs.Struct {
		t.Fatalf("Person: %q %v doc %q", person.Name, person.Kind, person.Doc)
	}
	type want struct {
		name                     string
		exported, embedded       bool
		typ                      string // "" for nil
		jsonName                 string
		tagged, omitEmp, omitZer bool
		skip                     bool
		doc                      string
	}
	wants := []want{
		{"Name", true, false, "string", "name", true, false, false, false, "Name is the name."},
		{"Age", true, false, "int", "age", true, true, false, false, "Age in years."},
		{"Nick", true, false, "string", "Nick", false, true, false, false, ""},
		{"Secret", true, false, "", "Secret", false, false, false, true, ""},
		{"Dash", true, false, "string", "-", true, false, false, false, ""},
		{"Born", true, false, "time.Time", "born", true, false, true, false, ""},
		{"Weird", true, false, "int", "Weird", false, false, false, false, ""},
		{"Both", true, false, "int", "both", true, true, true, false, ""},
		{"Other", true, false, "int", "Other", false, false, false, false, ""},
		{"A", true, false, "int", "ab", true, false, false, false, ""},
		{"B", true, false, "int", "ab", true, false, false, false, ""},
		{"Address", true, true, "Address", "Address", false, false, false, false, ""},
		{"Extra", true, true, "*Extra", "Extra", false, false, false, false, ""},
		{"inner", false, true, "inner", "inner", false, false, false, false, ""},
		{"innerPtr", false, true, "*innerPtr", "innerPtr", false, false, false, false, ""},
		{"label", false, true, "", "label", false, false, false, false, ""}, // unexported non-struct: ignored
		{"hidden", false, false, "", "hidden", false, false, false, false, ""},
		{"_", false, false, "", "_", false, false, false, false, ""},
		{"Self", true, false, "*Person", "Self", false, false, false, false, ""},
		{"Kids", true, false, "[]Person", "Kids", false, false, false, false, ""},
		{"Since", true, false, "time.Duration", "Since", false, false, false, false, ""},
	}
	if len(person.Fields) != len(wants) {
		t.Fatalf("got %d fields, want %d", len(person.Fields), len(wants))
	}
	for i, w := range wants {
		f := person.Fields[i]
		typ := ""
		if f.Type != nil {
			typ = f.Type.String()
		}
		got := want{f.Name, f.Exported, f.Embedded, typ, f.JSONName, f.Tagged, f.OmitEmpty, f.OmitZero, f.Skip, f.Doc}
		if got != w {
			t.Errorf("field %d:\n got %+v\nwant %+v", i, got, w)
		}
		if f.Index != i {
			t.Errorf("field %s: Index %d, want %d", f.Name, f.Index, i)
		}
	}
	// Positions point at the field names (or the embedded types).
	for _, name := range []string{"Name", "Age", "Self"} {
		f := person.Fields[map[string]int{"Name": 0, "Age": 1, "Self": 18}[name]]
		line := lineOf(t, src, "\t"+name+" ")
		if f.Pos.Line != line || f.Pos.Column != 2 {
			t.Errorf("field %s at %s, want line %d column 2", name, f.Pos, line)
		}
	}
	if f := person.Fields[12]; f.Pos.Line != lineOf(t, src, "*Extra") || f.Pos.Column != 2 {
		t.Errorf("embedded *Extra at %s", f.Pos)
	}
	if f := person.Fields[10]; f.Pos.Column != colOf(t, src, f.Pos.Line, "B ") {
		t.Errorf("field B at %s", f.Pos)
	}
	if self := person.Fields[18].Type; self.Elem != person {
		t.Errorf("Self does not point back to Person")
	}
}

func TestEmbeddedQualified(t *testing.T) {
	// An embedded time.Duration is an exported field named Duration.
	pkg := mustParse(t, `package p

import "time"

type T struct {
	time.Duration
	N int
}

//microfn:service
func F(t T) {}
`)
	f := pkg.Services[0].Params[0].Type.Fields[0]
	if f.Name != "Duration" || !f.Exported || !f.Embedded || f.JSONName != "Duration" || f.Type == nil || f.Type.Kind != funcs.Duration {
		t.Errorf("embedded time.Duration: %+v", f)
	}
}

// unsupportedLine is the line of func F after typesHeader and a directive.
var unsupportedLine = strings.Count(typesHeader, "\n") + 3

func TestUnsupportedTypes(t *testing.T) {
	cases := []struct {
		sig   string // parameters and results of F
		at    string // marks the column of the error on F's line
		line  int    // line of the error when not F's line: a marker in typesHeader
		words []string
	}{
		{"(c chan int)", "chan", 0, []string{`parameter "c"`, "channel"}},
		{"(c <-chan int)", "<-chan", 0, []string{`parameter "c"`, "channel"}},
		{"(f func())", "func()", 0, []string{`parameter "f"`, "function"}},
		{"(m map[Celsius]string)", "Celsius]", 0, []string{`parameter "m"`, "map key type Celsius", "string or integer type", "MarshalText"}},
		{"(m map[float64]string)", "float64]", 0, []string{`parameter "m"`, "map key type float64"}},
		{"(m map[bool]string)", "bool]", 0, []string{`parameter "m"`, "map key type bool"}},
		{"(m map[Flag]string)", "Flag]", 0, []string{`parameter "m"`, "map key type Flag"}},
		{"(m map[[2]string]int)", "[2]", 0, []string{`parameter "m"`, "map key"}},
		{"(m map[Point]int)", "Point]", 0, []string{`parameter "m"`, "map key type Point"}},
		{"(m map[*int]int)", "*int]", 0, []string{`parameter "m"`, "map key type *int"}},
		{"(m map[any]int)", "any]", 0, []string{`parameter "m"`, "map key type any"}},
		{"(m map[big.Int]int)", "big.Int]", 0, []string{`parameter "m"`, "map key type big.Int"}},
		{"(m map[*big.Int]int)", "*big.Int]", 0, []string{`parameter "m"`, "map key type *big.Int"}},
		{"(a Amount)", "", lineOf(t, typesHeader, "type Amount"), []string{`parameter "a"`, "Amount", "defined as big.Int", "type Amount = big.Int"}},
		{"(r big.Word)", "big.Word", 0, []string{`parameter "r"`, "big.Word", "not supported", "math/big.Int"}},
		{"(r netip.Addr, s big.Accuracy)", "big.Accuracy", 0, []string{`parameter "s"`, "big.Accuracy"}},
		{"(i interface{ M() })", "interface", 0, []string{`parameter "i"`, "interface types with methods"}},
		{"(u url.URL)", "url.URL", 0, []string{`parameter "u"`, "url.URL", "not supported"}},
		{"(u *url.URL)", "url.URL", 0, []string{`parameter "u"`, "url.URL"}},
		{"(w time.Weekday)", "time.Weekday", 0, []string{`parameter "w"`, "time.Weekday"}},
		{"(g G[int])", "G[int]", 0, []string{`parameter "g"`, "generic"}},
		{"(e error)", "error", 0, []string{`parameter "e"`, "error is not supported as a parameter"}},
		{"(e Err)", "Err", 0, []string{`parameter "e"`, "Err", "not supported"}},
		{"(es []error)", "error", 0, []string{`parameter "es"`, "error", "cannot travel"}},
		{"(es map[string]error)", "error", 0, []string{`parameter "es"`, "error"}},
		{"(p *error)", "error", 0, []string{`parameter "p"`, "error"}},
		{"(s struct{ E error })", "error", 0, []string{`parameter "s"`, "field E", "error"}},
		{"(s struct{ C context.Context })", "context.Context", 0, []string{`parameter "s"`, "field C", "context.Context"}},
		{"(x int, ctx context.Context)", "context.Context", 0, []string{`parameter "ctx"`, "context.Context must be the first parameter"}},
		{"(ctx context.Context, c2 context.Context)", "context.Context)", 0, []string{`parameter "c2"`, "first parameter"}},
		{"(c Ctx)", "Ctx", 0, []string{`parameter "c"`, "Ctx", "not supported"}},
		{"(xs []context.Context)", "context.Context", 0, []string{`parameter "xs"`, "context.Context"}},
		{"(int)", "int", 0, []string{"parameter 1 has no name"}},
		{"(_ int)", "int", 0, []string{"parameter 1 has no name"}},
		{"(a int, _ string)", "string", 0, []string{"parameter 2 has no name"}},
		{"(t T)", "T)", 0, []string{`parameter "t"`, "unknown type T"}},
		{"(a [n]int)", "n]", 0, []string{`parameter "a"`, "array length"}},
		{"(a [N+1]int)", "N+1", 0, []string{`parameter "a"`, "array length"}},
		{"(s Shape)", "", lineOf(t, typesHeader, "type Shape"), []string{`parameter "s"`, "interface types with methods"}},
		{"(c Chan)", "", lineOf(t, typesHeader, "type Chan"), []string{`parameter "c"`, "channel"}},
		{"(h HasChan)", "", lineOf(t, typesHeader, "type HasChan"), []string{`parameter "h"`, "field C", "channel"}},
		{"(s Stamp)", "", lineOf(t, typesHeader, "type Stamp"), []string{`parameter "s"`, "Stamp", "defined as time.Time", "alias"}},
		{"() chan int", "chan", 0, []string{"result 1", "channel"}},
		{"() (error, int)", "error", 0, []string{"result 1", "error must be the last result"}},
		{"() context.Context", "context.Context", 0, []string{"result 1", "context.Context cannot be a result"}},
		{"() (int, []error)", "error", 0, []string{"result 2", "error"}},
	}
	for _, c := range cases {
		t.Run(c.sig, func(t *testing.T) {
			src := typesHeader + "\n//microfn:service\nfunc F" + c.sig + " { panic(0) }\n"
			_, err := parseSrc(src)
			line, col := unsupportedLine, 0
			if c.line != 0 {
				line = c.line
			} else {
				col = colOf(t, src, line, "func F"+c.sig) + len("func F") + strings.Index(c.sig, c.at)
			}
			list := errorList(t, err)
			if len(list) != 1 {
				t.Fatalf("got %d errors, want 1:\n%s", len(list), list.Lines())
			}
			e := list[0]
			if e.Pos.Line != line || (col != 0 && e.Pos.Column != col) {
				t.Errorf("error at %s, want line %d column %d: %s", where(e), line, col, e.Msg)
			}
			words := append([]string{"service F"}, c.words...)
			for _, w := range words {
				if !strings.Contains(e.Msg, w) {
					t.Errorf("error %q does not contain %q", e.Msg, w)
				}
			}
		})
	}
}

func TestGenericFunction(t *testing.T) {
	_, err := parseSrc("package p\n\n//microfn:service\nfunc F[T any](x T) T { return x }\n")
	checkErrors(t, err, wantErr{"a.go:4:6", []string{"service F", "generic functions"}})
}

func TestAllProblemsReported(t *testing.T) {
	// Load reports every problem, sorted by position.
	src := `package p

//microfn:service
func A(c chan int, f func()) {}

//microfn:service retry=x
func B(e error) {}
`
	_, err := parseSrc(src)
	checkErrors(t, err,
		wantErr{"a.go:4:10", []string{`parameter "c"`}},
		wantErr{"a.go:4:22", []string{`parameter "f"`}},
		wantErr{"a.go:6:19", []string{"retry"}},
		wantErr{"a.go:7:10", []string{`parameter "e"`}},
	)
}

func TestJSONMethods(t *testing.T) {
	cases := []struct {
		name   string
		decls  string
		sig    string
		method string // marks the line of the error
		words  []string
	}{
		{"MarshalJSON", "type T struct{ X int }\n\nfunc (T) MarshalJSON() ([]byte, error) { return nil, nil }\n", "(t T)", "MarshalJSON()", []string{"type T", "MarshalJSON"}},
		{"UnmarshalJSON on pointer", "type T struct{ X int }\n\nfunc (t *T) UnmarshalJSON(b []byte) error { return nil }\n", "(t *T)", "UnmarshalJSON(", []string{"type T", "UnmarshalJSON"}},
		{"MarshalText", "type T int\n\nfunc (T) MarshalText() ([]byte, error) { return nil, nil }\n", "() []T", "MarshalText()", []string{"type T", "MarshalText"}},
		{"UnmarshalText in a field", "type U string\n\nfunc (u *U) UnmarshalText(b []byte) error { return nil }\n\ntype T struct{ U U }\n", "(t T)", "UnmarshalText(", []string{"type U", "UnmarshalText"}},
		{"embedded with method", "type U struct{}\n\nfunc (U) MarshalJSON() ([]byte, error) { return nil, nil }\n\ntype T struct {\n\tU\n\tX int\n}\n", "(t T)", "\tU", []string{"embedded field U", "MarshalJSON"}},
		{"embedded with method and json:\"-\"", "type U struct{}\n\nfunc (U) MarshalJSON() ([]byte, error) { return nil, nil }\n\ntype T struct {\n\tU `json:\"-\"`\n}\n", "(t T)", "\tU", []string{"embedded field U", "MarshalJSON"}},
		{"embedded time.Time", "type T struct {\n\ttime.Time\n\tX int\n}\n", "(t T)", "\ttime.Time", []string{"embedded field Time", "MarshalJSON"}},
		{"embedded *time.Time", "type T struct {\n\t*time.Time\n}\n", "() T", "\t*time.Time", []string{"embedded field Time", "MarshalJSON"}},
		{"embedded tagged time.Time", "type T struct {\n\ttime.Time `json:\"t\"`\n}\n", "() T", "\ttime.Time", []string{"embedded field Time"}},
		{"embedded big.Int", "type T struct {\n\tbig.Int\n}\n", "(t T)", "\tbig.Int", []string{"embedded field Int", "MarshalJSON"}},
		{"embedded *netip.Addr", "type T struct {\n\t*netip.Addr\n\tX int\n}\n", "(t T)", "\t*netip.Addr", []string{"embedded field Addr", "MarshalText"}},
		{"omitzero with IsZero", "type Z struct{ X int }\n\nfunc (Z) IsZero() bool { return true }\n\ntype T struct {\n\tZ Z `json:\",omitzero\"`\n}\n", "(t T)", "\tZ Z", []string{"field Z", "omitzero", "IsZero"}},
		{"omitzero with IsZero on pointer", "type Z struct{ X int }\n\nfunc (*Z) IsZero() bool { return true }\n\ntype T struct {\n\tZ *Z `json:\",omitzero\"`\n}\n", "(t T)", "\tZ *Z", []string{"field Z", "omitzero", "IsZero"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := "package p\n\nimport (\n\t\"math/big\"\n\t\"net/netip\"\n\t\"time\"\n)\n\nvar (\n\t_ time.Time\n\t_ big.Int\n\t_ netip.Addr\n)\n\n" + c.decls + "\n//microfn:service\nfunc F" + c.sig + " { panic(0) }\n"
			_, err := parseSrc(src)
			list := errorList(t, err)
			if len(list) != 1 {
				t.Fatalf("got %d errors, want 1:\n%s", len(list), list.Lines())
			}
			if line := lineOf(t, src, c.method); list[0].Pos.Line != line {
				t.Errorf("error at %s, want line %d", where(list[0]), line)
			}
			for _, w := range c.words {
				if !strings.Contains(list[0].Msg, w) {
					t.Errorf("error %q does not contain %q", list[0].Msg, w)
				}
			}
		})
	}

	// Methods matter only for types that travel, and IsZero only with
	// omitzero.
	mustParse(t, `package p

type T struct{ X int }

func (T) MarshalJSON() ([]byte, error) { return nil, nil }

type Z struct{ X int }

func (Z) IsZero() bool { return true }

type S struct {
	Z Z `+"`json:\",omitempty\"`"+`
	t T
}

//microfn:service
func F(s S) {}
`)
}

func TestStringTagOption(t *testing.T) {
	src := "package p\n\ntype T struct {\n\tN int `json:\"n,string\"`\n}\n\n//microfn:service\nfunc F(t T) {}\n"
	_, err := parseSrc(src)
	checkErrors(t, err, wantErr{"a.go:4:8", []string{"field N", `",string"`, "not supported"}})
}

func TestInvalidRecursiveTypes(t *testing.T) {
	// The type checker rejects these later; Parse must not loop or crash.
	for _, decls := range []string{
		"type A = []A",
		"type A = B\ntype B = *A",
		"type A B\ntype B A",
	} {
		t.Run(decls, func(t *testing.T) {
			_, err := parseSrc("package p\n\n" + decls + "\n\n//microfn:service\nfunc F(a A) {}\n")
			list := errorList(t, err)
			if !strings.Contains(list.Error(), "recursive") {
				t.Errorf("error %q does not say recursive", list.Lines())
			}
		})
	}
}

func TestLookupType(t *testing.T) {
	pkg := mustParse(t, typesHeader)
	for _, c := range []struct {
		name string
		ok   bool
		str  string
	}{
		{"Point", true, "Point"},
		{"Node", true, "Node"},
		{"Alias", true, "Point"},
		{"Bag", true, "Bag"},
		{"int", true, "int"},
		{"HasChan", false, ""},
		{"Shape", false, ""},
		{"G", false, ""},
		{"Missing", false, ""},
		{"Point", true, "Point"}, // again, after failures
	} {
		typ, ok := pkg.LookupType(c.name)
		if ok != c.ok || (ok && typ.String() != c.str) {
			t.Errorf("LookupType(%q) = %v, %v; want %q, %v", c.name, typ, ok, c.str, c.ok)
		}
	}
	// The same *Type comes back for the same name.
	a, _ := pkg.LookupType("Node")
	b, _ := pkg.LookupType("Node")
	if a != b {
		t.Errorf("LookupType returns different *Type values for Node")
	}

	empty, err := funcs.Parse(testDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if typ, ok := empty.LookupType("T"); ok || typ != nil {
		t.Errorf("LookupType on a package without files = %v, %v", typ, ok)
	}
}

func TestKind(t *testing.T) {
	for k := funcs.Invalid; k <= funcs.Std; k++ {
		if k.String() == "" || (k != funcs.Invalid && k.String() == "invalid") {
			t.Errorf("Kind(%d).String() = %q", int(k), k.String())
		}
	}
	if got := funcs.Kind(-1).String(); got != "invalid" {
		t.Errorf("Kind(-1) = %q", got)
	}
	if got := funcs.Kind(1000).String(); got != "invalid" {
		t.Errorf("Kind(1000) = %q", got)
	}
	for _, c := range []struct {
		k                 funcs.Kind
		integer, uns, flt bool
		bits              int
	}{
		{funcs.Int, true, false, false, 64},
		{funcs.Int8, true, false, false, 8},
		{funcs.Int16, true, false, false, 16},
		{funcs.Int32, true, false, false, 32},
		{funcs.Int64, true, false, false, 64},
		{funcs.Uint, true, true, false, 64},
		{funcs.Uint8, true, true, false, 8},
		{funcs.Uint16, true, true, false, 16},
		{funcs.Uint32, true, true, false, 32},
		{funcs.Uint64, true, true, false, 64},
		{funcs.Uintptr, true, true, false, 64},
		{funcs.Float32, false, false, true, 32},
		{funcs.Float64, false, false, true, 64},
		{funcs.String, false, false, false, 64},
		{funcs.Bool, false, false, false, 64},
	} {
		if c.k.IsInteger() != c.integer || c.k.IsUnsigned() != c.uns || c.k.IsFloat() != c.flt || c.k.Bits() != c.bits {
			t.Errorf("%v: IsInteger %v IsUnsigned %v IsFloat %v Bits %d", c.k, c.k.IsInteger(), c.k.IsUnsigned(), c.k.IsFloat(), c.k.Bits())
		}
	}
}

func TestUnnamedParameters(t *testing.T) {
	_, err := parseSrc("package p\n\n//microfn:service\nfunc F(int, string) {}\n")
	checkErrors(t, err,
		wantErr{"a.go:4:8", []string{"service F", "parameter 1 has no name"}},
		wantErr{"a.go:4:13", []string{"service F", "parameter 2 has no name"}},
	)
}

// TestKinds checks that Kinds yields every kind after Invalid once, in
// order, each with a name of its own, and stops when asked.
func TestKinds(t *testing.T) {
	t.Parallel()
	names := map[string]funcs.Kind{}
	next := funcs.Invalid + 1
	for k := range funcs.Kinds() {
		if k != next {
			t.Errorf("Kinds yielded %d after %d", int(k), int(next-1))
		}
		next = k + 1
		name := k.String()
		if name == "" || name == "invalid" {
			t.Errorf("Kind(%d) has no name in kindNames: String() = %q", int(k), name)
		}
		if other, ok := names[name]; ok {
			t.Errorf("Kind(%d) and Kind(%d) are both named %q", int(other), int(k), name)
		}
		names[name] = k
	}
	if next <= funcs.Seq {
		t.Errorf("Kinds stopped before %s", next)
	}
	if got := next.String(); got != "invalid" {
		t.Errorf("Kind(%d), after the last one Kinds yields, is named %q", int(next), got)
	}
	n := 0
	for range funcs.Kinds() {
		n++
		break
	}
	if n != 1 {
		t.Errorf("Kinds yielded %d kinds after the loop stopped", n)
	}
}
