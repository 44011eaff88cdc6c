package wire

import (
	"reflect"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/funcs"
)

// A kindCodec is everything wire does with the values of one funcs.Kind.
// Each operation that depends on the kind of a type is one of its fields,
// and kindCodecs holds the codec of every kind, as encoding/json holds an
// encoder function per type: a new kind is one entry there (a test checks
// that every kind has one). A nil operation does what its comment says.
type kindCodec struct {
	// register checks that the interpreter represents t by rt, and
	// registers the types t holds (see Codec.Register); nil accepts any
	// rt.
	register func(c *Codec, t *funcs.Type, rt reflect.Type, seen map[*funcs.Type]bool) error
	// describe names t in error messages, with the JSON expected where it
	// helps; nil: t's Go spelling.
	describe func(t *funcs.Type) string

	// encode appends the JSON of v, a valid value of t; nil: the kind
	// cannot be encoded.
	encode func(c *Codec, b []byte, t *funcs.Type, v reflect.Value, depth int) ([]byte, error)
	// null is what JSON null decodes to.
	null nullRule
	// decode stores the JSON value v (as decodeJSON returns it; not null,
	// unless null is nullDecoded) into dst, which has t's reflect type;
	// nil: the kind cannot be decoded.
	decode func(c *Codec, dst reflect.Value, t *funcs.Type, v any, path string) error

	// scalar reports that a query string gives a value as its own text
	// (x=5) rather than as JSON text (see IsScalar).
	scalar bool
	// decodeText binds the parameter name from its text, as a query
	// string gives it (see Func.BindQuery); nil: the text is JSON, which
	// decode reads.
	decodeText func(f *Func, dst reflect.Value, t *funcs.Type, name, text string) error
	// upload binds the file of a part of a multipart/form-data body (see
	// Func.BindMultipart); nil: the kind takes no file, the part's text
	// is read as decodeText reads it.
	upload func(dst reflect.Value, file microfn.File)

	// The operations on map keys, for the kinds funcs.IsMapKey accepts;
	// nil for the others.
	//
	// keyFits reports whether rt can hold the keys of the type key, as
	// decodeKey sets them.
	keyFits func(key *funcs.Type, rt reflect.Type) bool
	// decodeKey sets dst, a key of the type key, from the JSON object key
	// s.
	decodeKey func(c *Codec, dst reflect.Value, key *funcs.Type, s string) error
	// encodeKey returns the JSON object key of k, a key of the type key;
	// nil: the key encoding/json writes for k's reflect type (see mapKey).
	encodeKey func(c *Codec, key *funcs.Type, k reflect.Value) (string, error)
}

// A nullRule says what JSON null decodes to.
type nullRule int

const (
	nullRefused nullRule = iota // an error: the type has no null
	nullZero                    // the zero value: nil
	nullDecoded                 // what decode makes of it
)

// kindCodecs holds the codec of each kind, indexed by kind. It is filled
// by init, since its operations call set and appendValue, which look
// codecs up in it.
var kindCodecs []*kindCodec

// notOnTheWire is the codec of the kinds no value of which travels: it
// reports an error for every value.
var notOnTheWire = &kindCodec{scalar: true}

func init() {
	integer := &kindCodec{
		encode: (*Codec).encodeInt, decode: (*Codec).decodeInt,
		scalar: true, decodeText: (*Func).decodeIntText,
		keyFits: keyFitsInt, decodeKey: (*Codec).decodeIntKey,
	}
	unsigned := &kindCodec{
		encode: (*Codec).encodeUint, decode: (*Codec).decodeUint,
		scalar: true, decodeText: (*Func).decodeUintText,
		keyFits: keyFitsUint, decodeKey: (*Codec).decodeUintKey,
	}
	float := &kindCodec{
		encode: (*Codec).encodeFloat, decode: (*Codec).decodeFloat,
		scalar: true, decodeText: (*Func).decodeFloatText,
	}
	kindCodecs = []*kindCodec{
		funcs.Bool: {
			encode: (*Codec).encodeBool, decode: (*Codec).decodeBool,
			scalar: true, decodeText: (*Func).decodeBoolText,
		},
		funcs.Int: integer, funcs.Int8: integer, funcs.Int16: integer, funcs.Int32: integer, funcs.Int64: integer,
		funcs.Uint: unsigned, funcs.Uint8: unsigned, funcs.Uint16: unsigned, funcs.Uint32: unsigned, funcs.Uint64: unsigned, funcs.Uintptr: unsigned,
		funcs.Float32: float, funcs.Float64: float,
		funcs.String: {
			encode: (*Codec).encodeString, decode: (*Codec).decodeString,
			scalar: true, decodeText: (*Func).decodeStringText,
			keyFits: keyFitsString, decodeKey: (*Codec).decodeStringKey,
		},
		funcs.Bytes: {
			describe: describeAs("[]byte (a base64 string)"),
			encode:   (*Codec).encodeBytes, null: nullZero, decode: (*Codec).decodeBytes,
			upload: uploadBytes,
		},
		funcs.Slice: {
			register: (*Codec).registerElem, describe: describeJSON("a JSON array"),
			encode: (*Codec).encodeSlice, null: nullZero, decode: (*Codec).decodeSlice,
			decodeText: (*Func).decodeSliceText,
		},
		funcs.Array: {
			register: (*Codec).registerElem, describe: describeJSON("a JSON array"),
			encode: (*Codec).encodeArray, decode: (*Codec).decodeArray,
		},
		funcs.Map: {
			register: (*Codec).registerMap, describe: describeJSON("a JSON object"),
			encode: (*Codec).encodeMap, null: nullZero, decode: (*Codec).decodeMap,
		},
		funcs.Pointer: {
			register: (*Codec).registerElem,
			encode:   (*Codec).encodePointer, null: nullZero, decode: (*Codec).decodePointer,
			decodeText: (*Func).decodePointerText,
		},
		funcs.Struct: {
			register: (*Codec).registerStruct, describe: describeJSON("a JSON object"),
			encode: (*Codec).encodeStruct, decode: (*Codec).decodeStruct,
		},
		funcs.Time: {
			register: registerHost(timeType), describe: describeAs("time.Time (an RFC 3339 string)"),
			encode: (*Codec).encodeTime, decode: (*Codec).decodeTime,
			scalar: true, decodeText: (*Func).decodeTimeText,
			keyFits: keyFitsTime, decodeKey: (*Codec).decodeTimeKey,
		},
		funcs.Duration: {
			describe: describeAs(`time.Duration (integer nanoseconds or a string like "1.5s")`),
			encode:   (*Codec).encodeInt, decode: (*Codec).decodeDuration,
			scalar: true, decodeText: (*Func).decodeDurationText,
			keyFits: keyFitsInt, decodeKey: (*Codec).decodeIntKey,
		},
		funcs.Any: {
			encode: (*Codec).encodeAny, null: nullZero, decode: (*Codec).decodeAny,
			decodeText: (*Func).decodeAnyText,
		},
		funcs.Error:   notOnTheWire, // only as the last result, never encoded
		funcs.Context: notOnTheWire, // only as the first parameter, never bound
		funcs.Std: {
			register: (*Codec).registerStd, describe: describeStd,
			encode: (*Codec).encodeStd, decode: (*Codec).decodeStd,
			scalar: true, decodeText: (*Func).decodeStdText,
			keyFits: keyFitsStd, decodeKey: (*Codec).decodeStdKey,
		},
		funcs.Marshaler: {
			register: (*Codec).registerMarshaler, describe: describeMarshaler,
			encode: (*Codec).encodeMarshaler, null: nullDecoded, decode: (*Codec).decodeMarshaler,
			scalar: true, decodeText: (*Func).decodeMarshalerText,
			keyFits: keyFitsMarshaler, decodeKey: (*Codec).decodeMarshalerKey, encodeKey: (*Codec).encodeMarshalerKey,
		},
		funcs.FileKind: {
			register: registerHost(fileType), describe: describeAs(`microfn.File (a JSON object {"name", "contentType", "data": base64}, or a part of a multipart/form-data upload)`),
			encode: (*Codec).encodeFile, decode: (*Codec).decodeFile,
			upload: uploadFile,
		},
		// A stream is sent value by value (see Func.Each), never as one
		// JSON value.
		funcs.Seq: {register: (*Codec).registerSeq, scalar: true},
	}
}

// codecOf returns the codec of the kind k; notOnTheWire for a kind that
// has none (Invalid).
func codecOf(k funcs.Kind) *kindCodec {
	if k >= 0 && int(k) < len(kindCodecs) && kindCodecs[k] != nil {
		return kindCodecs[k]
	}
	return notOnTheWire
}

// describe names a type for error messages: the Go type and, where it
// helps, the JSON that is expected.
func describe(t *funcs.Type) string {
	if d := codecOf(t.Kind).describe; d != nil {
		return d(t)
	}
	return t.String()
}

// describeAs describes the types of a kind with the text s.
func describeAs(s string) func(*funcs.Type) string {
	return func(*funcs.Type) string { return s }
}

// describeJSON describes a type by its Go spelling and the JSON it is,
// such as "a JSON array".
func describeJSON(what string) func(*funcs.Type) string {
	return func(t *funcs.Type) string { return t.String() + " (" + what + ")" }
}

// IsScalar reports whether a query string, or a part of a
// multipart/form-data body, gives a value of type t as its own text
// (x=5, t=2024-01-02T03:04:05Z) rather than as JSON text (p={"x":1}); a
// slice of scalars may also repeat its key (see [Func.BindQuery]).
func IsScalar(t *funcs.Type) bool { return codecOf(t.Kind).scalar }
