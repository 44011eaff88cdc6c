// Package apihook lets microfn's interpreter make values of package
// microfn's types that have unexported fields.
package apihook

import "github.com/microfn/microfn/state"

// NewKVStore returns a *microfn.KVStore over kv. Package microfn sets it
// when it initialises, once, before any code can call it (interp imports
// microfn): the one hook between the interpreter and microfn's
// unexported fields.
var NewKVStore func(kv *state.KV) any
