package openapi

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/microfn/microfn/funcs"
)

// durationNote describes time.Duration values.
const durationNote = `nanoseconds; requests may also give a Go duration string like "1.5s"`

// schemaRefPrefix starts the reference of a component schema.
const schemaRefPrefix = "#/components/schemas/"

// A generator turns [funcs.Type] values into schemas. Named types become
// component schemas, registered once per *funcs.Type; everything else is
// written inline.
type generator struct {
	schemas  openapi3.Schemas
	problems openapi3.ResponseBodies
	// security holds the security schemes operations use.
	security openapi3.SecuritySchemes
	names    map[*funcs.Type]string
	// shared names the components of types of other packages of the
	// module, by import path and name: every package that uses one gets
	// its own *funcs.Type of it, and they share one component.
	shared map[string]string
	used   map[string]bool
	// prefix qualifies the component names of the package whose services
	// are being described: "" for the root package, "billing." below it.
	prefix string
}

func newGenerator() *generator {
	g := &generator{
		schemas:  openapi3.Schemas{problemName: openapi3.NewSchemaRef("", problemSchema())},
		names:    map[*funcs.Type]string{},
		security: openapi3.SecuritySchemes{},
		shared:   map[string]string{},
		used:     map[string]bool{problemName: true},
	}
	g.problems = newProblemComponents(g.schemas[problemName])
	return g
}

// schema returns the schema of t: a reference for named types, an inline
// schema owned by the caller otherwise.
func (g *generator) schema(t *funcs.Type) *openapi3.SchemaRef {
	if t.Name != "" {
		return g.named(t)
	}
	s := &openapi3.Schema{}
	g.fill(s, t)
	return openapi3.NewSchemaRef("", s)
}

// named returns the reference to the component schema of the named type t,
// adding the component the first time. The component is registered before
// it is filled, so recursive types end in a reference to it.
func (g *generator) named(t *funcs.Type) *openapi3.SchemaRef {
	name, ok := g.names[t]
	if !ok && t.Package != "" {
		name, ok = g.shared[t.Package+"."+t.Name]
	}
	if !ok {
		prefix := g.prefix
		if t.Package != "" {
			// Named after the declaring package: "util.Card".
			prefix = path.Base(t.Package) + "."
		}
		name = g.unique(prefix + t.Name)
		g.names[t] = name
		if t.Package != "" {
			g.shared[t.Package+"."+t.Name] = name
		}
		s := &openapi3.Schema{}
		g.schemas[name] = openapi3.NewSchemaRef("", s)
		g.fill(s, t)
		s.Title = t.Name
		s.Description = joinDoc(t.Doc, s.Description)
		enumSchema(s, t)
	}
	return openapi3.NewSchemaRef(schemaRefPrefix+name, g.schemas[name].Value)
}

// unique returns a component name made of name's characters that OpenAPI
// allows, not yet used.
func (g *generator) unique(name string) string {
	name = sanitize(name)
	candidate := name
	for i := 2; g.used[candidate]; i++ {
		candidate = fmt.Sprintf("%s_%d", name, i)
	}
	g.used[candidate] = true
	return candidate
}

// sanitize replaces the characters that component names may not hold
// (they must match ^[a-zA-Z0-9.\-_]+$) with underscores.
func sanitize(name string) string {
	var b strings.Builder
	for _, c := range name {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '-', c == '_':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

// fill writes the schema of t's kind and structure into s, ignoring t's
// name: it describes what a named type stands for.
func (g *generator) fill(s *openapi3.Schema, t *funcs.Type) {
	kindSchemaOf(t.Kind).fill(g, s, t)
}

// fillStd describes a standard-library type by the JSON its methods
// write: a number for big.Int, a string for the others.
func (g *generator) fillStd(s *openapi3.Schema, t *funcs.Type) {
	st := t.Std
	if st.Number {
		s.Type = &openapi3.Types{openapi3.TypeInteger}
	} else {
		s.Type = &openapi3.Types{openapi3.TypeString}
	}
	s.Description = st.String() + ": " + st.Doc
	var example any
	dec := json.NewDecoder(strings.NewReader(st.Example))
	dec.UseNumber() // big.Int's example has more digits than a float64
	if dec.Decode(&example) == nil {
		s.Example = example
	}
}

// knownFormat is the schema of the JSON of a well-known type that encodes
// itself.
type knownFormat struct {
	typ, format, example string
}

// knownFormats are the types that encode themselves whose JSON a format
// names, by import path and name.
var knownFormats = map[string]knownFormat{
	"github.com/google/uuid.UUID":           {openapi3.TypeString, "uuid", "6ba7b810-9dad-11d1-80b4-00c04fd430c8"},
	"github.com/shopspring/decimal.Decimal": {openapi3.TypeString, "decimal", "12.50"},
}

// fillMarshaler describes a type that encodes itself with its methods: a
// string for MarshalText, any JSON for MarshalJSON, with the format of a
// well-known type.
func fillMarshaler(_ *generator, s *openapi3.Schema, t *funcs.Type) {
	if k, ok := knownFormats[t.QualifiedName()]; ok {
		s.Type = &openapi3.Types{k.typ}
		s.Format = k.format
		s.Example = k.example
		return
	}
	if t.Methods.Text() {
		s.Type = &openapi3.Types{openapi3.TypeString}
		s.Description = t.QualifiedString() + ": the text of its MarshalText method"
		return
	}
	s.Nullable = true
	s.Description = t.QualifiedString() + ": the JSON its MarshalJSON method writes"
}

// fillStruct describes a struct as its JSON object: the keys encoding/json
// writes, each required unless it may be left out or is a pointer, and no
// other keys.
func (g *generator) fillStruct(s *openapi3.Schema, t *funcs.Type) {
	s.Type = &openapi3.Types{openapi3.TypeObject}
	s.Properties = openapi3.Schemas{}
	no := false
	s.AdditionalProperties = openapi3.AdditionalProperties{Has: &no}
	for _, f := range t.JSONFields() {
		prop := g.schema(f.Type)
		if f.Doc != "" {
			if prop.Ref != "" {
				prop = openapi3.NewSchemaRef("", &openapi3.Schema{AllOf: openapi3.SchemaRefs{prop}})
			}
			prop.Value.Description = joinDoc(f.Doc, prop.Value.Description)
		}
		s.Properties[f.JSONName] = prop
		// A key encoding/json may leave out is optional: omitempty,
		// omitzero, or promoted through an embedded pointer.
		optional := f.OmitEmpty || f.OmitZero || f.ViaPointer
		if !optional && f.Type.Kind != funcs.Pointer {
			s.Required = append(s.Required, f.JSONName)
		}
	}
}

// resultSchema describes the body of a 200 response: the result itself,
// null when there is none, an array when there are several.
func (g *generator) resultSchema(results []*funcs.Type) *openapi3.SchemaRef {
	switch len(results) {
	case 0:
		return openapi3.NewSchemaRef("", &openapi3.Schema{
			Nullable:    true,
			Enum:        []any{nil},
			Description: "always null: the function returns no result",
		})
	case 1:
		return g.schema(results[0])
	}
	// OpenAPI 3.0 has no tuples (prefixItems is 3.1): each item is one of
	// the results' schemas, and the description tells their order.
	n := uint64(len(results))
	var alts openapi3.SchemaRefs
	seen := map[string]bool{}
	names := make([]string, len(results))
	for i, r := range results {
		names[i] = fmt.Sprintf("%d: %s", i+1, r)
		ref := g.schema(r)
		key, err := json.Marshal(ref)
		if err == nil && seen[string(key)] {
			continue
		}
		seen[string(key)] = true
		alts = append(alts, ref)
	}
	items := alts[0]
	if len(alts) > 1 {
		items = openapi3.NewSchemaRef("", &openapi3.Schema{AnyOf: alts})
	}
	return openapi3.NewSchemaRef("", &openapi3.Schema{
		Type:        &openapi3.Types{openapi3.TypeArray},
		Items:       items,
		MinItems:    n,
		MaxItems:    &n,
		Description: "the results in order (" + strings.Join(names, ", ") + ")",
	})
}

// joinDoc joins two descriptions as paragraphs.
func joinDoc(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n\n" + b
}
