package wire

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"

	"github.com/microfn/microfn/funcs"
)

// wireField is one field of a struct as encoding/json sees it, after
// embedded structs are flattened.
type wireField struct {
	name    string // JSON key
	key     []byte // `"name":`, pre-encoded
	path    []int  // field indexes from the outer struct
	typ     *funcs.Type
	omitEmp bool
	omitZer bool
	tagged  bool
	depth   int
	// noAlloc reports that path crosses an embedded pointer to an
	// unexported struct: encoding/json encodes the field but cannot
	// allocate the pointer when decoding.
	noAlloc bool
}

// flatten lists the JSON fields of the struct type t following
// encoding/json's rules: embedded untagged structs (and pointers to
// structs) promote their fields, a shallower field hides deeper ones of the
// same name, and among equally deep fields a tagged one wins, else all of
// them are dropped. A struct type embedded several times at one depth
// promotes its fields several times, so they are dropped too.
func flatten(t *funcs.Type) []wireField {
	type item struct {
		t       *funcs.Type
		path    []int
		noAlloc bool
	}
	var all []wireField
	visited := map[*funcs.Type]bool{}
	var current, next []item
	next = []item{{t: t}}
	// count and nextCount count how many times a struct type is reached
	// at the current and the next depth.
	var count, nextCount map[*funcs.Type]int
	for depth := 0; len(next) > 0; depth++ {
		current, next = next, nil
		count, nextCount = nextCount, map[*funcs.Type]int{}
		for _, it := range current {
			if visited[it.t] {
				continue
			}
			visited[it.t] = true
			for _, f := range it.t.Fields {
				if f.Skip || f.Type == nil {
					continue
				}
				path := append(append([]int(nil), it.path...), f.Index)
				ft := f.Type
				if f.Embedded && !f.Tagged {
					st, noAlloc := ft, it.noAlloc
					if st.Kind == funcs.Pointer {
						st = st.Elem
						noAlloc = noAlloc || !f.Exported
					}
					if st.Kind == funcs.Struct {
						nextCount[st]++
						if nextCount[st] == 1 {
							next = append(next, item{t: st, path: path, noAlloc: noAlloc})
						}
						continue
					}
				}
				if !f.Exported {
					continue
				}
				wf := wireField{
					name: f.JSONName, path: path, typ: ft,
					omitEmp: f.OmitEmpty, omitZer: f.OmitZero, tagged: f.Tagged, depth: depth,
					noAlloc: it.noAlloc,
				}
				all = append(all, wf)
				if count[it.t] > 1 {
					// The struct is embedded several times at this
					// depth: a second copy makes the name conflict.
					all = append(all, wf)
				}
			}
		}
	}
	// Resolve name conflicts.
	byName := map[string][]int{}
	var order []string
	for i, f := range all {
		if _, ok := byName[f.name]; !ok {
			order = append(order, f.name)
		}
		byName[f.name] = append(byName[f.name], i)
	}
	var out []wireField
	for _, name := range order {
		idx := byName[name]
		best := dominant(all, idx)
		if best >= 0 {
			out = append(out, all[best])
		}
	}
	// encoding/json orders fields by index sequence.
	sort.SliceStable(out, func(i, j int) bool { return lessPath(out[i].path, out[j].path) })
	for i := range out {
		k, _ := json.Marshal(out[i].name)
		out[i].key = append(k, ':')
	}
	return out
}

func dominant(all []wireField, idx []int) int {
	minDepth := all[idx[0]].depth
	for _, i := range idx {
		minDepth = min(minDepth, all[i].depth)
	}
	best, tagged, count := -1, 0, 0
	for _, i := range idx {
		if all[i].depth != minDepth {
			continue
		}
		count++
		if all[i].tagged {
			tagged++
			best = i
		}
	}
	switch {
	case count == 1:
		for _, i := range idx {
			if all[i].depth == minDepth {
				return i
			}
		}
	case tagged == 1:
		return best
	}
	return -1
}

func lessPath(a, b []int) bool {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

// fieldByPath returns the field of struct v at path, following embedded
// pointers. With alloc, nil embedded pointers are allocated (decoding);
// without, a nil one ends the walk with ok false (encoding skips the field).
func fieldByPath(v reflect.Value, path []int, alloc bool) (reflect.Value, bool) {
	for i, idx := range path {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !alloc {
					return reflect.Value{}, false
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(idx)
	}
	return v, true
}

// lookupField finds the field for a JSON key: an exact match, else a
// case-insensitive one, as encoding/json does.
func lookupField(fields []wireField, key string) *wireField {
	for i := range fields {
		if fields[i].name == key {
			return &fields[i]
		}
	}
	for i := range fields {
		if strings.EqualFold(fields[i].name, key) {
			return &fields[i]
		}
	}
	return nil
}
