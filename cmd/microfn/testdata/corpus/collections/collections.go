// Package collections transforms slices and maps with github.com/samber/lo.
package collections

import (
	"strconv"

	"github.com/samber/lo"
)

// A Summary describes a list of numbers.
type Summary struct {
	Unique   []int            `json:"unique"`
	Evens    []int            `json:"evens"`
	Labels   []string         `json:"labels"`
	Chunks   [][]int          `json:"chunks"`
	ByParity map[string][]int `json:"byParity"`
	Sum      int              `json:"sum"`
	Max      int              `json:"max"`
	First    int              `json:"first"`
	Found    bool             `json:"found"`
}

// Summarize summarizes xs.
//
//microfn:service
func Summarize(xs []int) Summary {
	first, found := lo.Find(xs, func(x int) bool { return x > 10 })
	return Summary{
		Unique:   lo.Uniq(xs),
		Evens:    lo.Filter(xs, func(x int, _ int) bool { return x%2 == 0 }),
		Labels:   lo.Map(xs, func(x int, i int) string { return strconv.Itoa(i) + ":" + strconv.Itoa(x) }),
		Chunks:   lo.Chunk(xs, 2),
		ByParity: lo.GroupBy(xs, func(x int) string { return lo.Ternary(x%2 == 0, "even", "odd") }),
		Sum:      lo.Sum(xs),
		Max:      lo.Max(xs),
		First:    first,
		Found:    found,
	}
}

// Index keys words by their first letter and counts them.
//
//microfn:service
func Index(words []string) map[string]int {
	byLetter := lo.CountValuesBy(words, func(w string) string {
		if w == "" {
			return ""
		}
		return w[:1]
	})
	keys := lo.Keys(byLetter)
	return lo.SliceToMap(keys, func(k string) (string, int) { return "letter " + k, byLetter[k] })
}
