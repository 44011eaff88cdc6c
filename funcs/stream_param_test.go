package funcs_test

import (
	"strings"
	"testing"
)

// TestStreamParameterRefused: iter.Seq is a result only (a stream the
// service sends); as a parameter it is a load error at the parameter's
// type, saying what to take instead.
func TestStreamParameterRefused(t *testing.T) {
	t.Parallel()
	tests := []struct{ sig, col string }{
		{"func Sum(xs iter.Seq[int]) int", "a.go:6:13:"},
		{"func Sum(n int, xs iter.Seq2[int, error]) int", "a.go:6:20:"},
	}
	for _, tc := range tests {
		t.Run(tc.sig, func(t *testing.T) {
			t.Parallel()
			src := "package p\n\nimport \"iter\"\n\n//microfn:service\n" + tc.sig + " { return 0 }\n"
			_, err := parseSrc(src)
			if err == nil || !strings.Contains(err.Error(), tc.col) || !strings.Contains(err.Error(), "is a result only") || !strings.Contains(err.Error(), "take a slice") {
				t.Errorf("Parse(%s) = %v, want a load error at %s saying iter.Seq is a result only", tc.sig, err, tc.col)
			}
		})
	}
}
