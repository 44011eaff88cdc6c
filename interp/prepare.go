package interp

import (
	"errors"
	"fmt"
	"go/types"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp/internal/typesutil"
	"github.com/microfn/microfn/interp/rewrite"
	"github.com/microfn/microfn/interp/sandbox"
	"github.com/microfn/microfn/protocol"
)

// prepare checks src and, if andRewrite is set, rewrites it: it collects
// the packages src imports from source, checks them and then src, and
// rewrites them all for the interpreter and for the compiler.
func (b *Batch) prepare(src *funcs.Package, andRewrite bool) (*Prepared, error) {
	if len(src.Files) == 0 {
		return nil, fmt.Errorf("load %s: no Go files", src.Dir)
	}
	deps, err := collectSources(src, b.imp, b.l.compiled, b.importsOf)
	if err != nil {
		return nil, err
	}
	sources, checkedDeps, err := b.checkDeps(deps)
	if err != nil {
		return nil, err
	}
	path := src.ImportPath
	if path == "" {
		path = typesutil.CheckPath(src)
	}
	chk, err := b.l.check(src, path, sources, checkedDeps)
	if err != nil {
		return nil, err
	}
	if err := checkErrorStatuses(src, chk.pkg); err != nil {
		return nil, err
	}
	if !andRewrite {
		return nil, nil
	}
	p := &preparation{b: b, src: src, deps: deps, path: path, chk: chk}
	return p.prepared(), nil
}

// checkDeps checks the packages a package imports from source, in
// dependency order, each as the prepared one is, its errors prefixed
// with how the prepared package reaches it; the packages compiled in
// only for their types. It returns the import paths of the interpreted
// ones and the packages checked.
func (b *Batch) checkDeps(deps []*sourceDep) (sources map[string]bool, checkedDeps map[string]*types.Package, err error) {
	sources = map[string]bool{}
	checkedDeps = map[string]*types.Package{}
	for _, d := range deps {
		if !d.typesOnly {
			sources[d.pkg.ImportPath] = true // interpreted: not the host's
		}
	}
	var errs funcs.ErrorList
	for _, d := range deps {
		if d.typesOnly {
			chk, err := b.l.types.checkAs(d.pkg, d.pkg.ImportPath, checkedDeps, sandbox.NewPolicy(false, nil))
			if err != nil || !chk.complete {
				continue // the interpreter's symbols still give the package
			}
			checkedDeps[d.pkg.ImportPath] = chk.pkg
			continue
		}
		chk, err := b.checkDep(d, sources, checkedDeps)
		if err != nil {
			errs = append(errs, withChain(err, d)...)
			continue
		}
		checkedDeps[d.pkg.ImportPath], d.info = chk.pkg, chk.info
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, nil, errs
	}
	return sources, checkedDeps, nil
}

// A preparation rewrites a package checked by Batch.prepare, with the
// packages it imports from source.
type preparation struct {
	b    *Batch
	src  *funcs.Package
	deps []*sourceDep
	path string   // the import path src is checked and compiled as
	chk  *checked // of src
	// cannot says why the interpreter cannot run the package (see
	// Prepared.Uninterpretable).
	cannot funcs.ErrorList
}

// prepared returns the package rewritten. What the interpreter cannot
// run does not stop the load: the compiled tier can serve the package
// (see Prepared.Uninterpretable).
func (p *preparation) prepared() *Prepared {
	p.checkInterpretable()
	files, err := rewrite.ForInterpreter(p.src, p.chk.info, 0)
	if err != nil {
		p.addCannot(err, nil)
	}
	prep := &Prepared{ImportPath: p.src.ImportPath, Files: files, CompiledPath: p.path, Compiled: map[string]map[string][]byte{}}
	if p.chk.info != nil {
		prep.Warnings = p.warnings()
	}
	if prep.Compiled[p.path], err = rewrite.ForCompiler(p.src, p.path, p.chk.info); err != nil {
		prep.CompiledErrors = protocol.LoadErrors(err)
	}
	p.rewriteDeps(prep)
	if len(p.cannot) > 0 {
		p.cannot.Sort()
		prep.Uninterpretable = p.cannot
	}
	return prep
}

// addCannot adds err, an error of the imported package d (nil: of the
// prepared package), to what the interpreter cannot run.
func (p *preparation) addCannot(err error, d *sourceDep) {
	if d != nil {
		p.cannot = append(p.cannot, withChain(err, d)...)
		return
	}
	var list funcs.ErrorList
	if errors.As(err, &list) {
		p.cannot = append(p.cannot, list...)
	} else {
		p.cannot = append(p.cannot, &funcs.SourceError{Pos: typesutil.PackagePosition(p.src), Msg: err.Error()})
	}
}

// checkInterpretable finds the functions without a Go body and the uses
// of generic functions and types compiled in, of the prepared package
// and of the packages it interprets.
func (p *preparation) checkInterpretable() {
	l := p.b.l
	if err := checkBodies(p.src); err != nil {
		p.addCannot(err, nil)
	}
	if err := l.checkCompiledGenerics(p.src, p.chk.info); err != nil {
		p.addCannot(err, nil)
	}
	for _, d := range p.deps {
		if d.typesOnly {
			continue
		}
		if err := checkBodies(d.pkg); err != nil {
			p.addCannot(err, d)
		}
		if err := l.checkCompiledGenerics(d.pkg, d.info); err != nil {
			p.addCannot(err, d)
		}
	}
}

// warnings returns the writes of services into the memory of their
// callers (see argwrites.go), in the prepared package and in the
// packages it interprets that have type information.
func (p *preparation) warnings() funcs.ErrorList {
	var withInfo []argWritePkg
	for _, d := range p.deps {
		if !d.typesOnly && d.info != nil {
			withInfo = append(withInfo, argWritePkg{pkg: d.pkg, info: d.info})
		}
	}
	return argWriteWarnings(argWritePkg{pkg: p.src, info: p.chk.info}, withInfo)
}

// rewriteDeps rewrites the packages the prepared package interprets,
// their services numbered after its own, into prep: for the interpreter,
// and for the compiler until one of them cannot be compiled.
func (p *preparation) rewriteDeps(prep *Prepared) {
	first := len(p.src.Services)
	for _, d := range p.deps {
		if d.typesOnly {
			continue
		}
		files, err := p.b.rewriteDep(d, first)
		if err != nil {
			p.addCannot(err, d)
		}
		if prep.CompiledErrors == nil {
			if prep.Compiled[d.pkg.ImportPath], err = rewrite.ForCompiler(d.pkg, d.pkg.ImportPath, d.info); err != nil {
				prep.CompiledErrors = protocol.LoadErrors(withChain(err, d))
			}
		}
		first += len(d.pkg.Services)
		prep.Deps = append(prep.Deps, preparedDep(d, files))
	}
}

// preparedDep returns the imported package d, its files rewritten into
// files.
func preparedDep(d *sourceDep, files map[string][]byte) *PreparedDep {
	pd := &PreparedDep{PackageSource: funcs.PackageSource{ImportPath: d.pkg.ImportPath, Dir: d.pkg.Dir}, Files: files}
	for _, f := range d.pkg.Files {
		pd.Sources = append(pd.Sources, funcs.SourceFile{Name: f.Name, Src: f.Src})
	}
	return pd
}

// withChain prefixes the messages of the errors of err, an error in the
// imported package d, with how the prepared package reaches d.
func withChain(err error, d *sourceDep) funcs.ErrorList {
	var list funcs.ErrorList
	if !errors.As(err, &list) {
		return funcs.ErrorList{&funcs.SourceError{Pos: typesutil.PackagePosition(d.pkg), Msg: d.importChain() + err.Error()}}
	}
	out := make(funcs.ErrorList, len(list))
	for i, e := range list {
		out[i] = &funcs.SourceError{Pos: e.Pos, Msg: d.importChain() + e.Msg}
	}
	return out
}
