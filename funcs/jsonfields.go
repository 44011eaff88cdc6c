package funcs

import "sort"

// A JSONField is one key of a struct type's JSON object, after embedded
// structs are flattened as encoding/json flattens them.
type JSONField struct {
	// Field is the declared field: its JSON name, tag options, type and
	// doc.
	*Field
	// Path is the field indexes from the outer struct down to the field.
	Path []int
	// ViaPointer reports that the path crosses an embedded pointer, which
	// may be nil: encoding/json leaves the key out then.
	ViaPointer bool
	// NoAlloc reports that the path crosses an embedded pointer to an
	// unexported struct: encoding/json encodes the field but cannot
	// allocate the pointer when decoding.
	NoAlloc bool
}

// JSONFields lists the keys of the JSON object of the struct type t in the
// order encoding/json writes them, following its rules (typeFields in
// encoding/json): unexported fields and fields tagged "-" are left out;
// untagged embedded structs, and pointers to them, promote their fields (a
// struct type embedded several times at one depth promotes them several
// times, so they conflict); a shallower field hides deeper ones of the
// same name; among equally deep ones a single tagged field wins, else all
// of them are dropped.
func (t *Type) JSONFields() []JSONField {
	type item struct {
		t                   *Type
		path                []int
		viaPointer, noAlloc bool
	}
	var all []JSONField
	visited := map[*Type]bool{}
	var current, next []item
	next = []item{{t: t}}
	// count and nextCount count how many times a struct type is reached
	// at the current and the next depth.
	var count, nextCount map[*Type]int
	for len(next) > 0 {
		current, next = next, nil
		count, nextCount = nextCount, map[*Type]int{}
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
				st, viaPointer, noAlloc := f.Type, it.viaPointer, it.noAlloc
				if f.Embedded && st.Kind == Pointer && st.Elem != nil {
					st, viaPointer, noAlloc = st.Elem, true, noAlloc || !f.Exported
				}
				// Unexported fields are left out, except embedded structs,
				// whose exported fields are promoted (or which are a key of
				// their own under a tag name).
				if !f.Exported && !(f.Embedded && st.Kind == Struct) {
					continue
				}
				if f.Embedded && !f.Tagged && st.Kind == Struct {
					nextCount[st]++
					if nextCount[st] == 1 {
						next = append(next, item{t: st, path: path, viaPointer: viaPointer, noAlloc: noAlloc})
					}
					continue
				}
				jf := JSONField{Field: f, Path: path, ViaPointer: it.viaPointer, NoAlloc: it.noAlloc}
				all = append(all, jf)
				if count[it.t] > 1 {
					// The struct is embedded several times at this
					// depth: a second copy makes the name conflict.
					all = append(all, jf)
				}
			}
		}
	}
	// Resolve name conflicts.
	byName := map[string][]int{}
	var order []string
	for i, f := range all {
		if _, ok := byName[f.JSONName]; !ok {
			order = append(order, f.JSONName)
		}
		byName[f.JSONName] = append(byName[f.JSONName], i)
	}
	var out []JSONField
	for _, name := range order {
		if best := dominant(all, byName[name]); best >= 0 {
			out = append(out, all[best])
		}
	}
	// encoding/json orders fields by index sequence.
	sort.SliceStable(out, func(i, j int) bool { return lessPath(out[i].Path, out[j].Path) })
	return out
}

// dominant returns which of the fields all[idx], which share a name, is
// the one encoding/json keeps, or -1 if none is.
func dominant(all []JSONField, idx []int) int {
	minDepth := len(all[idx[0]].Path)
	for _, i := range idx {
		minDepth = min(minDepth, len(all[i].Path))
	}
	best, tagged, count := -1, 0, 0
	for _, i := range idx {
		if len(all[i].Path) != minDepth {
			continue
		}
		count++
		if all[i].Tagged {
			tagged++
			best = i
		}
	}
	switch {
	case count == 1:
		for _, i := range idx {
			if len(all[i].Path) == minDepth {
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
