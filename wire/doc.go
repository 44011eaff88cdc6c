// Package wire encodes the values of interpreted services as JSON and
// binds requests to their parameters.
//
// The interpreter hands values to the host as reflect values whose struct
// types are unnamed, lose their methods and embedding, and show unexported
// fields as exported ones named X<name>. Encoding them with encoding/json
// would leak those fields and ignore the json semantics of the types as
// written. wire therefore derives the wire format from the source
// description of each type ([funcs.Type]) and walks the reflect values
// along it: unexported fields never appear, embedded fields flatten, json
// tags, omitempty and omitzero are honoured, map keys are sorted (integer
// keys written in decimal, time.Time and netip keys as their text), and
// []byte is base64, exactly as encoding/json would encode the types as
// written. The standard-library types of funcs.StdTypes (math/big.Int,
// net/netip.Addr, …) are compiled types of the host: wire encodes and
// decodes them with their own JSON or text methods, as encoding/json does
// (for big.Int, big.Float and big.Rat, whose methods have pointer
// receivers, as it does for addressable values).
//
// A type of Kind funcs.Marshaler (a named type of service code, or of a
// module it requires, with its own JSON or text methods, such as
// github.com/google/uuid.UUID) is encoded and decoded with those methods
// too, as encoding/json does: the JSON of MarshalJSON, compacted and
// escaped, else the text of MarshalText as a string; UnmarshalJSON reads
// any JSON, null included, UnmarshalText a string, and in a query string
// the text as given. The interpreter represents such a type without its
// methods, so the code that loads a package gives functions that call
// them ([Codec.SetMethods]); the compiled code's types have them. A
// method's error is the caller's: a parameter it refuses is a 400 naming
// the parameter, with the method's message.
//
// One thing encoding/json cannot encode, microfn writes: a float that is
// NaN or infinite becomes the JSON string "NaN", "Infinity" or
// "-Infinity" (the proto3 JSON mapping's convention), wherever it is — a
// result, an argument of a nested call, a field, an element, a value in
// an any — and float parameters read those strings back, so every way of
// calling a service gives the same value. In a query string, a float is
// read by strconv.ParseFloat, which knows NaN, Inf, +Inf, -Inf and
// Infinity.
//
// Decoding follows encoding/json as well (keys match field names
// case-insensitively, the last of repeated keys wins, numbers in an any
// are float64) but is stricter, to report client mistakes: unknown fields,
// null for a type other than a pointer, slice, map or any, and arrays of
// another length are errors, as is a parameter given twice. A
// time.Duration may also be given as a string such as "1.5s".
//
// Plans are built once per service and type when a package version loads
// ([NewFunc]); requests only walk them.
package wire
