// Package fidelity is the machinery of microfn's differential tests: it
// runs the services of packages compiled by the Go toolchain, each with
// the inputs listed next to it, and records what every call did, for
// comparison with what microfn does with the same calls.
//
// A package's inputs.json maps service names to lists of JSON argument
// objects; a service it does not list is called once with none.
package fidelity

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/token"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/funcs"
)

// An Outcome is what one call did: its results' JSON, the text of the
// error it returned, or the panic it raised.
type Outcome struct {
	Result json.RawMessage `json:"result,omitempty"`
	Error  *string         `json:"error,omitempty"`
	Panic  *Panic          `json:"panic,omitempty"`
}

// A Panic is a call's panic: its text, and whether its value is an error
// and a runtime.Error.
type Panic struct {
	Text         string `json:"text"`
	IsError      bool   `json:"isError"`
	RuntimeError bool   `json:"runtimeError"`
}

// String describes o for a test's message.
func (o Outcome) String() string {
	switch {
	case o.Panic != nil:
		return fmt.Sprintf("panic %q (error %v, runtime.Error %v)", o.Panic.Text, o.Panic.IsError, o.Panic.RuntimeError)
	case o.Error != nil:
		return fmt.Sprintf("error %q", *o.Error)
	}
	return "result " + string(o.Result)
}

// Same reports whether two outcomes are equal: the same panic, the same
// error text, or results whose JSON is the same but for spacing.
func Same(a, b Outcome) bool {
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

// A Package is a package of services with the inputs to call them with.
type Package struct {
	// Rel is its directory, relative to the root it was loaded from,
	// with slashes.
	Rel string
	// Src is the package as parsed.
	Src *funcs.Package
	// Inputs are the JSON argument objects of each service's calls.
	Inputs map[string][]string
}

// Calls lists the package's service calls as {service, input}.
func (p *Package) Calls() [][2]string {
	var out [][2]string
	for _, d := range p.Src.Services {
		ins := p.Inputs[d.Name]
		if len(ins) == 0 {
			ins = []string{"{}"}
		}
		for _, in := range ins {
			out = append(out, [2]string{d.Name, in})
		}
	}
	return out
}

// Key names a call in the maps of outcomes.
func Key(service, input string) string { return service + " " + input }

// LoadPackages parses every directory below root that holds Go files (but
// testdata and hidden ones) as a package, with imp for the types of
// other packages in its service signatures (nil: the standard library's
// only), and reads its inputs.json.
func LoadPackages(t testing.TB, root string, imp funcs.Importer) []*Package {
	t.Helper()
	var pkgs []*Package
	err := filepath.WalkDir(root, func(dir string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() {
			return nil
		}
		if name := e.Name(); dir != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		files, err := funcs.ReadDir(dir, funcs.Limits{})
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		if len(files) == 0 {
			return nil
		}
		src, err := funcs.ParseWith(dir, files, imp)
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			return err
		}
		p := &Package{Rel: filepath.ToSlash(rel), Src: src, Inputs: map[string][]string{}}
		if data, err := os.ReadFile(filepath.Join(dir, "inputs.json")); err == nil {
			var raw map[string][]json.RawMessage
			if err := json.Unmarshal(data, &raw); err != nil {
				return fmt.Errorf("%s/inputs.json: %w", dir, err)
			}
			for name, ins := range raw {
				for _, in := range ins {
					p.Inputs[name] = append(p.Inputs[name], string(in))
				}
			}
		}
		pkgs = append(pkgs, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) == 0 {
		t.Fatalf("no packages below %s", root)
	}
	return pkgs
}

// CheckInputs reports the services each package's inputs.json names that
// the package does not have.
func CheckInputs(t testing.TB, pkgs []*Package) {
	t.Helper()
	for _, p := range pkgs {
		var names []string
		for _, d := range p.Src.Services {
			names = append(names, d.Name)
		}
		var listed []string
		for name := range p.Inputs {
			listed = append(listed, name)
		}
		sort.Strings(listed)
		for _, name := range listed {
			if !slices.Contains(names, name) {
				t.Errorf("%s/inputs.json: no service %s", p.Rel, name)
			}
		}
	}
}

// RunCompiled runs the services of pkgs compiled: root is a Go module
// whose directory Rel holds each package's files (a copy the caller
// made: a test file is added to each package), and the go command runs
// those tests. It returns the outcomes by package (Rel) and call (Key).
// It never reaches the network: the module's requirements must be in the
// module cache (go mod download).
func RunCompiled(t testing.TB, goTool, root string, pkgs []*Package) map[string]map[string]Outcome {
	t.Helper()
	outDir := t.TempDir()
	for _, p := range pkgs {
		name := filepath.Join(root, filepath.FromSlash(p.Rel), "zz_fidelity_driver_test.go")
		if err := os.WriteFile(name, driverSource(t, p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "test", "-count=1", "-run", "^TestFidelityDriver$", "./...")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "FIDELITY_OUT="+outDir, "GOFLAGS=-mod=mod", "GOWORK=off", "GOPROXY=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test of the compiled packages: %v\n%s", err, out)
	}
	all := map[string]map[string]Outcome{}
	for _, p := range pkgs {
		data, err := os.ReadFile(filepath.Join(outDir, outName(p)))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]Outcome
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		all[p.Rel] = m
	}
	return all
}

// outName is the file p's driver writes its outcomes to.
func outName(p *Package) string {
	return strings.ReplaceAll(p.Rel, "/", "_") + ".json"
}

// driverSource returns the test file that calls p's services compiled.
func driverSource(t testing.TB, p *Package) []byte {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n\n", p.Src.Name)
	// The packages the services' parameters name, imported as named
	// there.
	imports := map[string]string{}
	for _, d := range p.Src.Services {
		for name, path := range paramImports(d) {
			imports[name] = path
		}
	}
	names := make([]string, 0, len(imports))
	for name := range imports {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(&b, "import %s %q\n", name, imports[name])
	}
	b.WriteString("\n")
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
	for _, d := range p.Src.Services {
		writeCaller(t, &b, p.Src.Fset, d)
	}
	b.WriteString("func TestFidelityDriver(t *fidelitytesting.T) {\n\tout := map[string]fidelityOutcome{}\n")
	for _, c := range p.Calls() {
		fmt.Fprintf(&b, "\tout[%q] = fidelityCall_%s([]byte(%q))\n", Key(c[0], c[1]), c[0], c[1])
	}
	fmt.Fprintf(&b, `	data, err := fidelityjson.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := fidelityos.WriteFile(fidelityfilepath.Join(fidelityos.Getenv("FIDELITY_OUT"), %q), data, 0o644); err != nil {
		t.Fatal(err)
	}
}
`, outName(p))
	return []byte(b.String())
}

// paramImports returns the packages the parameter types of d name, by
// the name they are named by, with their import paths in d's file.
func paramImports(d *funcs.Descriptor) map[string]string {
	out := map[string]string{}
	for i, field := range d.Decl.Type.Params.List {
		if i == 0 && d.Context {
			continue // the driver passes its own context
		}
		ast.Inspect(field.Type, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			for _, is := range d.File.AST.Imports {
				path, err := strconv.Unquote(is.Path.Value)
				if err != nil {
					continue
				}
				if (is.Name != nil && is.Name.Name == id.Name) || (is.Name == nil && assumedName(path) == id.Name) {
					out[id.Name] = path
				}
			}
			return false
		})
	}
	return out
}

// assumedName is the name a package of the import path is assumed to
// have: its last element, but the one before a major version, without a
// go- prefix, cut at a character an identifier cannot have.
func assumedName(importPath string) string {
	base := path.Base(importPath)
	if len(base) > 1 && base[0] == 'v' && strings.Trim(base[1:], "0123456789") == "" {
		base = path.Base(path.Dir(importPath))
	}
	base = strings.TrimPrefix(base, "go-")
	if i := strings.IndexAny(base, ".-"); i >= 0 {
		base = base[:i]
	}
	return base
}

// writeCaller writes the function that decodes a JSON argument object,
// calls the service d and records its outcome.
func writeCaller(t testing.TB, b *strings.Builder, fset *token.FileSet, d *funcs.Descriptor) {
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
