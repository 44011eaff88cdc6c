// Package prog uses keys that cannot be hashed in every map operation.
package prog

import "fmt"

type Pair struct {
	A int
	B any
}

// key returns a key of the kind named.
func key(kind string) any {
	switch kind {
	case "slice":
		return []int{1}
	case "map":
		return map[string]int{}
	case "func":
		return func() {}
	case "pair":
		return Pair{1, []int{2}}
	case "array":
		return [2]any{1, []string{}}
	case "pointer":
		return &Pair{}
	}
	return kind
}

// Set sets m[k] in a map that is empty or not.
//
//microfn:service
func Set(kind string, full bool) int {
	m := map[any]int{}
	if full {
		m["x"] = 1
	}
	m[key(kind)] = 2
	return len(m)
}

// Get reads m[k], with and without ok, from a map that is empty or not.
//
//microfn:service
func Get(kind string, full bool) []string {
	m := map[any]int{}
	if full {
		m["x"] = 1
	}
	k := key(kind)
	v := m[k]
	w, ok := m[k]
	_, _ = m[k]
	return []string{fmt.Sprint(v, w, ok)}
}

// Other deletes k, makes a literal with it, sets it in a nil map and in a
// map keyed by a struct, and adds to its entry.
//
//microfn:service
func Other(kind, op string) int {
	k := key(kind)
	switch op {
	case "delete":
		m := map[any]int{"x": 1}
		delete(m, k)
		return len(m)
	case "literal":
		return len(map[any]int{k: 1})
	case "nil":
		var m map[any]int
		m[k] = 1
	case "struct":
		m := map[Pair]int{}
		m[Pair{1, k}] = 1
		return len(m)
	case "add":
		m := map[any]int{"x": 1}
		m[k] += 2
		return m[k]
	}
	return 0
}
