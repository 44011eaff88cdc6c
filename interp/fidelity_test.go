package interp_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/fidelity"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/svcrt"
)

// The differential test: every package under testdata/fidelity is
// compiled with the Go toolchain and loaded through interp (Load, then
// Invoke, as the server's workers, --monolith and microfn run do), and
// each of its services is called with the same inputs both ways (see
// package internal/fidelity). The outcomes must be equal: the result's
// JSON, the error's text, or the panic's text and whether the panic value
// is an error and a runtime.Error.

func loadFidelityPackages(t *testing.T) []*fidelity.Package {
	t.Helper()
	return fidelity.LoadPackages(t, filepath.Join("testdata", "fidelity"), nil)
}

func TestFidelity(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the packages with the Go toolchain")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no Go toolchain: ", err)
	}
	pkgs := loadFidelityPackages(t)
	compiled := runCompiled(t, goTool, pkgs)
	total, failed := 0, 0
	for _, p := range pkgs {
		t.Run(p.Rel, func(t *testing.T) {
			served := runServed(t, p)
			for _, c := range p.Calls() {
				key := fidelity.Key(c[0], c[1])
				want, ok := compiled[p.Rel][key]
				if !ok {
					t.Errorf("%s: the compiled program did not call it", key)
					continue
				}
				total++
				got := served[key]
				if !fidelity.Same(want, got) {
					failed++
					t.Errorf("%s:\n\tgo run:  %v\n\tmicrofn: %v", key, want, got)
				}
			}
		})
	}
	t.Logf("%d packages, %d calls, %d differ", len(pkgs), total, failed)
}

// runServed loads p through interp, in microfn's sandbox as served (with
// runtime allowed, for runtime.Error), and calls its services.
func runServed(t *testing.T, p *fidelity.Package) map[string]fidelity.Outcome {
	t.Helper()
	pkg, err := interp.NewLoader(interp.Options{Allow: []string{"runtime"}}).Load(context.Background(), p.Src, direct)
	if err != nil {
		t.Fatalf("load: %v", lines(err))
	}
	t.Cleanup(pkg.Close)
	out := map[string]fidelity.Outcome{}
	for _, c := range p.Calls() {
		s := service(t, pkg, c[0])
		args, err := s.Func.BindJSON([]byte(c[1]))
		if err != nil {
			t.Fatalf("%s %s: bind: %v", c[0], c[1], err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		res, err := s.Invoke(ctx, args)
		cancel()
		var o fidelity.Outcome
		var pe *svcrt.PanicError
		switch {
		case errors.As(err, &pe):
			_, isErr := pe.Value.(error)
			_, isRt := pe.Value.(runtime.Error)
			o.Panic = &fidelity.Panic{Text: fmt.Sprint(pe.Value), IsError: isErr, RuntimeError: isRt}
		case err != nil:
			text := err.Error()
			o.Error = &text
		default:
			b, err := s.Func.AppendResults(nil, res)
			if err != nil {
				t.Fatalf("%s %s: encode: %v", c[0], c[1], err)
			}
			o.Result = b
		}
		out[fidelity.Key(c[0], c[1])] = o
	}
	return out
}

// runCompiled copies the packages into a module in a temporary directory
// and runs their services compiled, returning the outcomes by package and
// call.
func runCompiled(t *testing.T, goTool string, pkgs []*fidelity.Package) map[string]map[string]fidelity.Outcome {
	t.Helper()
	root := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, "go.mod"), []byte("module fidelity\n\ngo 1.26\n"))
	for _, p := range pkgs {
		for _, f := range p.Src.Files {
			write(filepath.Join(root, filepath.FromSlash(p.Rel), f.Name), f.Src)
		}
	}
	return fidelity.RunCompiled(t, goTool, root, pkgs)
}

// TestFidelityInputs checks that inputs.json names only services.
func TestFidelityInputs(t *testing.T) {
	fidelity.CheckInputs(t, loadFidelityPackages(t))
}
