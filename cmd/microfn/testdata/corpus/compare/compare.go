// Package compare compares values with github.com/google/go-cmp.
package compare

import (
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// A Record is what is compared.
type Record struct {
	ID      int               `json:"id"`
	Name    string            `json:"name"`
	Score   float64           `json:"score"`
	Tags    []string          `json:"tags"`
	Attrs   map[string]string `json:"attrs"`
	Updated string            `json:"updated"`
}

// Equal reports whether two records are equal: exactly, ignoring the
// update time, with scores within 0.01, and with tags in any order. It
// also reports whether cmp.Diff finds a difference and which lines of the
// diff name a field (cmp randomizes the diff's spacing, not its lines).
//
//microfn:service
func Equal(a, b Record) map[string]any {
	diff := cmp.Diff(a, b)
	var fields []string
	for _, line := range strings.Split(diff, "\n") {
		for _, f := range []string{"ID", "Name", "Score", "Tags", "Attrs", "Updated"} {
			if strings.Contains(line, f+":") && (strings.HasPrefix(strings.TrimSpace(line), "-") || strings.HasPrefix(strings.TrimSpace(line), "+")) {
				fields = append(fields, f)
			}
		}
	}
	return map[string]any{
		"exact":       cmp.Equal(a, b),
		"ignoreTime":  cmp.Equal(a, b, cmpopts.IgnoreFields(Record{}, "Updated")),
		"approximate": cmp.Equal(a, b, cmpopts.IgnoreFields(Record{}, "Updated"), cmpopts.EquateApprox(0, 0.01), cmpopts.SortSlices(func(x, y string) bool { return x < y }), cmpopts.EquateEmpty()),
		"differs":     diff != "",
		"fields":      fields,
	}
}
