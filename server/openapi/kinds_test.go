package openapi

import (
	"testing"

	"github.com/microfn/microfn/funcs"
)

// keyType returns a type of kind k with everything that allows: a Std
// type and a Marshaler that may key maps.
func keyType(k funcs.Kind) *funcs.Type {
	t := &funcs.Type{Kind: k}
	switch k {
	case funcs.Std:
		t.Std = &funcs.StdType{Path: "net/netip", Name: "Addr", Key: true}
	case funcs.Marshaler:
		t.Methods = &funcs.Methods{MarshalText: true, UnmarshalText: true, ValueText: true}
	}
	return t
}

// TestKindSchemas checks that every kind has a kindSchema, and that a
// kind funcs accepts as a map key says how its keys are written.
func TestKindSchemas(t *testing.T) {
	t.Parallel()
	n := 0
	for k := range funcs.Kinds() {
		n++
		t.Run(k.String(), func(t *testing.T) {
			t.Parallel()
			if int(k) >= len(kindSchemas) || kindSchemas[k] == nil {
				t.Fatalf("kind %s (%d) has no entry in kindSchemas (server/openapi/kinds.go)", k, int(k))
			}
			ks := kindSchemas[k]
			if ks.fill == nil {
				t.Errorf("kind %s has no fill", k)
			}
			if want := funcs.IsMapKey(keyType(k)); (ks.keyNote != nil) != want {
				t.Errorf("kind %s: has a keyNote %v, funcs.IsMapKey says %v", k, ks.keyNote != nil, want)
			}
			if ks.part != nil && isScalar(&funcs.Type{Kind: k}) {
				t.Errorf("kind %s takes a file, but a query string gives it as text", k)
			}
		})
	}
	if len(kindSchemas) > n+1 {
		t.Errorf("kindSchemas has %d entries for %d kinds", len(kindSchemas), n)
	}
}

// TestEveryKindSchema checks the schema of a type of every kind against
// a value of the type as microfn writes it, and a value it refuses.
func TestEveryKindSchema(t *testing.T) {
	t.Parallel()
	intType := &funcs.Type{Kind: funcs.Int}
	var stdAddr *funcs.StdType
	for _, s := range funcs.StdTypes() {
		if s.QualifiedName() == "net/netip.Addr" {
			stdAddr = s
		}
	}
	cases := map[funcs.Kind]struct {
		typ *funcs.Type
		// good is the JSON of a value; bad that of a value the schema
		// refuses, empty when it accepts anything.
		good, bad string
	}{
		funcs.Bool:    {nil, "true", `"true"`},
		funcs.Int:     {nil, "-5", "1.5"},
		funcs.Int8:    {nil, "-8", "200"},
		funcs.Int16:   {nil, "-16", "40000"},
		funcs.Int32:   {nil, "-32", "3000000000"},
		funcs.Int64:   {nil, "-64", `"1"`},
		funcs.Uint:    {nil, "5", "-1"},
		funcs.Uint8:   {nil, "255", "256"},
		funcs.Uint16:  {nil, "16", "65536"},
		funcs.Uint32:  {nil, "32", "4294967296"},
		funcs.Uint64:  {nil, "18446744073709551615", "-1"},
		funcs.Uintptr: {nil, "7", "-1"},
		funcs.Float32: {nil, "1.5", `"x"`},
		funcs.Float64: {nil, `"Infinity"`, `"Inf"`},
		funcs.String:  {nil, `"a"`, "1"},
		funcs.Bytes:   {nil, `"aGk="`, "1"},
		funcs.Slice:   {&funcs.Type{Kind: funcs.Slice, Elem: intType}, "[1,2]", "{}"},
		funcs.Array:   {&funcs.Type{Kind: funcs.Array, Len: 2, Elem: intType}, "[1,2]", "[1]"},
		funcs.Map: {&funcs.Type{Kind: funcs.Map, Key: &funcs.Type{Kind: funcs.String}, Elem: intType},
			`{"a":1}`, "[]"},
		funcs.Pointer: {&funcs.Type{Kind: funcs.Pointer, Elem: intType}, "3", `"x"`},
		funcs.Struct: {&funcs.Type{Kind: funcs.Struct, Fields: []*funcs.Field{{Name: "X", Exported: true, Type: intType, JSONName: "X"}}},
			`{"X":1}`, `{"Y":1}`},
		funcs.Time:      {nil, `"2024-01-02T03:04:05Z"`, "1"},
		funcs.Duration:  {nil, "1500000000", "true"},
		funcs.Any:       {nil, `{"a":1}`, ""},
		funcs.Error:     {nil, "1", ""},
		funcs.Context:   {nil, "1", ""},
		funcs.Std:       {&funcs.Type{Kind: funcs.Std, Std: stdAddr}, `"10.0.0.1"`, "1"},
		funcs.Marshaler: {&funcs.Type{Kind: funcs.Marshaler, Name: "ID", Methods: &funcs.Methods{MarshalText: true, UnmarshalText: true}}, `"id-7"`, "1"},
		funcs.FileKind:  {nil, `{"name":"a.txt","contentType":"text/plain","data":"aGk="}`, `{"name":"a.txt"}`},
		funcs.Seq:       {&funcs.Type{Kind: funcs.Seq, Elem: intType}, "[1,2]", `"x"`},
	}
	for k := range funcs.Kinds() {
		c, ok := cases[k]
		if !ok {
			t.Errorf("kind %s (%d): no case in TestEveryKindSchema", k, int(k))
			continue
		}
		if c.typ == nil {
			c.typ = &funcs.Type{Kind: k}
		}
		t.Run(k.String(), func(t *testing.T) {
			t.Parallel()
			s := newGenerator().schema(c.typ).Value
			if err := s.VisitJSON(decode(t, c.good)); err != nil {
				t.Errorf("%s does not validate against the schema of %s: %v", c.good, c.typ, err)
			}
			if c.bad != "" && s.VisitJSON(decode(t, c.bad)) == nil {
				t.Errorf("%s validates against the schema of %s", c.bad, c.typ)
			}
		})
	}
}
