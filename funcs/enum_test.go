package funcs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
)

// TestEnums: the constants of a named string or integer type are its
// enum, whether spelled with literals, iota (repeated implicitly), other
// constants, conversions or operators; constants of another type, and
// values that are not of the type's kind, are not.
func TestEnums(t *testing.T) {
	t.Parallel()
	pkg := mustParse(t, `package p

// Status is where an order is.
type Status string

// The statuses.
const (
	Pending Status = "pending" // waiting
	// Shipped is on its way.
	Shipped Status = "shipped"
	Lost           = Status("lost")
	other          = "not a Status"
)

// Level is a level.
type Level int

const (
	Low Level = iota + 1
	Mid
	High
	_
	Top = High * 10
)

const Flag Level = 1 << 4

// Mask is a bit mask.
type Mask uint8

const (
	A Mask = 1 << iota
	B
)

//microfn:service
func Set(s Status, l Level, m Mask, w map[Status]int) (Status, error) { return s, nil }
`)
	d := pkg.Services[0]
	show := func(t *funcs.Type) string {
		var parts []string
		for _, e := range t.Enum {
			parts = append(parts, fmt.Sprintf("%s=%v(%s)", e.Name, e.Value, e.Doc))
		}
		return strings.Join(parts, " ")
	}
	for i, want := range []string{
		"Pending=pending(waiting) Shipped=shipped(Shipped is on its way.) Lost=lost()",
		"Low=1() Mid=2() High=3() Top=30() Flag=16()",
		"A=1() B=2()",
	} {
		if got := show(d.Params[i].Type); got != want {
			t.Errorf("enum of %s = %s\nwant %s", d.Params[i].Type, got, want)
		}
	}
	if got := show(d.Params[3].Type.Key); got == "" {
		t.Errorf("a map key of an enum type lost its enum")
	}
}

// TestEnumInvalidConstants: constant expressions the type checker
// rejects (mixed kinds, an operator its operands do not have) give no
// value to the enum and do not stop the parse; a float shifted is an
// integer, as in Go.
func TestEnumInvalidConstants(t *testing.T) {
	t.Parallel()
	for _, expr := range []string{`0 % ""`, `"a" << 1`, `1 << "a"`, `-"a"`, `!1`, `^1.5`, `1.5 % 2`, `"a" - "b"`, `2 / ""`, `true + 1`, `"a" & 1`} {
		src := "package p\n\ntype Level int\n\nconst (\n\tX Level = " + expr + "\n\tY Level = 2\n)\n\n//microfn:service\nfunc F(l Level) Level { return l }\n"
		pkg, err := parseSrc(src)
		if err != nil {
			t.Errorf("%s: %v", expr, err)
			continue
		}
		enum := pkg.Services[0].Params[0].Type.Enum
		if len(enum) != 1 || enum[0].Name != "Y" {
			t.Errorf("%s: enum %v, want only Y", expr, enum)
		}
	}
	pkg := mustParse(t, "package p\n\ntype Level int\n\nconst Z Level = 1.0 << 3\n\n//microfn:service\nfunc F(l Level) Level { return l }\n")
	if enum := pkg.Services[0].Params[0].Type.Enum; len(enum) != 1 || fmt.Sprint(enum[0].Value) != "8" {
		t.Errorf("1.0 << 3: enum %v, want Z=8", enum)
	}
}
