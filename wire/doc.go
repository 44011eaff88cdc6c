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
// tags, omitempty and omitzero are honoured, map keys are sorted, and
// []byte is base64, exactly as encoding/json would encode the types as
// written.
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
