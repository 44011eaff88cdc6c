package interp

import (
	"sync"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/protocol"
)

// Prepared is a package checked and rewritten for the interpreter: what
// [Loader.Run] interprets. It is plain data, so one process can prepare a
// package (type-checking is the slow part of a load, and runs no service
// code) and another run it.
type Prepared struct {
	// ImportPath is the package's import path; empty for a package
	// outside a module.
	ImportPath string `json:"importPath,omitempty"`
	// Files are the rewritten files by name.
	Files map[string][]byte `json:"files"`
	// Deps are the packages it imports from source, a package after the
	// ones it imports.
	Deps []*PreparedDep `json:"deps,omitempty"`
	// Compiled is the package and the packages it imports from source,
	// rewritten for the Go compiler (see rewrite.ForCompiler), by import path
	// and then file name: what a build of the compiled tier compiles.
	// Workers that interpret the package do without it (see
	// ForInterpreter).
	Compiled map[string]map[string][]byte `json:"compiled,omitempty"`
	// CompiledPath is the import path the package is compiled as: its
	// own, or a path of microfn's outside a module.
	CompiledPath string `json:"compiledPath,omitempty"`
	// CompiledErrors say why the package has no version for the
	// compiler, if it has none.
	CompiledErrors []protocol.LoadError `json:"compiledErrors,omitempty"`
	// Warnings are what the checks found that does not stop the package
	// from loading: writes of services into the memory of their callers,
	// which a call through a proxy never brings back (see argwrites.go).
	Warnings funcs.ErrorList `json:"warnings,omitempty"`
	// Uninterpretable says why the interpreter cannot run the package,
	// which is correct Go (an assembly function without a Go body, a
	// construct the interpreter cannot build, a generic function of a
	// package compiled into the executable): [Loader.Run] fails with it,
	// and the compiled tier serves the package, built from Compiled.
	Uninterpretable funcs.ErrorList `json:"uninterpretable,omitempty"`

	importerOnce sync.Once
	importer     funcs.Importer // see Importer
}

// CompileError says why the package has no version for the compiler, or
// nil.
func (p *Prepared) CompileError() error {
	if len(p.CompiledErrors) == 0 {
		return nil
	}
	return protocol.Err(p.CompiledErrors)
}

// ForInterpreter returns p without its version for the compiler: what a
// worker that interprets it needs.
func (p *Prepared) ForInterpreter() *Prepared {
	return &Prepared{ImportPath: p.ImportPath, Files: p.Files, Deps: p.Deps, Uninterpretable: p.Uninterpretable}
}

// A PreparedDep is a package the prepared package imports from source,
// checked and rewritten.
type PreparedDep struct {
	// PackageSource is the package as written.
	funcs.PackageSource
	// Files are the rewritten files by name.
	Files map[string][]byte `json:"files"`
}

// Importer returns the funcs.Importer of the packages p imports from
// source, each parsed once, for the types of other packages in service
// signatures and for Loader.Run: one importer per Prepared, so a worker
// parses them once.
func (p *Prepared) Importer() funcs.Importer {
	p.importerOnce.Do(func() { p.importer = p.newImporter() })
	return p.importer
}

// newImporter makes the importer Importer returns.
func (p *Prepared) newImporter() funcs.Importer {
	srcs := make([]*funcs.PackageSource, len(p.Deps))
	for i, d := range p.Deps {
		srcs[i] = &d.PackageSource
	}
	return funcs.NewImporter(srcs)
}
