package interp_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/microfn/microfn/interp"
)

// TestConstantBomb: a string constant doubled until it would be longer
// than a constant may be is an error at its name, before the type checker
// builds it; long constants within the bound, shadowed names and
// constants declared in functions are judged as written.
func TestConstantBomb(t *testing.T) {
	t.Parallel()
	doubled := func(prefix string, n int, indent string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "%sconst %s0 = \"0123456789abcdef0123456789abcdef\"\n", indent, prefix)
		for k := 1; k <= n; k++ {
			fmt.Fprintf(&b, "%sconst %s%d = %s%d + %s%d\n", indent, prefix, k, prefix, k-1, prefix, k-1)
		}
		return b.String()
	}
	tests := []struct {
		name, src, want string
	}{
		{"package level", "package a\n\n" + doubled("c", 40, "") + "\nfunc N() int { return len(c40) }\n",
			"a.go:26:7: constant c23 would be 272 MiB long, over the 256 MiB a constant may be"},
		{"in a function", "package a\n\nfunc N() int {\n" + doubled("c", 40, "\t") + "\treturn len(c40)\n}\n",
			"a.go:27:8: constant c23 would be 272 MiB long"},
		{"within the bound", "package a\n\n" + doubled("c", 10, "") + "\nfunc N() int { return len(c10) }\n", ""},
		{"a shadowing constant", "package a\n\nconst s = \"abc\"\n\nfunc N() int {\n\tconst s = s + s\n\treturn len(s)\n}\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadFiles(t, map[string]string{"a.go": tt.src}, interp.Options{}, direct)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("load: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("load: %v, want %q", err, tt.want)
			}
		})
	}
}
