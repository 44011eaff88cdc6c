// Package custom builds microfn executables with Go modules compiled in,
// as xcaddy builds Caddy and xk6 builds k6: `microfn build --with
// MODULE[@VERSION]... -o FILE`. Service code then calls the packages of
// those modules at compiled speed instead of interpreting their source.
//
// A build is a Go module in a temporary directory: microfn's own command
// (its main package, from microfn's source tree) plus a generated package
// of yaegi symbol tables of the modules' packages, made with yaegi's
// extract package, registered with the command by one generated file. The
// go command fetches the modules, as for any build.
package custom

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
)

// microfnModule is the module path of microfn, whose source a build needs.
const microfnModule = "github.com/microfn/microfn"

// Options configure a [Build].
type Options struct {
	// Modules are the modules to compile in, MODULE or MODULE@VERSION
	// (latest when no version is given).
	Modules []string
	// Output is the executable to write.
	Output string
	// Source is the directory of microfn's source tree (its go.mod).
	Source string
	// Go is the go command; default "go" from PATH.
	Go string
	// Log receives the progress and the go command's output; default
	// io.Discard.
	Log io.Writer
}

// Build builds the executable. It keeps no file but Output.
func Build(ctx context.Context, opts Options) (err error) {
	if len(opts.Modules) == 0 {
		return errors.New("no module to compile in: give --with MODULE[@VERSION]")
	}
	if opts.Output == "" {
		return errors.New("no output file: give -o FILE")
	}
	if opts.Go == "" {
		opts.Go = "go"
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if _, err := exec.LookPath(opts.Go); err != nil {
		return fmt.Errorf("microfn build needs the Go toolchain: %w", err)
	}
	src, err := filepath.Abs(opts.Source)
	if err != nil {
		return err
	}
	goVersion, err := checkSource(src)
	if err != nil {
		return err
	}
	out, err := filepath.Abs(opts.Output)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "microfn-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b := &builder{dir: dir, goTool: opts.Go, log: opts.Log, ctx: ctx}
	if err := b.write(src, goVersion); err != nil {
		return err
	}
	var pkgs []string
	for _, m := range opts.Modules {
		if _, err := b.run("get", m); err != nil {
			return fmt.Errorf("fetch %s: %w", m, err)
		}
		path, _, _ := strings.Cut(m, "@")
		list, err := b.run("list", "-e", "-f", `{{if and (not .Standard) (ne .Name "main") (not .Incomplete)}}{{.ImportPath}}{{end}}`, path+"/...")
		if err != nil {
			return fmt.Errorf("list the packages of %s: %w", m, err)
		}
		n := 0
		for _, p := range strings.Fields(list) {
			if importable(p) {
				pkgs = append(pkgs, p)
				n++
			}
		}
		if n == 0 {
			return fmt.Errorf("module %s has no package service code could import", m)
		}
	}
	fmt.Fprintf(b.log, "extracting the symbols of %d packages\n", len(pkgs))
	// The extractor reads the packages' types from what the go command
	// compiles them to, for the build's own GOOS, GOARCH and
	// CGO_ENABLED: the files their build constraints select.
	target, err := b.run("env", "GOOS", "GOARCH", "CGO_ENABLED")
	if err != nil {
		return err
	}
	b.env = []string{"MICROFN_GO=" + b.goTool}
	for i, v := range strings.Fields(target) {
		b.env = append(b.env, []string{"GOOS=", "GOARCH=", "CGO_ENABLED="}[min(i, 2)]+v)
	}
	if _, err := b.run(append([]string{"run", "./internal/extract"}, pkgs...)...); err != nil {
		return fmt.Errorf("extract the symbols: %w", err)
	}
	if _, err := b.run("mod", "tidy"); err != nil {
		return err
	}
	fmt.Fprintf(b.log, "building %s\n", out)
	if _, err := b.run("build", "-trimpath", "-o", out, "."); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	return nil
}

// checkSource reports whether src is microfn's source tree, and returns
// its go directive.
func checkSource(src string) (string, error) {
	data, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("microfn's source tree is needed (a clone of %s): %w; give --microfn DIR", microfnModule, err)
	}
	f, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		return "", err
	}
	if f.Module == nil || f.Module.Mod.Path != microfnModule {
		return "", fmt.Errorf("%s is not microfn's source tree (its go.mod is not module %s); give --microfn DIR", src, microfnModule)
	}
	if _, err := os.Stat(filepath.Join(src, "cmd", "microfn", "main.go")); err != nil {
		return "", fmt.Errorf("%s has no cmd/microfn: %w", src, err)
	}
	if f.Go == nil {
		return "1.22", nil
	}
	return f.Go.Version, nil
}

// importable reports whether service code can import the package p: not
// an internal package (which the go command lets no other module
// import), not test data, not an example.
func importable(p string) bool {
	for _, el := range strings.Split(p, "/") {
		if el == "internal" || el == "testdata" || el == "examples" || el == "example" {
			return false
		}
	}
	return true
}

type builder struct {
	ctx    context.Context
	dir    string
	goTool string
	log    io.Writer
	env    []string // added to the go command's environment
}

// write lays out the build's module: go.mod and go.sum, the command's
// sources, the symbols package and the program that extracts into it.
func (b *builder) write(src, goVersion string) error {
	files := map[string][]byte{
		"go.mod": fmt.Appendf(nil, "module microfn.local/custom\n\ngo %s\n\nrequire %s v0.0.0\n\nreplace %s => %s\n\nreplace github.com/traefik/yaegi => %s\n",
			goVersion, microfnModule, microfnModule, src, filepath.Join(src, "third_party", "yaegi")),
		"symbols/symbols.go": []byte(`// Package symbols holds the yaegi symbol tables of the packages compiled
// into this microfn.
package symbols

import "reflect"

// Symbols are the symbol tables, keyed as yaegi's are.
var Symbols = map[string]map[string]reflect.Value{}
`),
		"microfn_with.go": []byte(`// Code generated by microfn build. DO NOT EDIT.

package main

import "microfn.local/custom/symbols"

func init() { compiledIn = append(compiledIn, symbols.Symbols) }
`),
		"internal/extract/main.go": []byte(extractProgram),
	}
	if sum, err := os.ReadFile(filepath.Join(src, "go.sum")); err == nil {
		files["go.sum"] = sum
	}
	cmdDir := filepath.Join(src, "cmd", "microfn")
	entries, err := os.ReadDir(cmdDir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(cmdDir, name))
		if err != nil {
			return err
		}
		files[name] = data
	}
	for name, data := range files {
		p := filepath.Join(b.dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// run runs the go command in the build's directory and returns its
// standard output; its standard error goes to the log.
func (b *builder) run(args ...string) (string, error) {
	fmt.Fprintf(b.log, "go %s\n", strings.Join(args, " "))
	cmd := exec.CommandContext(b.ctx, b.goTool, args...)
	cmd.Dir = b.dir
	cmd.Env = append(append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod"), b.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = io.MultiWriter(&stderr, b.log)
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// extractProgram writes the symbol table of each package named on its
// command line into the symbols package, with yaegi's extract package; a
// package it cannot extract is left out with a warning.
const extractProgram = `// Command extract writes yaegi symbol tables into package symbols.
package main

import (
	"bytes"
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/traefik/yaegi/extract"
)

func main() {
	imp, err := exportImporter(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "microfn build:", err)
		os.Exit(1)
	}
	e := extract.Extractor{Dest: "symbols", Importer: imp}
	failed := 0
	for _, p := range os.Args[1:] {
		var b bytes.Buffer
		if _, err := e.Extract(p, "", &b); err != nil {
			fmt.Fprintf(os.Stderr, "microfn build: %s is left out: %v\n", p, err)
			failed++
			continue
		}
		name := strings.NewReplacer("/", "_", ".", "_", "-", "_", "~", "_").Replace(p) + ".go"
		if err := os.WriteFile(filepath.Join("symbols", name), b.Bytes(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if failed == len(os.Args[1:]) {
		fmt.Fprintln(os.Stderr, "microfn build: no package could be extracted")
		os.Exit(1)
	}
}

// exportImporter returns an importer of the packages and what they
// import, from the export data the go command compiles them to (one go
// list, whose compilations the build then reuses from the build cache):
// the files each package is compiled from are those of the build's
// constraints.
func exportImporter(pkgs []string) (types.Importer, error) {
	goTool := os.Getenv("MICROFN_GO")
	if goTool == "" {
		goTool = "go"
	}
	cmd := exec.Command(goTool, append([]string{"list", "-e", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}"}, pkgs...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -export: %w", err)
	}
	files := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if path, file, ok := strings.Cut(line, "\t"); ok && file != "" {
			files[path] = file
		}
	}
	lookup := func(path string) (io.ReadCloser, error) {
		file, ok := files[path]
		if !ok {
			return nil, fmt.Errorf("package %s did not compile", path)
		}
		return os.Open(file)
	}
	return importer.ForCompiler(token.NewFileSet(), "gc", lookup), nil
}
`
