package openapi

import (
	"context"
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
)

// marshalImports are packages of other modules, as the loader reads them:
// a type written as its text and one written as its JSON, under the
// import paths whose types have a known format.
var marshalImports = []*funcs.PackageSource{
	{ImportPath: "github.com/google/uuid", Dir: "mod/uuid", Sources: []funcs.SourceFile{{Name: "uuid.go", Src: []byte(`package uuid

// A UUID is a 128 bit (16 byte) Universal Unique IDentifier.
type UUID [16]byte

func (u UUID) MarshalText() ([]byte, error) { return nil, nil }

func (u *UUID) UnmarshalText(b []byte) error { return nil }
`)}}},
	{ImportPath: "github.com/shopspring/decimal", Dir: "mod/decimal", Sources: []funcs.SourceFile{{Name: "decimal.go", Src: []byte(`package decimal

// Decimal is a fixed-point decimal.
type Decimal struct {
	value []byte
	exp   int32
}

func (d Decimal) MarshalJSON() ([]byte, error) { return nil, nil }

func (d *Decimal) UnmarshalJSON(b []byte) error { return nil }

func (d Decimal) MarshalText() ([]byte, error) { return nil, nil }

func (d *Decimal) UnmarshalText(b []byte) error { return nil }
`)}}},
}

const marshalSrc = `package shop

import (
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Code is a product code.
type Code string

func (c Code) MarshalText() ([]byte, error) { return nil, nil }

func (c *Code) UnmarshalText(b []byte) error { return nil }

// Blob is written as its own JSON.
type Blob struct{ data []byte }

func (b Blob) MarshalJSON() ([]byte, error) { return nil, nil }

func (b *Blob) UnmarshalJSON(data []byte) error { return nil }

// Line is a line of an order.
type Line struct {
	SKU   uuid.UUID
	Price decimal.Decimal
	Stock map[Code]int
}

//microfn:service
func Buy(id uuid.UUID, c Code, b Blob, l Line) (decimal.Decimal, error) { panic(0) }
`

// TestMarshalerSchemas: a type that encodes itself is a component schema
// named after its package: a string for MarshalText, any JSON for
// MarshalJSON, with the format of the well-known types; in a query
// string it is text, and as a map key its text.
func TestMarshalerSchemas(t *testing.T) {
	t.Parallel()
	pkg, err := funcs.ParseWith("shop", []funcs.SourceFile{{Name: "shop.go", Src: []byte(marshalSrc)}}, funcs.NewImporter(marshalImports))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Build(Info{Title: "shop", Version: "1"}, servicesOf(t, pkg, ""))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, typ, format, desc string
		nullable                bool
	}{
		{"uuid.UUID", "string", "uuid", "A UUID is a 128 bit", false},
		{"decimal.Decimal", "string", "decimal", "Decimal is a fixed-point decimal.", false},
		{"Code", "string", "", "the text of its MarshalText method", false},
		{"Blob", "", "", "Blob: the JSON its MarshalJSON method writes", true},
	} {
		s := component(t, doc, c.name)
		typ := ""
		if s.Type != nil {
			typ = strings.Join(*s.Type, ",")
		}
		if typ != c.typ || s.Format != c.format || s.Nullable != c.nullable || !strings.Contains(s.Description, c.desc) {
			t.Errorf("%s: type %q format %q nullable %v description %q; want %q %q %v and %q", c.name, typ, s.Format, s.Nullable, s.Description, c.typ, c.format, c.nullable, c.desc)
		}
	}
	if err := component(t, doc, "uuid.UUID").VisitJSON("6ba7b810-9dad-11d1-80b4-00c04fd430c8"); err != nil {
		t.Errorf("a UUID does not fit its schema: %v", err)
	}
	line := component(t, doc, "Line")
	if got := line.Properties["SKU"].Ref; got != "#/components/schemas/uuid.UUID" {
		t.Errorf("Line.SKU refers to %q", got)
	}
	if got := line.Properties["Stock"].Value.Description; !strings.Contains(got, "The keys are Code values, written as the text of their MarshalText method") {
		t.Errorf("Line.Stock's keys: %q", got)
	}
	params := doc.Paths.Find("/Buy").Get.Parameters
	for _, p := range params {
		switch p.Value.Name {
		case "id":
			if p.Value.Schema.Ref != "#/components/schemas/uuid.UUID" || !strings.Contains(p.Value.Description, "the text its UnmarshalText method reads") {
				t.Errorf("query parameter id: %s %q", p.Value.Schema.Ref, p.Value.Description)
			}
		case "b":
			if !strings.Contains(p.Value.Description, "the JSON its UnmarshalJSON method reads") {
				t.Errorf("query parameter b: %q", p.Value.Description)
			}
		}
	}
}
