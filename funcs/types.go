package funcs

import (
	"go/token"
	"iter"
	"strconv"
	"strings"
)

// Kind is the kind of a [Type] as it travels in JSON.
//
// Every package that treats values by their kind keeps one table keyed
// by Kind, and a test of each fails while a kind from [Kinds] has no
// entry in it. Adding a kind is therefore, in order:
//
//  1. funcs/types.go: the constant, above numKinds; its name in
//     kindNames; its spelling in Type.write when it has structure (Elem,
//     Key, …). Type gets the fields the kind needs.
//  2. funcs: the Go types of the kind — resolver.resolve and
//     resolveQualified in resolve.go, or a helper of their own (resolveSeq
//     in edge.go, lookupStd in std.go, resolver.marshaler in marshal.go);
//     resolveValue if it may not sit inside another type; resolveNamed if
//     a defined type over it loses what makes it the kind (as for Time,
//     Std and Marshaler) or must copy new Type fields; IsMapKey if it may
//     key a map; checkEdgeResults (edge.go) and describeParams and
//     describeResults (load.go) if it is only a parameter or only a
//     result. The package doc (doc.go) lists the types services may use.
//  3. wire/kinds.go: its kindCodec in kindCodecs — register, describe,
//     encode, null, decode, scalar, decodeText, upload and the map key
//     operations — with their functions in codec.go, encode.go,
//     decode.go, text.go and keys.go; isZeroValue (encode.go) if omitzero
//     calls a method of its values, as for time.Time. The package doc
//     (wire/doc.go) says what its JSON is.
//  4. server/openapi/kinds.go: its kindSchema in kindSchemas — fill,
//     keyNote, queryNote, literal, output, part and response.
//  5. svcrt/typed.go: its host type in hostTypes (the typed proxies), or
//     noHostType when its types exist only inside the interpreter.
//  6. A kind whose values are not one JSON value (a file, a stream) or
//     whose types the interpreter lacks something of needs more than
//     tables: wire/edge.go (Func.Uploads, BindMultipart, Raw, RawResult,
//     Streams, Each, MakeSeq), server/openapi/edge.go (uploads,
//     multipartBody), server/server.go (Server.newVersion sets
//     endpoint.stream), worker/host.go, worker/stream.go and
//     worker/nested.go (raw answers and streams), svcrt/stream.go,
//     protocol/stream.go; interp/symbols.go (the API types service code
//     names, as microfn.File), interp/rewrite/generated.go
//     (writeMarshalers), interp/rewrite/proxy.go (typed proxies through
//     svcrt.HasTypedProxy) and interp/loaded.go (setMethods). They test for the kind by name, not through a table.
//  7. Tests: TestKinds (funcs), TestKindCodecs and TestEveryKind (wire),
//     TestKindSchemas and TestEveryKindSchema (server/openapi) and
//     TestHostTypesComplete (svcrt) fail until the kind has its entries
//     and a value of it; values of it belong in wire's differential tests
//     (types_test.go) and in server's wire fidelity tests.
type Kind int

// The kinds of types a service may take and return.
const (
	Invalid Kind = iota
	Bool
	Int
	Int8
	Int16
	Int32
	Int64
	Uint
	Uint8
	Uint16
	Uint32
	Uint64
	Uintptr
	Float32
	Float64
	String
	Bytes    // []byte, base64 in JSON as encoding/json does
	Slice    // []T
	Array    // [N]T
	Map      // map[K]T; see [Type.Key] for the key types
	Pointer  // *T, null when nil
	Struct   // a struct type, named or not
	Time     // time.Time, RFC 3339 in JSON
	Duration // time.Duration, an integer count of nanoseconds in JSON
	Any      // any or interface{}
	Error    // error, only as the last result
	Context  // context.Context, only as the first parameter
	Std      // a standard-library type that encodes itself: see [StdType]
	// Marshaler is a named type that encodes itself with its own JSON or
	// text methods (json.Marshaler, encoding.TextMarshaler and their
	// Unmarshal counterparts): see [Type.Methods]. It travels as what
	// they write, whatever it is made of.
	Marshaler
	FileKind // microfn.File: a file's name, content type and data
	Seq      // iter.Seq[T] or iter.Seq2[T, error], only as the result: a stream of T

	// numKinds counts the kinds: a new kind goes above it (see [Kind]).
	numKinds
)

// Kinds returns every kind but Invalid, in order. The tables keyed by
// Kind in other packages are checked against it, so that a new kind
// cannot be left out of one of them.
func Kinds() iter.Seq[Kind] {
	return func(yield func(Kind) bool) {
		for k := Invalid + 1; k < numKinds; k++ {
			if !yield(k) {
				return
			}
		}
	}
}

var kindNames = [numKinds]string{
	Invalid: "invalid", Bool: "bool", Int: "int", Int8: "int8", Int16: "int16",
	Int32: "int32", Int64: "int64", Uint: "uint", Uint8: "uint8", Uint16: "uint16",
	Uint32: "uint32", Uint64: "uint64", Uintptr: "uintptr", Float32: "float32",
	Float64: "float64", String: "string", Bytes: "[]byte", Slice: "slice",
	Array: "array", Map: "map", Pointer: "pointer", Struct: "struct",
	Time: "time.Time", Duration: "time.Duration", Any: "any", Error: "error",
	Context: "context.Context", Std: "std", Marshaler: "marshaler", FileKind: "microfn.File", Seq: "iter.Seq",
}

// String returns the Go spelling of basic kinds and a word for the others.
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// IsInteger reports whether k is one of the int or uint kinds.
func (k Kind) IsInteger() bool { return k >= Int && k <= Uintptr }

// IsUnsigned reports whether k is one of the uint kinds.
func (k Kind) IsUnsigned() bool { return k >= Uint && k <= Uintptr }

// IsFloat reports whether k is float32 or float64.
func (k Kind) IsFloat() bool { return k == Float32 || k == Float64 }

// Bits returns the size in bits of a sized integer or float kind, and 64 for
// int, uint and uintptr.
func (k Kind) Bits() int {
	switch k {
	case Int8, Uint8:
		return 8
	case Int16, Uint16:
		return 16
	case Int32, Uint32, Float32:
		return 32
	}
	return 64
}

// A Type describes a Go type as written in the package's source, with what
// JSON encoding needs: the interpreter loses names, methods, embedding and
// unexported-ness of struct fields, so the wire format is derived from this
// description rather than from reflection. Types may be recursive (a
// struct whose field points back to it); the same *Type is then reached
// again.
type Type struct {
	Kind Kind
	// Name is the declared name for named types of the package ("Point"),
	// and of other packages of the module or of the modules it requires
	// ("Card", "UUID"), and empty otherwise.
	Name string
	// Package is the import path of the package that declares a named
	// type of another package ("example.com/shop/util",
	// "github.com/google/uuid"); empty for the package's own types.
	Package string
	// Elem is the element type of Slice, Array, Map and Pointer, and of
	// Bytes when the element type is a named byte type ([]MyByte).
	Elem *Type
	// Key is the key type of a Map. As encoding/json requires, its Kind
	// is String, an integer kind (written as a decimal string in JSON),
	// Duration (an int64), Time, or Std with [StdType.Key] (written as
	// their text).
	Key *Type
	// Len is the length of an Array.
	Len int
	// Fields are the fields of a Struct, all of them, in declaration order.
	Fields []*Field
	// Doc is the doc comment of a named type.
	Doc string
	// Pos is where a named type is declared.
	Pos token.Position
	// Std describes a type of Kind Std.
	Std *StdType
	// Methods are the JSON and text methods of a type of Kind Marshaler.
	Methods *Methods
	// SeqErr reports, for a Seq, iter.Seq2[Elem, error]: each value
	// comes with an error, and a non-nil one ends the stream.
	SeqErr bool
	// Enum are the constants the package declares of a named string or
	// integer type, in source order: the values a client picks from.
	Enum []EnumValue
}

// A Field is one field of a struct type as declared.
type Field struct {
	// Name is the Go name; for an embedded field, the type's name.
	Name string
	// Index is the field's position in the struct, counting every field.
	Index int
	// Exported reports whether Name is exported.
	Exported bool
	// Embedded reports whether the field is embedded.
	Embedded bool
	// Type is the field's type; nil for unexported fields that JSON skips.
	Type *Type
	// JSONName is the key in JSON: the json tag's name, or Name.
	JSONName string
	// Tagged reports whether the json tag gave a name.
	Tagged bool
	// OmitEmpty and OmitZero are the json tag options of those names.
	OmitEmpty, OmitZero bool
	// Skip reports a field tagged json:"-".
	Skip bool
	// Doc is the field's doc or line comment.
	Doc string
	// Pos is where the field is declared.
	Pos token.Position
}

// String returns the Go spelling of t, as a person would write it in the
// package that declares it.
func (t *Type) String() string {
	var b strings.Builder
	t.write(&b)
	return b.String()
}

func (t *Type) write(b *strings.Builder) {
	if t == nil {
		b.WriteString("<nil>")
		return
	}
	if t.Name != "" {
		b.WriteString(t.Name)
		return
	}
	switch t.Kind {
	case Slice:
		b.WriteString("[]")
		t.Elem.write(b)
	case Bytes:
		if t.Elem == nil {
			b.WriteString("[]byte")
			break
		}
		b.WriteString("[]")
		t.Elem.write(b)
	case Array:
		b.WriteString("[")
		b.WriteString(strconv.Itoa(t.Len))
		b.WriteString("]")
		t.Elem.write(b)
	case Map:
		b.WriteString("map[")
		t.Key.write(b)
		b.WriteString("]")
		t.Elem.write(b)
	case Pointer:
		b.WriteString("*")
		t.Elem.write(b)
	case Std:
		b.WriteString(t.Std.String())
	case Seq:
		if t.SeqErr {
			b.WriteString("iter.Seq2[")
			t.Elem.write(b)
			b.WriteString(", error]")
			break
		}
		b.WriteString("iter.Seq[")
		t.Elem.write(b)
		b.WriteString("]")
	case Struct:
		b.WriteString("struct{")
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteString("; ")
			}
			if !f.Embedded {
				b.WriteString(f.Name)
				b.WriteString(" ")
			}
			if f.Type != nil {
				f.Type.write(b)
			} else {
				b.WriteString("…")
			}
		}
		b.WriteString("}")
	default:
		b.WriteString(t.Kind.String())
	}
}
