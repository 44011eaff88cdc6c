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
// Plans are built once per service and type when a package version loads
// ([NewFunc]); requests only walk them.
package wire
