// Package gomod finds the source of the packages service code imports that
// are not the standard library: the other packages of the served Go module,
// and the packages of the modules its go.mod requires, at the versions
// go.mod selects, from vendor/ when the module vendors them, else from the
// module cache. It never reaches the network: a module missing from the
// cache is an error that says which command fetches it.
package gomod

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/microfn/microfn/funcs"
)

// A Module is the Go module a served folder is, or is inside of. It is safe
// for concurrent use.
type Module struct {
	// Path is the module path go.mod declares.
	Path string
	// Dir is the directory of go.mod.
	Dir string
	// Root is the served folder: the module's packages are importable
	// below it only, as no code is loaded from outside it.
	Root string

	file   *modfile.File
	vendor bool   // packages of required modules come from Dir/vendor
	cache  string // the module cache
	limits funcs.Limits
	sum    [32]byte // of go.mod and go.sum, as read

	mu     sync.Mutex                // guards parsed
	parsed map[string]*funcs.Package // required modules' packages by dir: they never change
}

// Find returns the module the folder root is, or is inside of, or nil if
// root is in no module. limits bound the files read of every package.
func Find(root string, limits funcs.Limits) (*Module, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	for dir := root; ; dir = filepath.Dir(dir) {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			return load(dir, root, data, limits)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read %s: %w", filepath.Join(dir, "go.mod"), err)
		}
		if filepath.Dir(dir) == dir {
			return nil, nil
		}
	}
}

func load(dir, root string, data []byte, limits funcs.Limits) (*Module, error) {
	gomod := filepath.Join(dir, "go.mod")
	f, err := modfile.Parse(gomod, data, nil)
	if err != nil {
		return nil, err
	}
	if f.Module == nil {
		return nil, fmt.Errorf("%s: no module directive", gomod)
	}
	m := &Module{
		Path:   f.Module.Mod.Path,
		Dir:    dir,
		Root:   root,
		file:   f,
		cache:  moduleCache(),
		limits: limits,
		parsed: map[string]*funcs.Package{},
		sum:    Sum(dir),
	}
	if st, err := os.Stat(filepath.Join(dir, "vendor", "modules.txt")); err == nil && !st.IsDir() {
		m.vendor = true
	}
	return m, nil
}

// Sum hashes the go.mod and go.sum files of the module in dir, so a change
// to either can be told (see Module.Changed).
func Sum(dir string) [32]byte {
	h := sha256.New()
	for _, name := range []string{"go.mod", "go.sum", filepath.Join("vendor", "modules.txt")} {
		data, _ := os.ReadFile(filepath.Join(dir, name))
		fmt.Fprintf(h, "%s %d\n", name, len(data))
		h.Write(data)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// Changed reports whether go.mod, go.sum or vendor/modules.txt changed
// since m was read.
func (m *Module) Changed() bool { return Sum(m.Dir) != m.sum }

// moduleCache returns the module cache directory, as the go command finds
// it: $GOMODCACHE, else the first entry of GOPATH, then pkg/mod.
func moduleCache() string {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return c
	}
	gopath := filepath.SplitList(build.Default.GOPATH)
	if len(gopath) == 0 {
		return ""
	}
	return filepath.Join(gopath[0], "pkg", "mod")
}

// ImportPath returns the import path of the package in dir, a directory
// below the module.
func (m *Module) ImportPath(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	rel, err := filepath.Rel(m.Dir, dir)
	if err != nil || rel == "." {
		return m.Path
	}
	return m.Path + "/" + filepath.ToSlash(rel)
}

// Local returns the directory, relative to the served folder, of the
// module's package with the import path p; ok is false if p is not a
// package of the module below the served folder.
func (m *Module) Local(p string) (rel string, ok bool) {
	dir, ok := m.localDir(p)
	if !ok {
		return "", false
	}
	rel, err := filepath.Rel(m.Root, dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// localDir returns the directory of the module's package p.
func (m *Module) localDir(p string) (string, bool) {
	if p == m.Path {
		return m.Dir, true
	}
	rest, ok := strings.CutPrefix(p, m.Path+"/")
	if !ok {
		return "", false
	}
	return filepath.Join(m.Dir, filepath.FromSlash(rest)), true
}

// ImportSource implements interp.SourceImporter: the module's own
// packages below the served folder, read anew each time, and the packages
// of required modules, read once.
func (m *Module) ImportSource(p string) (*funcs.Package, bool, error) {
	return m.Snapshot().ImportSource(p)
}

// importSource is ImportSource with the module's own packages read by
// readDir.
func (m *Module) importSource(p string, readDir func(dir string) ([]funcs.SourceFile, error), imp funcs.Importer) (*funcs.Package, bool, error) {
	if err := module.CheckImportPath(p); err != nil {
		// ".." and the like would lead out of the module, or of
		// vendor/ and the module cache.
		return nil, false, err
	}
	if dir, ok := m.localDir(p); ok {
		if _, ok := m.Local(p); !ok {
			return nil, false, fmt.Errorf("package %s is outside the served folder %s: serve the module's root, %s", p, m.Root, m.Dir)
		}
		pkg, err := m.read(dir, p, readDir, imp)
		return pkg, err == nil, err
	}
	if !strings.Contains(strings.Split(p, "/")[0], ".") {
		return nil, false, nil // the standard library's
	}
	dir, err := m.requiredDir(p)
	if err != nil {
		return nil, false, err
	}
	m.mu.Lock()
	pkg, ok := m.parsed[dir]
	m.mu.Unlock()
	if ok {
		return pkg, true, nil
	}
	pkg, err = m.read(dir, p, m.readDir, m.Importer())
	if err != nil {
		return nil, false, err
	}
	m.mu.Lock()
	m.parsed[dir] = pkg
	m.mu.Unlock()
	return pkg, true, nil
}

// read reads and parses the package in dir, of the import path p.
func (m *Module) read(dir, p string, readDir func(string) ([]funcs.SourceFile, error), imp funcs.Importer) (*funcs.Package, error) {
	if !isDir(dir) {
		return nil, fmt.Errorf("no package %s: directory %s does not exist", p, dir)
	}
	files, err := readDir(dir)
	if err != nil {
		var list funcs.ErrorList
		if !errors.As(err, &list) {
			return nil, fmt.Errorf("package %s: %w", p, err)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("package %s: no Go files in %s", p, dir)
	}
	pkg, err := funcs.ParseWith(dir, files, imp)
	if err != nil {
		return nil, err
	}
	pkg.ImportPath = p
	return pkg, nil
}

// readDir reads the source files of dir.
func (m *Module) readDir(dir string) ([]funcs.SourceFile, error) {
	return funcs.ReadDir(dir, m.limits)
}

// A Snapshot reads each directory of the module's packages once, so that
// packages loaded together see the same files, even while an editor is
// still writing one (see Module.Snapshot). It is safe for concurrent use.
type Snapshot struct {
	m        *Module
	mu       sync.Mutex
	reads    map[string]snapshotRead   // by directory
	imports  map[string]snapshotImport // by import path
	dirs     map[string]dirSummary     // by directory, for LocalDeps
	closures map[string]depClosure     // by directory relative to the served folder
}

type snapshotImport struct {
	pkg *funcs.Package
	ok  bool
	err error
}

type snapshotRead struct {
	files []funcs.SourceFile
	err   error
}

// Snapshot returns a new snapshot of the module's packages.
func (m *Module) Snapshot() *Snapshot {
	return &Snapshot{m: m, reads: map[string]snapshotRead{}, imports: map[string]snapshotImport{}, dirs: map[string]dirSummary{}, closures: map[string]depClosure{}}
}

// ReadDir reads the source files of dir as funcs.ReadDir does, once.
func (s *Snapshot) ReadDir(dir string) ([]funcs.SourceFile, error) {
	dir = filepath.Clean(dir)
	s.mu.Lock()
	r, ok := s.reads[dir]
	s.mu.Unlock()
	if ok {
		return r.files, r.err
	}
	files, err := s.m.readDir(dir)
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.reads[dir]; ok { // another goroutine read it meanwhile
		return r.files, r.err
	}
	s.reads[dir] = snapshotRead{files, err}
	return files, err
}

// ImportSource implements interp.SourceImporter, reading the module's
// own packages through the snapshot, and parsing each package once: the
// packages loaded together share it (it is read-only once parsed).
func (s *Snapshot) ImportSource(p string) (*funcs.Package, bool, error) {
	s.mu.Lock()
	r, ok := s.imports[p]
	s.mu.Unlock()
	if ok {
		return r.pkg, r.ok, r.err
	}
	pkg, found, err := s.m.importSource(p, s.ReadDir, s.Importer())
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.imports[p]; ok { // parsed meanwhile: share that one
		return r.pkg, r.ok, r.err
	}
	s.imports[p] = snapshotImport{pkg, found, err}
	return pkg, found, err
}

// Importer returns the funcs.Importer of the packages s has the source
// of.
func (s *Snapshot) Importer() funcs.Importer {
	return func(p string) (*funcs.Package, bool) {
		pkg, ok, err := s.ImportSource(p)
		return pkg, ok && err == nil
	}
}

// Importer returns the funcs.Importer of the packages m has the source
// of, for the types of other packages in service signatures.
func (m *Module) Importer() funcs.Importer {
	return m.Snapshot().Importer()
}

// requiredDir returns the directory of package p of a module go.mod
// requires.
func (m *Module) requiredDir(p string) (string, error) {
	mod, ok := m.provider(p)
	if !ok {
		return "", fmt.Errorf("no module in %s provides package %s: add it with go get %s", filepath.Join(m.Dir, "go.mod"), p, p)
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(p, mod.Path), "/")
	if m.vendor {
		dir := filepath.Join(m.Dir, "vendor", filepath.FromSlash(p))
		if !isDir(dir) {
			return "", fmt.Errorf("package %s is not in %s: run go mod vendor", p, filepath.Join(m.Dir, "vendor"))
		}
		return dir, nil
	}
	modDir, err := m.moduleDir(mod)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(modDir, filepath.FromSlash(rest))
	if !isDir(dir) {
		return "", fmt.Errorf("module %s@%s has no package %s", mod.Path, mod.Version, p)
	}
	return dir, nil
}

// provider returns the module go.mod requires that provides package p:
// the one with the longest path that is p or a prefix of it, after
// replacements.
func (m *Module) provider(p string) (module.Version, bool) {
	var best module.Version
	for _, r := range m.file.Require {
		mp := r.Mod.Path
		if (p == mp || strings.HasPrefix(p, mp+"/")) && len(mp) > len(best.Path) {
			best = r.Mod
		}
	}
	return best, best.Path != ""
}

// moduleDir returns the directory of the required module mod: a local
// replacement's, or its directory in the module cache.
func (m *Module) moduleDir(mod module.Version) (string, error) {
	for _, r := range m.file.Replace {
		if r.Old.Path != mod.Path || (r.Old.Version != "" && r.Old.Version != mod.Version) {
			continue
		}
		if r.New.Version == "" { // a directory
			dir := r.New.Path
			if !filepath.IsAbs(dir) {
				dir = filepath.Join(m.Dir, dir)
			}
			return dir, nil
		}
		mod = r.New
	}
	escPath, err := module.EscapePath(mod.Path)
	if err != nil {
		return "", err
	}
	escVersion, err := module.EscapeVersion(mod.Version)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(m.cache, filepath.FromSlash(escPath)+"@"+escVersion)
	if !isDir(dir) {
		return "", fmt.Errorf("module %s@%s is not in the module cache (%s): fetch it with go mod download %s", mod.Path, mod.Version, m.cache, mod.Path)
	}
	return dir, nil
}

// Requires lists the modules go.mod requires, as path@version.
func (m *Module) Requires() []string {
	var out []string
	for _, r := range m.file.Require {
		out = append(out, r.Mod.String())
	}
	return out
}

// Vendored reports whether packages of required modules come from vendor/.
func (m *Module) Vendored() bool { return m.vendor }

func isDir(dir string) bool {
	st, err := os.Stat(dir)
	return err == nil && st.IsDir()
}

// LocalDeps returns the module's packages below the served folder that the
// package of files imports, directly or not, as directories relative to
// the served folder, sorted; and a hash of their files and of go.mod and
// go.sum: a package must be loaded anew when it changes. A package that
// cannot be read (missing, or not yet written) is listed too, so that its
// importer loads again once it can be.
func (m *Module) LocalDeps(files []funcs.SourceFile) (rels []string, sum [32]byte) {
	return m.Snapshot().LocalDeps(files)
}

// LocalDeps is Module.LocalDeps through the snapshot. What it finds of
// each package is kept for the snapshot: its files are read, hashed and
// parsed for their imports once, and its dependencies (with a hash over
// their files, as a Merkle tree) found once, so that a group of packages
// costs about what their imports are, however deep they go.
func (s *Snapshot) LocalDeps(files []funcs.SourceFile) (rels []string, sum [32]byte) {
	h := sha256.New()
	h.Write(s.m.sum[:])
	for _, rel := range s.localImports(importsOf(files)) {
		c := s.closure(rel, map[string]bool{})
		rels = mergeSorted(rels, c.rels)
		h.Write(c.sum[:])
	}
	copy(sum[:], h.Sum(nil))
	return rels, sum
}

// localImports returns the directories, relative to the served folder,
// of the module's packages among the import paths, sorted, each once.
func (s *Snapshot) localImports(paths []string) []string {
	var rels []string
	for _, p := range paths {
		if module.CheckImportPath(p) != nil {
			continue // a load error of its importer
		}
		if rel, ok := s.m.Local(p); ok {
			rels = append(rels, rel)
		}
	}
	slices.Sort(rels)
	return slices.Compact(rels)
}

// depClosure is a package of the module with the packages it imports,
// directly or not: their directories, sorted, and a hash of their files.
type depClosure struct {
	rels []string
	sum  [32]byte
}

// closure returns the closure of the package in rel, found once for the
// snapshot. visiting holds the packages whose closure is being found: an
// import cycle (a load error) ends there.
func (s *Snapshot) closure(rel string, visiting map[string]bool) depClosure {
	s.mu.Lock()
	c, ok := s.closures[rel]
	s.mu.Unlock()
	if ok {
		return c
	}
	h := sha256.New()
	fmt.Fprintf(h, "package %s\n", rel)
	c.rels = []string{rel}
	if visiting[rel] {
		fmt.Fprintf(h, "cycle\n")
		copy(c.sum[:], h.Sum(nil))
		return c
	}
	visiting[rel] = true
	defer delete(visiting, rel)
	// A package that cannot be read (not there yet, or gone) is a
	// dependency too: when it appears, the importer loads again.
	d := s.dir(filepath.Join(s.m.Root, filepath.FromSlash(rel)))
	if d.unreadable {
		fmt.Fprintf(h, "unreadable\n")
	} else {
		h.Write(d.hash[:])
		for _, dep := range s.localImports(d.imports) {
			dc := s.closure(dep, visiting)
			c.rels = mergeSorted(c.rels, dc.rels)
			h.Write(dc.sum[:])
		}
	}
	copy(c.sum[:], h.Sum(nil))
	s.mu.Lock()
	s.closures[rel] = c
	s.mu.Unlock()
	return c
}

// mergeSorted returns the union of a and b, sorted slices of unique
// strings, as a new slice.
func mergeSorted(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0] < b[0]:
			out, a = append(out, a[0]), a[1:]
		case b[0] < a[0]:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, a[0]), a[1:], b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// dirSummary is what LocalDeps needs of a package directory.
type dirSummary struct {
	unreadable bool
	hash       [32]byte // of its files' names and contents
	imports    []string
}

// dir returns the summary of the package directory dir, made once.
func (s *Snapshot) dir(dir string) dirSummary {
	s.mu.Lock()
	d, ok := s.dirs[dir]
	s.mu.Unlock()
	if ok {
		return d
	}
	files, err := s.ReadDir(dir)
	if err != nil && len(files) == 0 {
		d.unreadable = true
	} else {
		h := sha256.New()
		for _, f := range files {
			fmt.Fprintf(h, "%s %d\n", f.Name, len(f.Src))
			h.Write(f.Src)
		}
		copy(d.hash[:], h.Sum(nil))
		d.imports = importsOf(files)
	}
	s.mu.Lock()
	s.dirs[dir] = d
	s.mu.Unlock()
	return d
}

// importsOf returns the import paths of files, read from their import
// declarations only.
func importsOf(files []funcs.SourceFile) []string {
	var out []string
	fset := token.NewFileSet()
	for _, f := range files {
		af, err := parser.ParseFile(fset, f.Name, f.Src, parser.ImportsOnly)
		if err != nil {
			continue
		}
		for _, is := range af.Imports {
			if p, err := strconv.Unquote(is.Path.Value); err == nil {
				out = append(out, p)
			}
		}
	}
	return out
}

// NoModule is the source importer of a served folder that is in no
// module: it has the source of no package, and explains that importing a
// package outside the standard library needs one.
type NoModule struct{}

// ImportSource implements interp.SourceImporter.
func (NoModule) ImportSource(p string) (*funcs.Package, bool, error) {
	if !strings.Contains(strings.Split(p, "/")[0], ".") {
		return nil, false, nil // the standard library's
	}
	return nil, false, fmt.Errorf("the served folder is not in a Go module: run go mod init in it, then go get %s", p)
}

// GoModFor returns the go.mod of a module whose root is dir, a folder of
// m, with m's requirements: m's own go.mod when dir is its root, else one
// whose module path is dir's import path. Replacements by a directory are
// kept only when dir is the root (they point outside the folder
// otherwise, which is an error).
func (m *Module) GoModFor(dir string) ([]byte, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if filepath.Clean(abs) == filepath.Clean(m.Dir) {
		return os.ReadFile(filepath.Join(m.Dir, "go.mod"))
	}
	f, err := modfile.Parse("go.mod", mustFormat(m.file), nil)
	if err != nil {
		return nil, err
	}
	if err := f.AddModuleStmt(m.ImportPath(abs)); err != nil {
		return nil, err
	}
	for _, r := range f.Replace {
		if r.New.Version == "" {
			// A directory outside the folder: the folder's packages
			// cannot use that module (they would need it vendored).
			if err := f.DropReplace(r.Old.Path, r.Old.Version); err != nil {
				return nil, err
			}
		}
	}
	f.Cleanup()
	return f.Format()
}

func mustFormat(f *modfile.File) []byte {
	b, err := f.Format()
	if err != nil {
		return nil
	}
	return b
}
