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

// prepare checks src and, if andRewrite is set, rewrites it.
func (b *Batch) prepare(src *funcs.Package, andRewrite bool) (*Prepared, error) {
	l := b.l
	if len(src.Files) == 0 {
		return nil, fmt.Errorf("load %s: no Go files", src.Dir)
	}
	deps, err := collectSources(src, b.imp, l.compiled, b.importsOf)
	if err != nil {
		return nil, err
	}
	sources := map[string]bool{}
	checkedDeps := map[string]*types.Package{}
	var errs funcs.ErrorList
	for _, d := range deps {
		if !d.typesOnly {
			sources[d.pkg.ImportPath] = true // interpreted: not the host's
		}
	}
	// Each imported package is checked as the prepared one is, its
	// errors prefixed with how the prepared package reaches it; the
	// packages compiled in only for their types.
	for _, d := range deps {
		if d.typesOnly {
			chk, err := l.types.checkAs(d.pkg, d.pkg.ImportPath, checkedDeps, sandbox.NewPolicy(false, nil))
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
		return nil, errs
	}
	path := src.ImportPath
	if path == "" {
		path = typesutil.CheckPath(src)
	}
	chk, err := l.check(src, path, sources, checkedDeps)
	if err != nil {
		return nil, err
	}
	if err := checkErrorStatuses(src, chk.pkg); err != nil {
		return nil, err
	}
	if !andRewrite {
		return nil, nil
	}
	// What the interpreter cannot run does not stop the load: the
	// compiled tier can serve the package (see Uninterpretable).
	var cannot funcs.ErrorList
	addCannot := func(err error, d *sourceDep) {
		if d != nil {
			cannot = append(cannot, withChain(err, d)...)
			return
		}
		var list funcs.ErrorList
		if errors.As(err, &list) {
			cannot = append(cannot, list...)
		} else {
			cannot = append(cannot, &funcs.SourceError{Pos: typesutil.PackagePosition(src), Msg: err.Error()})
		}
	}
	if err := checkBodies(src); err != nil {
		addCannot(err, nil)
	}
	if err := l.checkCompiledGenerics(src, chk.info); err != nil {
		addCannot(err, nil)
	}
	for _, d := range deps {
		if d.typesOnly {
			continue
		}
		if err := checkBodies(d.pkg); err != nil {
			addCannot(err, d)
		}
		if err := l.checkCompiledGenerics(d.pkg, d.info); err != nil {
			addCannot(err, d)
		}
	}
	files, err := rewrite.ForInterpreter(src, chk.info, 0)
	if err != nil {
		addCannot(err, nil)
	}
	prep := &Prepared{ImportPath: src.ImportPath, Files: files, CompiledPath: path, Compiled: map[string]map[string][]byte{}}
	if chk.info != nil {
		var withInfo []argWritePkg
		for _, d := range deps {
			if !d.typesOnly && d.info != nil {
				withInfo = append(withInfo, argWritePkg{pkg: d.pkg, info: d.info})
			}
		}
		prep.Warnings = argWriteWarnings(argWritePkg{pkg: src, info: chk.info}, withInfo)
	}
	if prep.Compiled[path], err = rewrite.ForCompiler(src, path, chk.info); err != nil {
		prep.CompiledErrors = protocol.LoadErrors(err)
	}
	first := len(src.Services)
	for _, d := range deps {
		if d.typesOnly {
			continue
		}
		files, err := b.rewriteDep(d, first)
		if err != nil {
			addCannot(err, d)
		}
		if prep.CompiledErrors == nil {
			if prep.Compiled[d.pkg.ImportPath], err = rewrite.ForCompiler(d.pkg, d.pkg.ImportPath, d.info); err != nil {
				prep.CompiledErrors = protocol.LoadErrors(withChain(err, d))
			}
		}
		first += len(d.pkg.Services)
		pd := &PreparedDep{PackageSource: funcs.PackageSource{ImportPath: d.pkg.ImportPath, Dir: d.pkg.Dir}, Files: files}
		for _, f := range d.pkg.Files {
			pd.Sources = append(pd.Sources, funcs.SourceFile{Name: f.Name, Src: f.Src})
		}
		prep.Deps = append(prep.Deps, pd)
	}
	if len(cannot) > 0 {
		cannot.Sort()
		prep.Uninterpretable = cannot
	}
	return prep, nil
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
