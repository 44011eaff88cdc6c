package sandbox

import (
	"testing"

	yaegi "github.com/traefik/yaegi/interp"
)

// BenchmarkSymbolsUse measures an interpreter given the whole standard
// library against one given what its code imports.
func BenchmarkSymbolsUse(b *testing.B) {
	for _, tc := range []struct {
		name string
		need func(string) bool
	}{{"all", nil}, {"fmt+strings", func(p string) bool { return p == "fmt" || p == "strings" }}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				in := yaegi.New(yaegi.Options{})
				for _, s := range Symbols(false, nil, tc.need) {
					in.Use(s)
				}
			}
		})
	}
}
