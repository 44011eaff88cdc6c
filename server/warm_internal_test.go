package server

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/protocol"
)

// TestWarm: the PrepareFunc of a warmed prepare process prepares as
// Prepare does, with what it read ahead or, when the Spec's export data
// is other than what it read, without.
func TestWarm(t *testing.T) {
	t.Parallel()
	exports := listExports(append([]string{"fmt", "strings"}, interp.APIImports()...))
	if exports["fmt"] == "" {
		t.Skip("no export data: no Go toolchain")
	}
	spec := func(src string) *protocol.Spec {
		return &protocol.Spec{
			Root:     t.TempDir(),
			Packages: []protocol.PackageSpec{{Rel: ".", Files: []funcs.SourceFile{{Name: "a.go", Src: []byte(src)}}}},
			Prepare:  &protocol.PrepareSpec{Exports: exports},
		}
	}
	good := "package a\n\nimport \"fmt\"\n\n// F formats.\n//\n//microfn:service\nfunc F(x int) string { return fmt.Sprint(x) }\n"
	bad := "package a\n\nimport \"fmt\"\n\n// F formats.\n//\n//microfn:service\nfunc F(x int) int { return fmt.Sprint(x) }\n"
	other := map[string]string{"fmt": "/elsewhere/fmt.a"} // another toolchain's
	for _, tc := range []struct {
		name   string
		warmup map[string]string
	}{
		{"read ahead", exports},
		{"read ahead from other files", other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			prepare := Warm(&protocol.Spec{Warmup: true, Prepare: &protocol.PrepareSpec{Exports: tc.warmup}})
			r, err := prepare(spec(good), slog.New(slog.DiscardHandler))
			if err != nil || len(r.Failed) > 0 || r.Prepared["."] == nil {
				t.Fatalf("prepare a good package: %v, failed %v, prepared %d packages", err, r.Failed, len(r.Prepared))
			}
			r, err = prepare(spec(bad), slog.New(slog.DiscardHandler))
			if err != nil || len(r.Failed["."]) == 0 || !strings.Contains(r.Failed["."][0].Msg, "cannot use fmt.Sprint(x)") {
				t.Fatalf("prepare a package with a type error: %v, failed %+v; want the type error", err, r.Failed)
			}
		})
	}
}
