package stdlib

import (
	"reflect"
	"sort"
	"sync"
)

// A Table holds the symbol tables of packages by export key (an import
// path, a slash and the package's name: "net/http/http"), each built by
// its function on first use. Building every table of the standard library
// when a program starts costs it time and memory (half a megabyte of
// reflect values), though an interpreter is most often given only the few
// packages its code imports. The zero Table is empty and ready to use; a
// Table is safe for concurrent use.
type Table struct {
	mu       sync.Mutex
	build    map[string]func() map[string]reflect.Value
	wrappers map[string]map[string]reflect.Value
	built    map[string]map[string]reflect.Value
}

// Add registers the package of key: build returns its symbols, and
// wrappers (which may be nil) are the wrapper types of its interfaces
// (names starting with "_"), which Wrappers returns without building the
// rest and which Package adds to what build returns.
func (t *Table) Add(key string, build func() map[string]reflect.Value, wrappers map[string]reflect.Value) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.build == nil {
		t.build = map[string]func() map[string]reflect.Value{}
		t.wrappers = map[string]map[string]reflect.Value{}
		t.built = map[string]map[string]reflect.Value{}
	}
	t.build[key] = build
	if len(wrappers) > 0 {
		t.wrappers[key] = wrappers
	}
	delete(t.built, key)
}

// Keys returns the keys of the table's packages, sorted.
func (t *Table) Keys() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	keys := make([]string, 0, len(t.build))
	for k := range t.build {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Package returns the symbols of the package of key, built on the first
// call and the same map afterwards, or nil if the table has no such
// package. The map is shared: it must not be modified.
func (t *Table) Package(key string) map[string]reflect.Value {
	t.mu.Lock()
	defer t.mu.Unlock()
	if syms, ok := t.built[key]; ok {
		return syms
	}
	build, ok := t.build[key]
	if !ok {
		return nil
	}
	syms := build()
	if syms == nil {
		syms = map[string]reflect.Value{}
	}
	for name, v := range t.wrappers[key] {
		syms[name] = v
	}
	t.built[key] = syms
	return syms
}

// Built reports whether the symbols of the package of key have been built
// (by Package or Exports).
func (t *Table) Built(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.built[key]
	return ok
}

// Wrappers returns the wrapper types of the interfaces of the package of
// key (names starting with "_"), or nil if it has none, without building
// its other symbols. The map is shared: it must not be modified.
func (t *Table) Wrappers(key string) map[string]reflect.Value {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.wrappers[key]
}

// Exports returns the symbols of every package of the table, built, by
// key: the argument of [github.com/traefik/yaegi/interp.Interpreter.Use]
// that gives an interpreter all of them.
func (t *Table) Exports() map[string]map[string]reflect.Value {
	keys := t.Keys()
	all := make(map[string]map[string]reflect.Value, len(keys))
	for _, k := range keys {
		all[k] = t.Package(k)
	}
	return all
}
