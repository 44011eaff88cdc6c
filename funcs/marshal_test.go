package funcs_test

import (
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
)

// TestMarshalerTypes: a named type with a method that writes it and one
// that reads it (json.Marshaler, encoding.TextMarshaler and their
// Unmarshal counterparts, on the value or the pointer receiver) is of
// Kind Marshaler, with the methods it has.
func TestMarshalerTypes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		decls string
		want  funcs.Methods
		text  bool
		key   bool
	}{
		{"text on value and pointer", "type T [2]byte\n\nfunc (T) MarshalText() ([]byte, error) { return nil, nil }\n\nfunc (*T) UnmarshalText([]byte) error { return nil }\n",
			funcs.Methods{MarshalText: true, UnmarshalText: true, ValueText: true}, true, true},
		{"text on pointers", "type T struct{ x int }\n\nfunc (t *T) MarshalText() (b []byte, err error) { return nil, nil }\n\nfunc (t *T) UnmarshalText(b []byte) error { return nil }\n",
			funcs.Methods{MarshalText: true, UnmarshalText: true}, true, false},
		{"JSON", "type T struct{ x int }\n\nfunc (T) MarshalJSON() ([]byte, error) { return nil, nil }\n\nfunc (*T) UnmarshalJSON(data []byte) error { return nil }\n",
			funcs.Methods{MarshalJSON: true, UnmarshalJSON: true}, false, false},
		{"JSON, text and IsZero", "type T struct{ x int }\n\nfunc (T) MarshalJSON() ([]byte, error) { return nil, nil }\n\nfunc (*T) UnmarshalJSON(data []byte) error { return nil }\n\nfunc (T) MarshalText() ([]byte, error) { return nil, nil }\n\nfunc (*T) UnmarshalText([]uint8) error { return nil }\n\nfunc (T) IsZero() bool { return true }\n",
			funcs.Methods{MarshalJSON: true, UnmarshalJSON: true, MarshalText: true, UnmarshalText: true, ValueText: true, IsZero: true}, false, true},
		{"written as JSON, read as text", "type T string\n\nfunc (T) MarshalJSON() ([]byte, error) { return nil, nil }\n\nfunc (*T) UnmarshalText([]byte) error { return nil }\n",
			funcs.Methods{MarshalJSON: true, UnmarshalText: true}, false, false},
		{"a method of another signature does not count", "type T int\n\nfunc (T) MarshalText() ([]byte, error) { return nil, nil }\n\nfunc (*T) UnmarshalText([]byte) error { return nil }\n\nfunc (T) MarshalJSON() string { return \"\" }\n",
			funcs.Methods{MarshalText: true, UnmarshalText: true, ValueText: true}, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			pkg := mustParse(t, "package p\n\n"+c.decls+"\n//microfn:service\nfunc F(x T, m map[string]T) (*T, []T) { return nil, nil }\n")
			d := pkg.Services[0]
			x := d.Params[0].Type
			if x.Kind != funcs.Marshaler || x.Name != "T" || x.Methods == nil || *x.Methods != c.want {
				t.Fatalf("T = kind %v, methods %+v; want a marshaler with %+v", x.Kind, x.Methods, c.want)
			}
			if x.Methods.Text() != c.text || funcs.IsMapKey(x) != c.key {
				t.Errorf("Text() = %v, IsMapKey = %v; want %v, %v", x.Methods.Text(), funcs.IsMapKey(x), c.text, c.key)
			}
			if d.Params[1].Type.Elem != x || d.Results[0].Elem != x || d.Results[1].Elem != x {
				t.Errorf("T is described more than once")
			}
			if got := pkg.MarshalerTypes(); len(got) != 1 || got[0].Name != "T" {
				t.Errorf("MarshalerTypes() = %v, want [T]", got)
			}
		})
	}
}

// TestMarshalerErrors: a type that could be written but not read (or
// the reverse), that embeds such a type, that is defined over one, or
// that keys a map without MarshalText on its value, is an error saying
// what it lacks and what to do.
func TestMarshalerErrors(t *testing.T) {
	t.Parallel()
	const money = "type Money struct{ cents int64 }\n\nfunc (Money) MarshalJSON() ([]byte, error) { return nil, nil }\n\nfunc (*Money) UnmarshalJSON([]byte) error { return nil }\n"
	const id = "type ID [2]byte\n\nfunc (*ID) MarshalText() ([]byte, error) { return nil, nil }\n\nfunc (*ID) UnmarshalText([]byte) error { return nil }\n"
	cases := []struct {
		name  string
		decls string
		sig   string
		mark  string // marks the line of the error
		words []string
	}{
		{"write only", "type T struct{ X int }\n\nfunc (T) MarshalJSON() ([]byte, error) { return nil, nil }\n", "(t T)", "MarshalJSON()",
			[]string{"type T has a MarshalJSON method but no UnmarshalJSON or UnmarshalText", "read them back", "add the method"}},
		{"read only", "type T int\n\nfunc (t *T) UnmarshalText(b []byte) error { return nil }\n", "() []T", "UnmarshalText(",
			[]string{"type T has a UnmarshalText method but no MarshalJSON or MarshalText", "encoding/json would write its fields"}},
		{"embedded", money + "\ntype T struct {\n\tMoney\n\tX int\n}\n", "(t T)", "\tMoney",
			[]string{"embedded field Money promotes its MarshalJSON method", "encode the whole struct as that field alone", "give the field a name"}},
		{"defined over one", money + "\ntype Price Money\n", "(p Price)", "type Price",
			[]string{"type Price is defined as Money but does not have its JSON methods", "type Price = Money"}},
		{"map key without MarshalText on the value", id, "(m map[ID]int)", "ID]int",
			[]string{"map key type ID is not supported"}},
		{"omitzero with IsZero", money + "\nfunc (Money) IsZero() bool { return true }\n\ntype T struct {\n\tM Money `json:\",omitzero\"`\n}\n", "(t T)", "\tM Money",
			[]string{"field M is tagged omitzero", "IsZero", "remove omitzero"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			src := "package p\n\n" + c.decls + "\n//microfn:service\nfunc F" + c.sig + " { panic(0) }\n"
			_, err := parseSrc(src)
			list := errorList(t, err)
			if len(list) != 1 {
				t.Fatalf("got %d errors, want 1:\n%s", len(list), list.Lines())
			}
			if line := lineOf(t, src, c.mark); list[0].Pos.Line != line {
				t.Errorf("error at %s, want line %d: %s", where(list[0]), line, list[0].Msg)
			}
			for _, w := range c.words {
				if !strings.Contains(list[0].Msg, w) {
					t.Errorf("error %q does not contain %q", list[0].Msg, w)
				}
			}
		})
	}
}

// moneySource is a package of another module, as the loader reads it:
// a type that encodes itself, one that cannot travel, and a struct that
// holds the first.
var moneySource = &funcs.PackageSource{
	ImportPath: "example.org/money",
	Dir:        "mod/money",
	Sources: []funcs.SourceFile{{Name: "money.go", Src: []byte(`package money

// Decimal is a decimal number.
type Decimal struct {
	digits string
	exp    int32
}

func (d Decimal) MarshalJSON() ([]byte, error) { return []byte("\"" + d.digits + "\""), nil }

func (d *Decimal) UnmarshalJSON(b []byte) error { d.digits = string(b); return nil }

func (d Decimal) MarshalText() ([]byte, error) { return []byte(d.digits), nil }

func (d *Decimal) UnmarshalText(b []byte) error { d.digits = string(b); return nil }

// Ledger cannot travel: its field is a channel.
type Ledger struct {
	Entries chan Decimal
}

// Price holds a Decimal.
type Price struct {
	Amount   Decimal
	Currency string
}

// Wrapped embeds a Decimal.
type Wrapped struct {
	Decimal
}
`)}},
}

// TestMarshalerOfAnotherModule: a type of another package, read from its
// source through an Importer, travels as what its methods write, inside
// a struct of its package as well; one that cannot travel says why,
// which field and type, and what to do, each time it is looked up.
func TestMarshalerOfAnotherModule(t *testing.T) {
	t.Parallel()
	imp := funcs.NewImporter([]*funcs.PackageSource{moneySource})
	parse := func(src string) (*funcs.Package, error) {
		return funcs.ParseWith(testDir, []funcs.SourceFile{{Name: "a.go", Src: []byte(src)}}, imp)
	}
	pkg, err := parse(`package shop

import "example.org/money"

type Order struct {
	Total money.Decimal
	Lines map[string]money.Price
}

//microfn:service
func Place(o Order, d *money.Decimal) (money.Price, error) { panic(0) }
`)
	if err != nil {
		t.Fatalf("ParseWith: %s", lines(err))
	}
	d := pkg.Services[0]
	total := d.Params[0].Type.Fields[0].Type
	if total.Kind != funcs.Marshaler || total.QualifiedName() != "example.org/money.Decimal" || total.QualifiedString() != "money.Decimal" || !total.Methods.MarshalJSON || total.Doc != "Decimal is a decimal number." {
		t.Errorf("Order.Total = %+v, want money.Decimal as a marshaler", total)
	}
	if p := d.Params[1].Type; p.Kind != funcs.Pointer || p.Elem.Kind != funcs.Marshaler {
		t.Errorf("*money.Decimal = %v %v", p.Kind, p.Elem.Kind)
	}
	if r := d.Results[0]; r.Kind != funcs.Struct || r.Fields[0].Type.Kind != funcs.Marshaler || r.Package != "example.org/money" {
		t.Errorf("money.Price = %+v, want a struct of money with a marshaler field", r)
	}

	for _, c := range []struct {
		sig   string
		words []string
	}{
		{"(l money.Ledger)", []string{`parameter "l"`, "type money.Ledger cannot travel in JSON", "field Entries: channel types cannot travel in JSON", "implements encoding.TextMarshaler", "use a type that travels"}},
		{"(w money.Wrapped)", []string{`parameter "w"`, "type money.Wrapped cannot travel in JSON", "embedded field Decimal promotes its MarshalJSON method"}},
	} {
		for try := range 2 { // the second lookup says why as well
			_, err := parse("package shop\n\nimport \"example.org/money\"\n\n//microfn:service\nfunc F" + c.sig + " {}\n")
			list := errorList(t, err)
			if len(list) != 1 || where(list[0]) != "a.go:6:10" {
				t.Fatalf("F%s (try %d): errors\n%s\nwant one at a.go:6:10", c.sig, try, list.Lines())
			}
			for _, w := range c.words {
				if !strings.Contains(list[0].Msg, w) {
					t.Errorf("F%s (try %d): error %q lacks %q", c.sig, try, list[0].Msg, w)
				}
			}
		}
	}
}

// TestMarshalerOfVersionedPath: a type of a package whose import path
// does not end in its name is found by the name the go tools assume (a
// major version element, gopkg.in's .vN, a go- prefix) or else by the
// package's own name.
func TestMarshalerOfVersionedPath(t *testing.T) {
	t.Parallel()
	src := func(path, name string) *funcs.PackageSource {
		return &funcs.PackageSource{ImportPath: path, Dir: "mod/" + name, Sources: []funcs.SourceFile{{Name: "id.go", Src: []byte("package " + name + `

// ID is an identifier.
type ID [4]byte

// MarshalText writes the ID.
func (id ID) MarshalText() ([]byte, error) { return nil, nil }

// UnmarshalText reads the ID.
func (id *ID) UnmarshalText(b []byte) error { return nil }
`)}}}
	}
	for _, c := range []struct{ path, name string }{
		{"example.org/ulid/v2", "ulid"},
		{"gopkg.in/yaml.v3", "yaml"},
		{"example.org/go-humanize", "humanize"},
		{"example.org/golang-lru/v2", "lru"},
	} {
		imp := funcs.NewImporter([]*funcs.PackageSource{src(c.path, c.name)})
		pkg, err := funcs.ParseWith(testDir, []funcs.SourceFile{{Name: "a.go", Src: []byte("package shop\n\nimport \"" + c.path + "\"\n\n//microfn:service\nfunc Echo(id " + c.name + ".ID) " + c.name + ".ID { return id }\n")}}, imp)
		if err != nil {
			t.Errorf("%s: %s", c.path, lines(err))
			continue
		}
		if p := pkg.Services[0].Params[0].Type; p.Kind != funcs.Marshaler || p.QualifiedName() != c.path+".ID" {
			t.Errorf("%s: parameter type %+v, want the marshaler %s.ID", c.path, p, c.path)
		}
	}
}
