package server_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
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

// doubled writes constants p0 … pn, each twice the one before, p0 being
// first.
func doubled(p, first string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "const %s0 = %s\n", p, first)
	for k := 1; k <= n; k++ {
		fmt.Fprintf(&b, "const %s%d = %s%d + %s%d\n", p, k, p, k-1, p, k-1)
	}
	return b.String()
}

// TestTypeCheckBomb: a package whose type-checking would need unbounded
// memory is a load error; the server, every other package and the last
// good version of that package keep serving. (It ended the server with
// "fatal error: out of memory".) A string constant doubled forty times is
// refused at the first constant over the bound; one built on another
// package's constant is not seen from the syntax, and the prepare
// process's limits end it.
func TestTypeCheckBomb(t *testing.T) {
	t.Parallel()
	const good = "package bomb\n\n//microfn:service\nfunc N() int { return 1 }\n"
	direct := "package bomb\n\n" + doubled("c", "\"0123456789abcdef0123456789abcdef\"", 40) + "\n//microfn:service\nfunc N() int { return len(c40) }\n"
	across := "package bomb\n\nimport \"example.com/app/lib\"\n\n" + doubled("d", "lib.C20", 20) + "\n//microfn:service\nfunc N() int { return len(d20) }\n"
	tests := []struct {
		name   string
		first  string // bomb/b.go when the server starts
		bomb   string // then
		wants  []string
		served bool // the first version served
	}{
		{"a constant, saved while serving", good, direct, []string{"bomb/b.go:26:7: constant c23 would be 272 MiB long"}, true},
		{"a constant, there at start", direct, direct, []string{"bomb/b.go:26:7: constant c23 would be 272 MiB long"}, false},
		// Walking the constant's 2⁴⁰ parts takes time, and building it
		// memory: either limit may end it first.
		{"across packages, saved while serving", good, across, []string{"bomb/b.go:1:1: type-checking needed more than 1024 MiB (--max-memory)", "bomb/b.go:1:1: type-checking took more than"}, true},
		{"across packages, there at start", across, across, []string{"bomb/b.go:1:1: type-checking needed more than 1024 MiB (--max-memory)", "bomb/b.go:1:1: type-checking took more than"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := microfntest.Start(t, map[string]string{
				"go.mod":     "module example.com/app\n\ngo 1.22\n",
				"lib/lib.go": "package lib\n\n" + doubled("C", "\"0123456789abcdef0123456789abcdef\"", 20),
				"ok/ok.go":   "package ok\n\n//microfn:service\nfunc Ok() int { return 7 }\n",
				"bomb/b.go":  tt.first,
			}, server.WithIsolation(server.IsolatePackage), server.WithLoadTimeout(3*time.Second))
			in.Write("bomb/b.go", tt.bomb)
			microfntest.Eventually(t, 30*time.Second, func() (bool, string) {
				errs := strings.Join(packageErrors(t, in, "bomb"), "\n")
				for _, w := range tt.wants {
					if strings.Contains(errs, w) {
						return true, ""
					}
				}
				return false, fmt.Sprintf("errors of bomb: %q, want one of %q", errs, tt.wants)
			})
			if r := in.Get("/ok/Ok"); body(r) != "7" {
				t.Errorf("/ok/Ok = %d %s, want 7", r.Status, r.Body)
			}
			if r := in.Get("/bomb/N"); tt.served && body(r) != "1" {
				t.Errorf("/bomb/N = %d %s, want the last good version's 1", r.Status, r.Body)
			}
		})
	}
}

// TestBlockingInitInImportedCode: an init function or a package-level
// variable's initialiser that never returns, in a vendored module, is
// reported at its position there, with the import chain. (It was reported
// at the importing package's directory, as "a package-level variable's
// initialiser".)
func TestBlockingInitInImportedCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
	}{
		{"init", "package v\n\nfunc init() { select {} }\n\n// V is one.\nfunc V() int { return 1 }\n",
			"vendor/example.com/v/v.go:3:6: the package did not finish loading within 2s (--load-timeout): example.com/app/s imports example.com/v: this init function of an imported package"},
		{"initialiser", "package v\n\nvar x = block()\n\nfunc block() int { select {} }\n\n// V is one.\nfunc V() int { return x }\n",
			"vendor/example.com/v/v.go:3:5: the package did not finish loading within 2s (--load-timeout): example.com/app/s imports example.com/v: this package-level variable's initialiser of an imported package"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := microfntest.Start(t, map[string]string{
				"go.mod":                    "module example.com/app\n\ngo 1.22\n\nrequire example.com/v v1.0.0\n",
				"vendor/modules.txt":        "# example.com/v v1.0.0\n## explicit\nexample.com/v\n",
				"vendor/example.com/v/v.go": tt.src,
				"s/s.go":                    "package s\n\nimport \"example.com/v\"\n\n//microfn:service\nfunc Get() int { return v.V() }\n",
			}, server.WithIsolation(server.IsolatePackage), server.WithLoadTimeout(2*time.Second))
			if errs := strings.Join(packageErrors(t, in, "s"), "\n"); !strings.Contains(errs, tt.want) {
				t.Errorf("errors of s:\n%s\nwant %q", errs, tt.want)
			}
		})
	}
}
