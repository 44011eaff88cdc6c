package openapi

import (
	"slices"

	"github.com/microfn/microfn/funcs"
)

// A jsonField is one key of a struct's JSON object, after embedded structs
// are flattened as encoding/json flattens them.
type jsonField struct {
	name   string
	typ    *funcs.Type
	doc    string
	index  []int // field positions from the outer struct, for ordering
	tagged bool
	// optional reports a key that encoding/json may leave out: the field
	// has omitempty or omitzero, or it is promoted through an embedded
	// pointer that may be nil.
	optional bool
}

// jsonFields lists the keys of the JSON object of the struct type t in the
// order encoding/json writes them, following its rules (encoding/json's
// typeFields): unexported fields and fields tagged "-" are left out;
// untagged embedded structs, and pointers to them, promote their fields
// (a struct embedded twice at one depth hides all of its fields); a
// shallower field hides deeper ones of the same name; among equally deep
// ones a single tagged field wins, else all of them are dropped.
func jsonFields(t *funcs.Type) []jsonField {
	type embedded struct {
		typ    *funcs.Type
		index  []int
		viaPtr bool
	}
	var all []jsonField
	visited := map[*funcs.Type]bool{}
	var count, nextCount map[*funcs.Type]int
	next := []embedded{{typ: t}}
	for len(next) > 0 {
		current := next
		next = nil
		count, nextCount = nextCount, map[*funcs.Type]int{}
		for _, e := range current {
			if visited[e.typ] {
				continue
			}
			visited[e.typ] = true
			for _, f := range e.typ.Fields {
				if f.Skip || f.Type == nil {
					continue
				}
				ft, ptr := f.Type, false
				if ft.Name == "" && ft.Kind == funcs.Pointer && ft.Elem != nil {
					ft, ptr = ft.Elem, true
				}
				if f.Embedded {
					if !f.Exported && ft.Kind != funcs.Struct {
						continue
					}
				} else if !f.Exported {
					continue
				}
				index := append(slices.Clip(e.index), f.Index)
				if f.Tagged || !f.Embedded || ft.Kind != funcs.Struct {
					all = append(all, jsonField{
						name:     f.JSONName,
						typ:      f.Type,
						doc:      f.Doc,
						index:    index,
						tagged:   f.Tagged,
						optional: f.OmitEmpty || f.OmitZero || e.viaPtr,
					})
					if count[e.typ] > 1 {
						// The struct is embedded more than once at this
						// depth: a duplicate makes the name conflict drop
						// the field, as encoding/json does.
						all = append(all, all[len(all)-1])
					}
					continue
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, embedded{typ: ft, index: index, viaPtr: e.viaPtr || ptr})
				}
			}
		}
	}

	// Group by name; within a name, the shallowest fields first and, at
	// one depth, tagged ones first.
	slices.SortStableFunc(all, func(a, b jsonField) int {
		switch {
		case a.name != b.name:
			if a.name < b.name {
				return -1
			}
			return 1
		case len(a.index) != len(b.index):
			return len(a.index) - len(b.index)
		case a.tagged != b.tagged:
			if a.tagged {
				return -1
			}
			return 1
		}
		return slices.Compare(a.index, b.index)
	})
	var out []jsonField
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].name == all[i].name {
			j++
		}
		group := all[i:j]
		if len(group) == 1 || len(group[0].index) != len(group[1].index) || group[0].tagged != group[1].tagged {
			out = append(out, group[0])
		}
		i = j
	}
	slices.SortFunc(out, func(a, b jsonField) int { return slices.Compare(a.index, b.index) })
	return out
}
