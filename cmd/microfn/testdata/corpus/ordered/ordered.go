// Package ordered keeps ordered sets with github.com/google/btree.
package ordered

import (
	"github.com/google/btree"
)

// Range inserts xs into a B-tree of degree 3 and returns the items in
// [lo, hi) ascending, the first ones descending, the minimum and maximum,
// and the length after deleting lo.
//
//microfn:service
func Range(xs []int, lo, hi int) map[string]any {
	t := btree.NewOrderedG[int](3)
	for _, x := range xs {
		t.ReplaceOrInsert(x)
	}
	var in, desc []int
	t.AscendRange(lo, hi, func(x int) bool { in = append(in, x); return true })
	t.Descend(func(x int) bool { desc = append(desc, x); return len(desc) < 3 })
	min, _ := t.Min()
	max, _ := t.Max()
	t.Delete(lo)
	return map[string]any{"in": in, "desc": desc, "min": min, "max": max, "len": t.Len()}
}
