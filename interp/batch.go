package interp

import (
	"go/types"
	"sync"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp/rewrite"
)

// A Batch prepares packages loaded together, from one set of sources: each
// package they import from source is checked once, for all of them, and
// rewritten once when it has no services (the rewrite of a package with
// services depends on its importer). It is safe for concurrent use.
type Batch struct {
	l   *Loader
	imp SourceImporter

	mu      sync.Mutex // guards checked, rewrite and imports
	checked map[string]*batchCheck
	rewrite map[string]*batchRewrite
	// imports are the imports of every package seen, so that a package
	// reached from many is read once (see importsOf).
	imports map[*funcs.Package]importList
}

// batchCheck is the check of one imported package, done once.
type batchCheck struct {
	once sync.Once
	pkg  *funcs.Package // as checked: chk.info is of its syntax
	chk  *checked
	err  error
}

// batchRewrite is the rewrite of one imported package without services,
// done once.
type batchRewrite struct {
	once  sync.Once
	files map[string][]byte
	err   error
}

// NewBatch returns a Batch of the packages imp gives.
func (l *Loader) NewBatch(imp SourceImporter) *Batch {
	return &Batch{l: l, imp: imp, checked: map[string]*batchCheck{}, rewrite: map[string]*batchRewrite{}, imports: map[*funcs.Package]importList{}}
}

// importsOf is importsOf, kept for the batch.
func (b *Batch) importsOf(pkg *funcs.Package) importList {
	b.mu.Lock()
	l, ok := b.imports[pkg]
	b.mu.Unlock()
	if ok {
		return l
	}
	l = importsOf(pkg)
	b.mu.Lock()
	b.imports[pkg] = l
	b.mu.Unlock()
	return l
}

// shared reports whether the checks of imported packages can be shared:
// a package compiled into the executable makes what is interpreted depend
// on the importer.
func (b *Batch) shared() bool { return len(b.l.compiled) == 0 }

// checkDep checks the imported package d with the packages it imports,
// checked already; once for the batch when it can be shared.
func (b *Batch) checkDep(d *sourceDep, sources map[string]bool, checkedDeps map[string]*types.Package) (*checked, error) {
	if !b.shared() {
		return b.l.check(d.pkg, d.pkg.ImportPath, sources, checkedDeps)
	}
	b.mu.Lock()
	e := b.checked[d.pkg.ImportPath]
	if e == nil {
		e = &batchCheck{}
		b.checked[d.pkg.ImportPath] = e
	}
	b.mu.Unlock()
	e.once.Do(func() {
		e.pkg = d.pkg
		e.chk, e.err = b.l.check(d.pkg, d.pkg.ImportPath, sources, checkedDeps)
	})
	d.pkg = e.pkg // the importer may have parsed it again
	return e.chk, e.err
}

// rewriteDep rewrites the imported package d, its services numbered from
// first; once for the batch when it has none.
func (b *Batch) rewriteDep(d *sourceDep, first int) (map[string][]byte, error) {
	if len(d.pkg.Services) > 0 || !b.shared() {
		return rewrite.ForInterpreter(d.pkg, d.info, first)
	}
	b.mu.Lock()
	e := b.rewrite[d.pkg.ImportPath]
	if e == nil {
		e = &batchRewrite{}
		b.rewrite[d.pkg.ImportPath] = e
	}
	b.mu.Unlock()
	e.once.Do(func() { e.files, e.err = rewrite.ForInterpreter(d.pkg, d.info, first) })
	return e.files, e.err
}

// Prepare is [Loader.Prepare] within the batch.
func (b *Batch) Prepare(src *funcs.Package) (*Prepared, error) {
	return b.prepare(src, true)
}

// Check checks src as Prepare does, without rewriting it: for a package
// nothing runs (a library, or one whose services are served elsewhere).
func (b *Batch) Check(src *funcs.Package) error {
	_, err := b.prepare(src, false)
	return err
}
