package interp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/svcrt"
)

// The differential test: every package under testdata/fidelity is
// compiled with the Go toolchain and loaded through interp (Load, then
// Invoke, as the server's workers, --monolith and microfn run do), and
// each of its services is called with the same inputs both ways. The
// outcomes must be equal: the result's JSON, the error's text, or the
// panic's text and whether the panic value is an error and a
// runtime.Error.
//
// A package's inputs.json maps service names to lists of JSON argument
// objects; a service it does not list is called once with none.

// outcome is what one call did.
type outcome struct {
	Result json.RawMessage `json:"result,omitempty"`
	Error  *string         `json:"error,omitempty"`
	Panic  *panicOutcome   `json:"panic,omitempty"`
}

type panicOutcome struct {
	Text         string `json:"text"`
	IsError      bool   `json:"isError"`
	RuntimeError bool   `json:"runtimeError"`
}

func (o outcome) String() string {
	switch {
	case o.Panic != nil:
		return fmt.Sprintf("panic %q (error %v, runtime.Error %v)", o.Panic.Text, o.Panic.IsError, o.Panic.RuntimeError)
	case o.Error != nil:
		return fmt.Sprintf("error %q", *o.Error)
	}
	return "result " + string(o.Result)
}

// fidelityPackage is one package of testdata/fidelity.
type fidelityPackage struct {
	dir    string // its directory name
	src    *funcs.Package
	inputs map[string][]string
}

// calls lists the package's service calls as "Service input".
func (p *fidelityPackage) calls() [][2]string {
	var out [][2]string
	for _, d := range p.src.Services {
		ins := p.inputs[d.Name]
		if len(ins) == 0 {
			ins = []string{"{}"}
		}
		for _, in := range ins {
			out = append(out, [2]string{d.Name, in})
		}
	}
	return out
}

func loadFidelityPackages(t *testing.T) []*fidelityPackage {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("testdata", "fidelity", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []*fidelityPackage
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		src, err := funcs.Load(dir)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		p := &fidelityPackage{dir: filepath.Base(dir), src: src, inputs: map[string][]string{}}
		if data, err := os.ReadFile(filepath.Join(dir, "inputs.json")); err == nil {
			var raw map[string][]json.RawMessage
			if err := json.Unmarshal(data, &raw); err != nil {
				t.Fatalf("%s/inputs.json: %v", dir, err)
			}
			for name, ins := range raw {
				for _, in := range ins {
					p.inputs[name] = append(p.inputs[name], string(in))
				}
			}
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatal("no packages in testdata/fidelity")
	}
	return pkgs
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
		t.Run(p.dir, func(t *testing.T) {
			served := runServed(t, p)
			for _, c := range p.calls() {
				key := c[0] + " " + c[1]
				want, ok := compiled[p.dir][key]
				if !ok {
					t.Errorf("%s: the compiled program did not call it", key)
					continue
				}
				total++
				got := served[key]
				if !sameOutcome(want, got) {
					failed++
					t.Errorf("%s:\n\tgo run:  %v\n\tmicrofn: %v", key, want, got)
				}
			}
		})
	}
	t.Logf("%d packages, %d calls, %d differ", len(pkgs), total, failed)
}

func sameOutcome(a, b outcome) bool {
	switch {
	case a.Panic != nil || b.Panic != nil:
		return a.Panic != nil && b.Panic != nil && *a.Panic == *b.Panic
	case a.Error != nil || b.Error != nil:
		return a.Error != nil && b.Error != nil && *a.Error == *b.Error
	}
	return bytes.Equal(compactJSON(a.Result), compactJSON(b.Result))
}

func compactJSON(b []byte) []byte {
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return b
	}
	return out.Bytes()
}

// runServed loads p through interp, in microfn's sandbox as served (with
// runtime allowed, for runtime.Error), and calls its services.
func runServed(t *testing.T, p *fidelityPackage) map[string]outcome {
	t.Helper()
	pkg, err := interp.NewLoader(interp.Options{Allow: []string{"runtime"}}).Load(context.Background(), p.src, direct)
	if err != nil {
		t.Fatalf("load: %v", lines(err))
	}
	t.Cleanup(pkg.Close)
	out := map[string]outcome{}
	for _, c := range p.calls() {
		s := service(t, pkg, c[0])
		args, err := s.Func.BindJSON([]byte(c[1]))
		if err != nil {
			t.Fatalf("%s %s: bind: %v", c[0], c[1], err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		res, err := s.Invoke(ctx, args)
		cancel()
		var o outcome
		var pe *svcrt.PanicError
		switch {
		case errors.As(err, &pe):
			_, isErr := pe.Value.(error)
			_, isRt := pe.Value.(runtime.Error)
			o.Panic = &panicOutcome{Text: fmt.Sprint(pe.Value), IsError: isErr, RuntimeError: isRt}
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
		out[c[0]+" "+c[1]] = o
	}
	return out
}

// runCompiled copies the packages into a module in a temporary directory,
// adds to each a test that calls its services with their inputs, runs it
// with the Go toolchain and returns the outcomes by package and call.
func runCompiled(t *testing.T, goTool string, pkgs []*fidelityPackage) map[string]map[string]outcome {
	t.Helper()
	root := t.TempDir()
	outDir := filepath.Join(root, "out")
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
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
		for _, f := range p.src.Files {
			write(filepath.Join(root, p.dir, f.Name), f.Src)
		}
		write(filepath.Join(root, p.dir, "zz_fidelity_driver_test.go"), driverSource(t, p))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "test", "-count=1", "-run", "^TestFidelityDriver$", "./...")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "FIDELITY_OUT="+outDir, "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test of the compiled packages: %v\n%s", err, out)
	}
	all := map[string]map[string]outcome{}
	for _, p := range pkgs {
		data, err := os.ReadFile(filepath.Join(outDir, p.dir+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]outcome
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		all[p.dir] = m
	}
	return all
}

// driverSource returns the test file that calls p's services compiled.
func driverSource(t *testing.T, p *fidelityPackage) []byte {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n\n", p.src.Name)
	b.WriteString(`import (
	fidelitycontext "context"
	fidelityjson "encoding/json"
	fidelityfmt "fmt"
	fidelityos "os"
	fidelityfilepath "path/filepath"
	fidelityruntime "runtime"
	fidelitytesting "testing"
)

var _ = fidelitycontext.Background

type fidelityPanic struct {
	Text         string ` + "`json:\"text\"`" + `
	IsError      bool   ` + "`json:\"isError\"`" + `
	RuntimeError bool   ` + "`json:\"runtimeError\"`" + `
}

type fidelityOutcome struct {
	Result fidelityjson.RawMessage ` + "`json:\"result,omitempty\"`" + `
	Error  *string                 ` + "`json:\"error,omitempty\"`" + `
	Panic  *fidelityPanic          ` + "`json:\"panic,omitempty\"`" + `
}

func fidelityCatch(out *fidelityOutcome) {
	if r := recover(); r != nil {
		_, isErr := r.(error)
		_, isRt := r.(fidelityruntime.Error)
		out.Panic = &fidelityPanic{Text: fidelityfmt.Sprint(r), IsError: isErr, RuntimeError: isRt}
	}
}

func fidelityResult(out *fidelityOutcome, v any) {
	b, err := fidelityjson.Marshal(v)
	if err != nil {
		panic(err)
	}
	out.Result = b
}

`)
	for _, d := range p.src.Services {
		writeCaller(t, &b, p.src.Fset, d)
	}
	b.WriteString("func TestFidelityDriver(t *fidelitytesting.T) {\n\tout := map[string]fidelityOutcome{}\n")
	calls := p.calls()
	for _, c := range calls {
		fmt.Fprintf(&b, "\tout[%q] = fidelityCall_%s([]byte(%q))\n", c[0]+" "+c[1], c[0], c[1])
	}
	fmt.Fprintf(&b, `	data, err := fidelityjson.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := fidelityos.WriteFile(fidelityfilepath.Join(fidelityos.Getenv("FIDELITY_OUT"), %q), data, 0o644); err != nil {
		t.Fatal(err)
	}
}
`, p.dir+".json")
	return []byte(b.String())
}

// writeCaller writes the function that decodes a JSON argument object,
// calls the service d and records its outcome.
func writeCaller(t *testing.T, b *strings.Builder, fset *token.FileSet, d *funcs.Descriptor) {
	t.Helper()
	text := func(n ast.Node) string {
		return string(d.File.Src[fset.Position(n.Pos()).Offset:fset.Position(n.End()).Offset])
	}
	fmt.Fprintf(b, "func fidelityCall_%s(in []byte) (out fidelityOutcome) {\n\tvar args struct {\n", d.Name)
	var args []string
	n := 0
	for i, field := range d.Decl.Type.Params.List {
		typ := text(field.Type)
		names := field.Names
		if len(names) == 0 {
			names = []*ast.Ident{{Name: "_"}}
		}
		for _, name := range names {
			if i == 0 && d.Context && n == 0 {
				args = append(args, "fidelitycontext.Background()")
				n++
				continue
			}
			f := fmt.Sprintf("P%d", n)
			ellipsis := ""
			if strings.HasPrefix(typ, "...") {
				typ, ellipsis = "[]"+strings.TrimPrefix(typ, "..."), "..."
			}
			fmt.Fprintf(b, "\t\t%s %s `json:%q`\n", f, typ, name.Name)
			args = append(args, "args."+f+ellipsis)
			n++
		}
	}
	b.WriteString("\t}\n\tif err := fidelityjson.Unmarshal(in, &args); err != nil {\n\t\tpanic(err)\n\t}\n\tdefer fidelityCatch(&out)\n\t")
	var results []string
	for i := range d.Results {
		results = append(results, fmt.Sprintf("r%d", i))
	}
	if d.Error {
		results = append(results, "err")
	}
	if len(results) > 0 {
		b.WriteString(strings.Join(results, ", ") + " := ")
	}
	fmt.Fprintf(b, "%s(%s)\n", d.Name, strings.Join(args, ", "))
	if d.Error {
		b.WriteString("\tif err != nil {\n\t\ts := err.Error()\n\t\tout.Error = &s\n\t\treturn\n\t}\n")
	}
	switch len(d.Results) {
	case 0:
		b.WriteString("\tfidelityResult(&out, nil)\n")
	case 1:
		b.WriteString("\tfidelityResult(&out, r0)\n")
	default:
		b.WriteString("\tfidelityResult(&out, []any{" + strings.Join(results[:len(d.Results)], ", ") + "})\n")
	}
	b.WriteString("\treturn\n}\n\n")
}

// TestFidelityInputs checks that inputs.json names only services.
func TestFidelityInputs(t *testing.T) {
	for _, p := range loadFidelityPackages(t) {
		var names []string
		for _, d := range p.src.Services {
			names = append(names, d.Name)
		}
		var listed []string
		for name := range p.inputs {
			listed = append(listed, name)
		}
		sort.Strings(listed)
		for _, name := range listed {
			if !slices.Contains(names, name) {
				t.Errorf("%s/inputs.json: no service %s", p.dir, name)
			}
		}
	}
}
