package openapi

import (
	"fmt"
	"go/ast"
	"math"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/microfn/microfn/funcs"
	wirefmt "github.com/microfn/microfn/wire" // the tests have a helper named wire
)

// A kindSchema is what the document says of the values of one
// funcs.Kind. Each part of the document that depends on the kind of a
// type is one of its fields, and kindSchemas holds the one of every kind:
// a new kind is one entry there (a test checks that every kind has one).
// A nil field does what its comment says.
type kindSchema struct {
	// fill writes the schema of t into s, ignoring t's name (see
	// generator.fill).
	fill func(g *generator, s *openapi3.Schema, t *funcs.Type)
	// keyNote says how the keys of a map keyed by the type key are
	// written in JSON, for the kinds funcs.IsMapKey accepts ("" when
	// they are written as they are); nil for the other kinds.
	keyNote func(key *funcs.Type) string
	// queryNote completes the description of a query parameter of type t:
	// how its text, or its JSON text, is written (see generator.queryParam);
	// nil: nothing to add.
	queryNote func(t *funcs.Type) string
	// literal returns the JSON value of a composite literal of t in an
	// example (see literal); nil: the kind has no composite literals.
	literal func(x *ast.CompositeLit, t *funcs.Type) (any, bool)
	// output reads the output of an example as a result of the kind (see
	// outputResult); nil: as JSON.
	output func(out string) any
	// part describes the part of a multipart/form-data body that gives a
	// parameter of the kind its file (see multipartBody); nil: the kind
	// takes no file.
	part func() *openapi3.SchemaRef
	// response describes the 200 answer of d, whose only result r is of
	// the kind, when it is not r's JSON (see rawResponse); nil, or false:
	// it is.
	response func(g *generator, d *funcs.Descriptor, r *funcs.Type) (*openapi3.Response, bool)
}

// kindSchemas holds the kindSchema of each kind, indexed by kind. It is
// filled by init, since its fill functions call generator.schema, which
// looks kinds up in it.
var kindSchemas []*kindSchema

// unsupportedKind is the kindSchema of the kinds services may not use on
// the wire, which funcs rejects there: their schema accepts anything.
var unsupportedKind = &kindSchema{fill: fillUnsupported}

func init() {
	float := func(format string) *kindSchema {
		return &kindSchema{fill: fillFloat(format), queryNote: note(": a number, or NaN, Infinity, Inf, +Inf, -Inf")}
	}
	kindSchemas = []*kindSchema{
		funcs.Bool:    {fill: fillType(openapi3.TypeBoolean)},
		funcs.Int:     integerKind("int64"),
		funcs.Int8:    integerKind("int32", math.MinInt8, math.MaxInt8),
		funcs.Int16:   integerKind("int32", math.MinInt16, math.MaxInt16),
		funcs.Int32:   integerKind("int32", math.MinInt32, math.MaxInt32),
		funcs.Int64:   integerKind("int64"),
		funcs.Uint:    integerKind("", 0),
		funcs.Uint8:   integerKind("int32", 0, math.MaxUint8),
		funcs.Uint16:  integerKind("int32", 0, math.MaxUint16),
		funcs.Uint32:  integerKind("int64", 0, math.MaxUint32),
		funcs.Uint64:  integerKind("", 0),
		funcs.Uintptr: integerKind("", 0),
		funcs.Float32: float("float"),
		funcs.Float64: float("double"),
		funcs.String: {
			fill: fillType(openapi3.TypeString), keyNote: note(""),
			output: func(out string) any { return out },
		},
		funcs.Bytes: {
			fill: fillBytes, queryNote: note(`: a quoted base64 string such as "aGk="`),
			output: noOutput, part: binaryPart("the content of the part"),
			response: (*generator).bytesResponse,
		},
		funcs.Slice:   {fill: (*generator).fillSlice, literal: listLiteral},
		funcs.Array:   {fill: (*generator).fillArray, literal: listLiteral},
		funcs.Map:     {fill: (*generator).fillMap, literal: mapLiteral},
		funcs.Pointer: {fill: (*generator).fillPointer},
		funcs.Struct:  {fill: (*generator).fillStruct, literal: structLiteral},
		funcs.Time: {
			fill: fillTime, queryNote: note(": an RFC 3339 date and time"),
			keyNote: note(`The keys are time.Time values written in RFC 3339 ("2024-01-02T03:04:05Z").`),
		},
		funcs.Duration: {
			fill: fillDuration, queryNote: note(`: integer nanoseconds or a Go duration like "1.5s"`),
			keyNote: decimalKeys,
		},
		funcs.Any:     {fill: fillAny, queryNote: note(" (text that is not JSON is taken as a string)")},
		funcs.Error:   unsupportedKind, // only as the last result, never in the document
		funcs.Context: unsupportedKind, // only as the first parameter, never in the document
		funcs.Std: {
			fill: (*generator).fillStd, keyNote: stdKeys,
			queryNote: func(t *funcs.Type) string { return ": " + t.Std.Doc + ", as text" },
		},
		funcs.Marshaler: {fill: fillMarshaler, keyNote: marshalerKeys, queryNote: marshalerQueryNote},
		funcs.FileKind: {
			fill: fillFile, output: noOutput, part: binaryPart("a file: its name, content type and content"),
			response: (*generator).fileResponse,
		},
		funcs.Seq: {fill: (*generator).fillSeq, output: noOutput, response: (*generator).streamResponse},
	}
}

// kindSchemaOf returns the kindSchema of the kind k; unsupportedKind for
// a kind that has none (Invalid).
func kindSchemaOf(k funcs.Kind) *kindSchema {
	if k >= 0 && int(k) < len(kindSchemas) && kindSchemas[k] != nil {
		return kindSchemas[k]
	}
	return unsupportedKind
}

// isScalar reports whether a query string gives a value of t as its own
// text rather than as JSON text, as package wire binds it.
func isScalar(t *funcs.Type) bool { return wirefmt.IsScalar(t) }

// note returns a keyNote or queryNote that is always s.
func note(s string) func(*funcs.Type) string {
	return func(*funcs.Type) string { return s }
}

// noOutput is the output of a result that is not sent as JSON (a file, a
// stream, bytes): none.
func noOutput(string) any { return nil }

// fillType returns the fill of a kind that is a JSON type and nothing
// more.
func fillType(typ string) func(*generator, *openapi3.Schema, *funcs.Type) {
	return func(_ *generator, s *openapi3.Schema, _ *funcs.Type) {
		s.Type = &openapi3.Types{typ}
	}
}

// fillUnsupported describes a kind services may not use: funcs rejects
// it. It accepts anything.
func fillUnsupported(_ *generator, s *openapi3.Schema, t *funcs.Type) {
	s.Description = t.Kind.String()
}

// integerKind describes an integer kind by its format and its range:
// bounds are its minimum and maximum, given where float64 holds them
// exactly (int, int64 and the unsigned 64-bit kinds rely on their format
// or minimum alone). Its map keys are written in decimal.
func integerKind(format string, bounds ...float64) *kindSchema {
	fill := func(_ *generator, s *openapi3.Schema, _ *funcs.Type) {
		s.Type = &openapi3.Types{openapi3.TypeInteger}
		s.Format = format
		if len(bounds) > 0 {
			s.Min = new(bounds[0])
		}
		if len(bounds) > 1 {
			s.Max = new(bounds[1])
		}
	}
	return &kindSchema{fill: fill, keyNote: decimalKeys}
}

// fillFloat returns the fill of a float kind of the format: a JSON
// number, or one of the strings microfn writes for the values JSON
// numbers cannot hold (see floatNote).
func fillFloat(format string) func(*generator, *openapi3.Schema, *funcs.Type) {
	return func(_ *generator, s *openapi3.Schema, _ *funcs.Type) {
		num := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeNumber}, Format: format}
		s.OneOf = openapi3.SchemaRefs{
			openapi3.NewSchemaRef("", num),
			openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}, Enum: []any{"NaN", "Infinity", "-Infinity"}}),
		}
	}
}

func fillBytes(_ *generator, s *openapi3.Schema, _ *funcs.Type) {
	s.Type = &openapi3.Types{openapi3.TypeString}
	s.Format = "byte"
	s.Nullable = true
	s.Description = "base64 (standard encoding)"
}

func fillTime(_ *generator, s *openapi3.Schema, _ *funcs.Type) {
	s.Type = &openapi3.Types{openapi3.TypeString}
	s.Format = "date-time"
}

func fillDuration(_ *generator, s *openapi3.Schema, _ *funcs.Type) {
	s.Type = &openapi3.Types{openapi3.TypeInteger}
	s.Format = "int64"
	s.Description = durationNote
}

func fillAny(_ *generator, s *openapi3.Schema, _ *funcs.Type) {
	s.Nullable = true
	s.Description = "any JSON value"
}

func (g *generator) fillSlice(s *openapi3.Schema, t *funcs.Type) {
	s.Type = &openapi3.Types{openapi3.TypeArray}
	s.Items = g.schema(t.Elem)
	s.Nullable = true
}

// fillArray describes an array as a JSON array of exactly its length.
func (g *generator) fillArray(s *openapi3.Schema, t *funcs.Type) {
	n := uint64(max(t.Len, 0))
	s.Type = &openapi3.Types{openapi3.TypeArray}
	s.Items = g.schema(t.Elem)
	s.MinItems, s.MaxItems = n, &n
}

// fillMap describes a map as a JSON object, its description saying how
// the keys are written (see keyNote).
func (g *generator) fillMap(s *openapi3.Schema, t *funcs.Type) {
	s.Type = &openapi3.Types{openapi3.TypeObject}
	s.AdditionalProperties = openapi3.AdditionalProperties{Schema: g.schema(t.Elem)}
	s.Nullable = true
	s.Description = keyNote(t.Key)
}

// fillPointer describes a pointer as what it points to, or null.
func (g *generator) fillPointer(s *openapi3.Schema, t *funcs.Type) {
	if t.Elem.Name != "" {
		s.AllOf = openapi3.SchemaRefs{g.named(t.Elem)}
	} else {
		g.fill(s, t.Elem)
	}
	s.Nullable = true
}

// fillSeq describes a stream, only ever a result, which rawResponse
// describes; a stream's JSON is its values, one per line.
func (g *generator) fillSeq(s *openapi3.Schema, t *funcs.Type) {
	s.Type = &openapi3.Types{openapi3.TypeArray}
	s.Items = g.schema(t.Elem)
}

// keyNote says how the keys of a map with keys of type key are written,
// when they are not strings: OpenAPI 3.0 cannot constrain property names.
func keyNote(key *funcs.Type) string {
	if key == nil {
		return ""
	}
	if n := kindSchemaOf(key.Kind).keyNote; n != nil {
		return n(key)
	}
	return ""
}

func decimalKeys(key *funcs.Type) string {
	return fmt.Sprintf(`The keys are %s values written in decimal ("42", "-1").`, key)
}

func stdKeys(key *funcs.Type) string {
	return fmt.Sprintf("The keys are %s values: %s.", key, key.Std.Doc)
}

func marshalerKeys(key *funcs.Type) string {
	return fmt.Sprintf("The keys are %s values, written as the text of their MarshalText method.", key.QualifiedString())
}

// marshalerQueryNote says which method reads the text of a query
// parameter of a type that encodes itself.
func marshalerQueryNote(t *funcs.Type) string {
	if t.Methods.UnmarshalText {
		return ": the text its UnmarshalText method reads"
	}
	return ": the JSON its UnmarshalJSON method reads (text that is not JSON is taken as a string)"
}
