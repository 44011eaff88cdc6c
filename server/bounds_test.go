package server_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/microfn/microfn/internal/microfntest"
)

// TestMalformedImportPaths: an import path the go command rejects as
// malformed ("..", ".", an absolute path) is a load error at the import,
// and no code is read through it: a vendored module's path followed by
// ".." reached a Go file outside the served folder.
func TestMalformedImportPaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, want string
	}{
		{"dot-dot through a vendored module", "example.com/v/../../../../outside", `invalid path element ".."`},
		{"dot-dot through the module", "example.com/app/../../outside", `invalid path element ".."`},
		{"dot", "./lib", `invalid path element "."`},
		{"absolute", "/outside", "empty path element"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := t.TempDir()
			// A package outside the served folder, and one inside it.
			microfntest.WriteFile(t, base, "outside/o.go", "package outside\n\n// Secret is outside the served folder.\nconst Secret = \"outside\"\n")
			microfntest.WriteFile(t, base, "app/lib/lib.go", "package outside\n\n// Secret is inside.\nconst Secret = \"inside\"\n")
			microfntest.WriteFile(t, base, "app/go.mod", "module example.com/app\n\ngo 1.22\n\nrequire example.com/v v1.0.0\n")
			microfntest.WriteFile(t, base, "app/vendor/modules.txt", "# example.com/v v1.0.0\n## explicit\nexample.com/v\n")
			microfntest.WriteFile(t, base, "app/vendor/example.com/v/v.go", "package v\n\n// V is vendored.\nconst V = 1\n")
			microfntest.WriteFile(t, base, "app/s/s.go", "package s\n\nimport o \""+tt.path+"\"\n\n//microfn:service\nfunc Get() string { return o.Secret }\n\n//microfn:service\nfunc Ok() int { return 1 }\n")
			in := microfntest.StartDir(t, filepath.Join(base, "app"))
			if r := in.Get("/s/Get"); r.Status == 200 {
				t.Fatalf("/s/Get = %d %s: served code read through %q", r.Status, r.Body, tt.path)
			}
			want := "s/s.go:3:10: malformed import path \"" + tt.path + "\": " + tt.want
			if errs := strings.Join(packageErrors(t, in, "s"), "\n"); !strings.Contains(errs, want) {
				t.Errorf("errors of s:\n%s\nwant %q", errs, want)
			}
		})
	}
}
