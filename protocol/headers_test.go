package protocol

import (
	"net/http"
	"strings"
	"testing"
)

// TestHeaderNames: every header of microfn's own begins with HeaderPrefix
// and is in the canonical form, as the server sets them without
// normalizing them (fasthttp's SetCanonical) and reads them as net/http
// and fasthttp normalize them; the trace context headers are W3C's, in
// lower case, and do not begin with the prefix.
func TestHeaderNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		own   bool
		value string
	}{
		{"HeaderDepth", true, HeaderDepth},
		{"HeaderDeadline", true, HeaderDeadline},
		{"HeaderProxied", true, HeaderProxied},
		{"HeaderChain", true, HeaderChain},
		{"HeaderCaller", true, HeaderCaller},
		{"HeaderAttempts", true, HeaderAttempts},
		{"HeaderStale", true, HeaderStale},
		{"HeaderTier", true, HeaderTier},
		{"HeaderPermanent", true, HeaderPermanent},
		{"HeaderTraceparent", false, HeaderTraceparent},
		{"HeaderTracestate", false, HeaderTracestate},
	}
	seen := map[string]string{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			canonical := http.CanonicalHeaderKey(tc.value)
			if own := strings.HasPrefix(canonical, HeaderPrefix); own != tc.own {
				t.Errorf("%s = %q: begins with %q %v, want %v", tc.name, tc.value, HeaderPrefix, own, tc.own)
			}
			if tc.own && canonical != tc.value {
				t.Errorf("%s = %q, not in the canonical form %q", tc.name, tc.value, canonical)
			}
			if !tc.own && tc.value != strings.ToLower(tc.value) {
				t.Errorf("%s = %q, want W3C's lower case", tc.name, tc.value)
			}
		})
		if other, ok := seen[strings.ToLower(tc.value)]; ok {
			t.Errorf("%s and %s are the same header, %q", tc.name, other, tc.value)
		}
		seen[strings.ToLower(tc.value)] = tc.name
	}
}
