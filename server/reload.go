package server

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/gomod"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/server/watch"
)

// watch reloads packages when their files change, until ctx ends. Once
// the watches are in place it reloads everything once, so a change made
// between the initial load and the first watch is not lost (unchanged
// packages are skipped by their hash).
func (s *Server) watch(ctx context.Context) {
	opts := watch.Options{
		Debounce: s.cfg.debounce,
		Logger:   s.cfg.logger,
		Ready:    func() { s.ReloadAll(ctx) },
	}
	err := watch.Watch(ctx, s.root, opts, func(dirs []string) {
		for i, d := range dirs {
			dirs[i] = migrationOwner(d) // a package's migrations reload it
		}
		s.packages.reloadChanged(ctx, dirs...)
	})
	if err != nil {
		s.cfg.logger.Error("watching stopped; changes are no longer picked up (SIGHUP still reloads)", "dir", s.root, "error", err)
	}
}

// reloadAll loads every package below the root whose files changed, and
// drops packages whose directory is gone (see reloadGroup). It returns
// the load errors by package directory.
func (p *packages) reloadAll(ctx context.Context) map[string]error {
	var dirs []string
	if p.cfg.prebuilt != nil {
		for _, pkg := range p.cfg.prebuilt.Packages {
			dirs = append(dirs, pkg.Rel)
		}
	} else {
		p.modules.refresh()
		var err error
		if dirs, err = funcs.PackageDirs(p.root); err != nil {
			p.cfg.logger.Error("list packages", "error", err)
		}
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		seen[d] = true
	}
	p.mu.Lock()
	for rel := range p.byRel {
		if !seen[rel] {
			dirs = append(dirs, rel)
		}
	}
	p.mu.Unlock()
	return p.reloadGroup(ctx, dirs, false)
}

// reloadChanged reloads the packages in rels after the watcher saw their
// files change, in the background: each with the packages that import it,
// directly or not (every package when go.mod or go.sum changed), as one
// group published together (see reloadGroup); groups do not wait for each
// other. Unlike reloadAll, it holds back a load that drops services for a
// while (see removalGrace). Errors are logged.
func (p *packages) reloadChanged(ctx context.Context, rels ...string) {
	if ctx.Err() != nil {
		return
	}
	all := p.modules.refresh()
	for _, rel := range rels {
		// The package and its importers, published together.
		group := p.withDependents([]string{rel}, all)
		p.bg.Add(1)
		go func() {
			defer p.bg.Done()
			p.reloadGroup(ctx, group, true)
		}()
	}
}

// withDependents returns rels and the packages that import one of them,
// directly or not; every package when all is set (go.mod changed).
func (p *packages) withDependents(rels []string, all bool) []string {
	changed := map[string]bool{}
	for _, r := range rels {
		changed[r] = true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out := slices.Clone(rels)
	for rel, st := range p.byRel {
		if changed[rel] {
			continue
		}
		if all || slices.ContainsFunc(st.deps, func(d string) bool { return changed[d] }) {
			out = append(out, rel)
		}
	}
	return out
}

// maxParallelLoads bounds the packages loaded at once.
const maxParallelLoads = 4

// reloadGroup loads the packages in rels whose files changed, several
// at once (a package that fails to load keeps its last good version
// serving; with guard set, sources that drop services are held back for
// removalGrace first; reloads of one package are serialized, and the slow
// part, the load itself, holds no lock that requests or health checks
// need), and publishes the new versions of all of them in one
// generation: a package and the packages that import it change together,
// so no call chain sees some of them old and some new. It returns the
// load errors by package.
//
// A reload reads each package (readPackage), checks and prepares the
// changed ones together, builds them (--tier=compiled), applies their
// migrations, starts each new version's code (load), and installs and
// publishes them (installAll).
func (p *packages) reloadGroup(ctx context.Context, rels []string, guard bool) map[string]error {
	rels = slices.Clone(rels)
	slices.Sort(rels)
	rels = slices.Compact(rels)
	// The packages' locks, in one order, so that groups that share
	// packages cannot deadlock.
	for _, rel := range rels {
		lk := p.lock(rel)
		lk.Lock()
		defer lk.Unlock()
	}
	oneShared, release := p.code.holdShared(len(rels))
	defer release()
	// The group's packages see one snapshot of the module's files: a
	// library an editor is still writing is read once, the same for all.
	var snap *gomod.Snapshot
	var sources interp.SourceImporter = p.modules
	if mod := p.modules.get(); mod != nil {
		snap = mod.Snapshot()
		sources = snap
	}
	loads := make([]pendingLoad, len(rels))
	inParallel(len(rels), func(i int) { loads[i] = p.readPackage(ctx, rels[i], guard, snap) })
	// The packages to load are checked and prepared together (each
	// package they import checked once), then loaded side by side.
	var toLoad []*pendingLoad
	for i := range loads {
		if !loads[i].finished {
			toLoad = append(toLoad, &loads[i])
		}
	}
	p.code.prepareAll(ctx, toLoad, sources)
	built := p.code.buildTogether(ctx, toLoad)
	inParallel(len(toLoad), func(i int) {
		if l := toLoad[i]; l.err == nil {
			// The package's migrations first: its code may rely on them.
			if l.err = p.state.migrate(ctx, l.rel, l.src); l.err != nil {
				return
			}
			l.v, l.err = p.load(ctx, l, built[l.rel])
		}
	})
	for _, res := range built {
		res.Release() // each worker group holds a lease of its own
	}
	if oneShared {
		p.code.sharedGroup(ctx, loads)
	}
	defer p.code.readAhead()
	return p.installAll(loads)
}

// inParallel calls f(0), …, f(n-1), at most maxParallelLoads at once, and
// returns when every call has.
func inParallel(n int, f func(i int)) {
	sem := make(chan struct{}, maxParallelLoads)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			f(i)
		}()
	}
	wg.Wait()
}

// A pendingLoad is the outcome of loading one package of a reload, to be
// published with the others of its group.
type pendingLoad struct {
	rel, label string
	st         *pkgState
	start      time.Time
	// src and files are the package as read, prev the version serving
	// now; prep is its code as prepared, when it runs here.
	src   *funcs.Package
	files []funcs.SourceFile
	prev  *version
	prep  *interp.Prepared
	v     *version // the new version, if it loaded
	err   error
	// finished reports that nothing is left to publish: the package was
	// unchanged, removed, held back or failed before its load, and err
	// is its outcome.
	finished bool
}

// readPackage is the first part of a reload of the package in rel: it
// reads and parses the package, and finishes the load if the package is
// unchanged, removed, held back or cannot be parsed. snap, in a module,
// is the group's snapshot of its files. The caller holds the package's
// lock.
func (p *packages) readPackage(ctx context.Context, rel string, guard bool, snap *gomod.Snapshot) pendingLoad {
	start := time.Now()
	dir, label := p.dir(rel), p.label(rel)
	finished := func(err error) pendingLoad { return pendingLoad{rel: rel, label: label, err: err, finished: true} }
	in := p.readFiles(rel, dir, label, snap)
	st, prevHash, err := p.noteFiles(rel, dir, label, in, snap)
	if st == nil {
		return finished(err)
	}
	// Parsed without the lock, so that the packages of a group parse side
	// by side (the package's own lock keeps st its own meanwhile).
	src, err := p.parse(dir, in, snap)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		if guard && p.unsyncedHoldBackEmpty(ctx, st, in.files, prevHash, label) {
			return finished(nil)
		}
		p.metrics.observeReload(rel, time.Since(start), err)
		err = p.unsyncedFailed(st, rel, label, err)
		p.unsyncedPublish()
		return finished(err)
	}
	if guard && p.unsyncedHoldBack(ctx, st, src, prevHash, label) {
		return finished(nil)
	}
	st.hasHeld = false
	return pendingLoad{rel: rel, label: label, st: st, start: start, src: src, files: in.files, prev: st.current}
}

// packageFiles are the files of a package as a reload read them.
type packageFiles struct {
	files []funcs.SourceFile
	err   error // why they, or some of them, could not be read
	// prebuilt is the package of a built application, whose files are
	// in it.
	prebuilt *PrebuiltPackage
	// deps are the packages of the served module the files import,
	// directly or not, and depSum the hash of those, go.mod and go.sum.
	deps   []string
	depSum [32]byte
}

// readFiles reads the files of the package in rel: from the built
// application, from snap (in a module) or from its directory dir. A
// directory that is no package of the served folder (see outsideFolder)
// or holds a program reads as empty.
func (p *packages) readFiles(rel, dir, label string, snap *gomod.Snapshot) packageFiles {
	var in packageFiles
	switch {
	case p.cfg.prebuilt != nil:
		// A built application's sources are in it: no folder is read.
		in.prebuilt, _ = p.cfg.prebuilt.pkg(rel)
		if in.prebuilt != nil {
			in.files = in.prebuilt.Files
		}
	case snap != nil:
		in.files, in.err = snap.ReadDir(dir)
	default:
		in.files, in.err = funcs.ReadDir(dir, p.cfg.limits)
	}
	if in.prebuilt == nil && p.outsideFolder(rel, dir, label) {
		in.files, in.err = nil, nil
	}
	if funcs.IsProgram(in.files) {
		// A program beside the services: never served. (A main
		// package with services is an error the parse reports.)
		if _, logged := p.skipped.LoadOrStore(rel, true); !logged {
			p.cfg.logger.Info(fmt.Sprintf("skipped %s: package main is a program; services live in other packages", label))
		}
		in.files, in.err = nil, nil
	}
	if snap != nil && len(in.files) > 0 {
		// The package is loaded anew when a package of the module it
		// imports changes, or go.mod or go.sum. (Read before the lock:
		// it reads files.)
		in.deps, in.depSum = snap.LocalDeps(in.files)
	}
	return in
}

// outsideFolder reports whether the directory dir of the package in rel
// is not a package of the served folder: no code is loaded from outside
// the folder, so a directory that is (or is below) a symbolic link is
// not one, and the log says so; nor is the root of another module below
// the folder.
func (p *packages) outsideFolder(rel, dir, label string) bool {
	if link := symlinkIn(p.root, rel); link != "" {
		p.cfg.logger.Warn(fmt.Sprintf("skipped %s: %s is a symbolic link; no code is loaded from outside %s", label, filepath.ToSlash(link), filepath.ToSlash(p.root)))
		return true
	}
	return rel != "." && funcs.IsModuleRoot(dir)
}

// noteFiles records in the state of the package in rel what a reload
// read of it: a package whose files are gone is removed, one whose files
// could not be read has that error, and files it loaded already (or
// failed to) end the reload with that outcome. Otherwise their hash
// becomes the package's, and it returns the package's state and the hash
// it had before. st is nil when the reload has finished: err is its
// outcome.
func (p *packages) noteFiles(rel, dir, label string, in packageFiles, snap *gomod.Snapshot) (st *pkgState, prevHash [32]byte, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st = p.byRel[rel]
	if len(in.files) == 0 && (in.err == nil || errors.Is(in.err, fs.ErrNotExist)) {
		if st != nil {
			p.unsyncedRemove(st, rel, label)
		}
		return nil, prevHash, nil
	}
	if in.err != nil {
		var list funcs.ErrorList
		if !errors.As(in.err, &list) {
			err := p.unsyncedFailed(st, rel, label, in.err)
			p.unsyncedPublish()
			return nil, prevHash, err
		}
		for _, e := range list {
			p.cfg.logger.Warn(e.Error())
		}
	}
	if st == nil {
		st = &pkgState{rel: rel}
		p.byRel[rel] = st
	}
	h := hashFiles(in.files)
	if in.prebuilt == nil {
		h = hashMigrations(h, dir) // an application's are in it, as built
	}
	if snap != nil {
		st.deps = in.deps
		h = sha256.Sum256(append(h[:], in.depSum[:]...))
	}
	if h == st.hash && (st.current != nil || st.err != nil) {
		return nil, prevHash, st.err
	}
	prevHash = st.hash
	st.hash = h
	st.seq++
	return st, prevHash, nil
}

// parse parses the package in dir from the files in, with the packages it
// imports from source: those of the built application, or of the module
// (snap).
func (p *packages) parse(dir string, in packageFiles, snap *gomod.Snapshot) (*funcs.Package, error) {
	var imp funcs.Importer
	switch {
	case in.prebuilt != nil:
		imp = funcs.NewImporter(in.prebuilt.Deps)
	case snap != nil:
		imp = snap.Importer()
	}
	src, err := funcs.ParseWith(dir, in.files, imp)
	switch {
	case err == nil && in.prebuilt != nil:
		src.ImportPath = in.prebuilt.ImportPath
	case err == nil && snap != nil:
		src.ImportPath = p.modules.get().ImportPath(dir)
	}
	return src, err
}

// removalGrace is how long a change that drops services waits before it
// is loaded, when the watcher saw it: a file caught half-written can be
// valid Go without its later functions, and the rest of it normally
// arrives well within this time. A removal the user meant takes effect
// once the grace has passed with the files unchanged.
func (p *packages) removalGrace() time.Duration { return 10 * p.cfg.debounce }

// unsyncedHoldBack holds back src, the package's new sources (whose hash
// st.hash is now), if they drop services of the version serving and were
// not held back already: the package keeps its version and its previous
// hash, prevHash, and reloads once removalGrace has passed. It reports
// whether it held them back. The caller holds p.mu.
func (p *packages) unsyncedHoldBack(ctx context.Context, st *pkgState, src *funcs.Package, prevHash [32]byte, label string) bool {
	h := st.hash
	if st.current == nil || !dropsServices(st.current, src) || (st.hasHeld && st.held == h) {
		return false
	}
	st.hash, st.held, st.hasHeld = prevHash, h, true
	grace := p.removalGrace()
	p.cfg.logger.Info(fmt.Sprintf("%s no longer declares some of its services; holding the change back for %s in case a file is still being written", label, grace))
	rel := st.rel
	time.AfterFunc(grace, func() { p.reloadChanged(ctx, rel) })
	return true
}

// unsyncedHoldBackEmpty holds back files that failed to parse when one
// of them is empty and they were not held back already: an editor saves
// by truncating a file and then writing it, and a reload can read it in
// between. The package keeps its version, its state and its previous
// hash, prevHash, and reloads once removalGrace has passed: the file's
// write reloads it before that, and a file that is still empty then is
// reported as the error it is. It reports whether it held them back. The
// caller holds p.mu.
func (p *packages) unsyncedHoldBackEmpty(ctx context.Context, st *pkgState, files []funcs.SourceFile, prevHash [32]byte, label string) bool {
	empty := slices.IndexFunc(files, func(f funcs.SourceFile) bool { return len(f.Src) == 0 })
	h := st.hash
	if empty < 0 || (st.hasHeld && st.held == h) {
		return false
	}
	st.hash, st.held, st.hasHeld = prevHash, h, true
	grace := p.removalGrace()
	p.cfg.logger.Debug(fmt.Sprintf("%s: %s is empty; waiting %s for its save to be written", label, files[empty].Name, grace))
	rel := st.rel
	time.AfterFunc(grace, func() { p.reloadChanged(ctx, rel) })
	return true
}

// dropsServices reports whether src lacks a service that v serves.
func dropsServices(v *version, src *funcs.Package) bool {
	names := map[string]bool{}
	for _, d := range src.Services {
		names[d.Name] = true
	}
	for _, e := range v.endpoints {
		if !names[e.desc.Name] {
			return true
		}
	}
	return false
}

// installAll makes the versions that loads loaded their packages' current
// ones, or records their load errors, and publishes them in one
// generation. It returns the load errors by package.
func (p *packages) installAll(loads []pendingLoad) map[string]error {
	errs := map[string]error{}
	p.mu.Lock()
	defer p.mu.Unlock()
	published := false
	for _, l := range loads {
		if l.finished {
			if l.err != nil {
				errs[l.rel] = l.err
			}
			continue
		}
		if err := p.unsyncedInstall(l); err != nil {
			errs[l.rel] = err
		}
		published = true
	}
	if published {
		p.unsyncedPublish()
	}
	return errs
}

// symlinkIn returns the first directory of rel, below root, that is a
// symbolic link, or "".
func symlinkIn(root, rel string) string {
	if rel == "." || rel == "" {
		return ""
	}
	path := root
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		path = filepath.Join(path, part)
		if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return path
		}
	}
	return ""
}

// hashFiles hashes the names and contents of files.
func hashFiles(files []funcs.SourceFile) [32]byte {
	sorted := append([]funcs.SourceFile(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	h := sha256.New()
	for _, f := range sorted {
		fmt.Fprintf(h, "%s\x00%d\x00", f.Name, len(f.Src))
		h.Write(f.Src)
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}
