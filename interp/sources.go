package interp

import (
	"fmt"
	"go/token"
	"go/types"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/module"

	"github.com/microfn/microfn/funcs"
)

// A SourceImporter finds the source of the packages service code imports
// that are neither the standard library nor package microfn: the other
// packages of the served module, and the packages of the modules it
// requires. Such packages are interpreted with the package that imports
// them, from source, at the version the importer gives.
type SourceImporter interface {
	// ImportSource returns the package of the import path, parsed, with
	// its ImportPath set. ok is false if the path is not one the importer
	// has source for (the sandbox then judges it); err reports a package
	// it should have but cannot give (a module missing from the module
	// cache, a file that does not parse).
	ImportSource(path string) (pkg *funcs.Package, ok bool, err error)
}

// sourceDep is a package imported from source while a package is
// prepared.
type sourceDep struct {
	pkg *funcs.Package
	// via is the package that imports it on the way from the prepared
	// package, nil when the prepared package imports it; root is the
	// prepared package's import path. Together they give its import
	// chain, built only for an error (a chain of n packages would cost
	// n² to keep a copy of it at every one).
	via     *sourceDep
	root    string
	checked *types.Package
	info    *types.Info
	// typesOnly marks a package compiled into the executable, or reached
	// only through one: its source gives the type checker its types, and
	// it is never interpreted.
	typesOnly bool
}

// collectSources finds the packages src imports from source, transitively,
// with imp, and returns them in dependency order (a package after the ones
// it imports). An import cycle is an error at the import that closes it.
//
// A package of compiled (an import path compiled into the executable) is
// collected for its types only, with the packages reached through it
// alone; its source is optional.
//
// imports gives a package's imports (see importsOf), which a batch keeps.
func collectSources(src *funcs.Package, imp SourceImporter, compiled map[string]bool, imports func(*funcs.Package) importList) ([]*sourceDep, error) {
	if imp == nil {
		if errs := imports(src).bad; len(errs) > 0 {
			return nil, errs
		}
		return nil, nil
	}
	c := &collector{src: src, root: src.ImportPath, imp: imp, compiled: compiled, imports: imports,
		byPath: map[string]*sourceDep{}, onStack: map[string]bool{}}
	c.visit(src, nil, false)
	if len(c.errs) > 0 {
		c.errs.Sort()
		return nil, c.errs
	}
	return c.order, nil
}

// A collector walks the imports of a package for collectSources, depth
// first.
type collector struct {
	src      *funcs.Package
	root     string // src's import path
	imp      SourceImporter
	compiled map[string]bool
	imports  func(*funcs.Package) importList

	order   []*sourceDep // a package after the ones it imports
	byPath  map[string]*sourceDep
	onStack map[string]bool // the import paths being visited
	errs    funcs.ErrorList
}

// visit collects the packages pkg imports from source, transitively; via
// is the package that imports pkg (nil: src imports it), and typesOnly
// marks pkg as collected for its types only.
func (c *collector) visit(pkg *funcs.Package, via *sourceDep, typesOnly bool) {
	c.onStack[pkg.ImportPath] = true
	defer delete(c.onStack, pkg.ImportPath)
	list := c.imports(pkg)
	if bad := list.bad; len(bad) > 0 {
		// No source is looked up through a malformed path: ".."
		// would lead out of the module.
		for _, e := range bad {
			msg := e.Msg
			if via != nil || pkg != c.src {
				msg = chainTo(c.root, via, pkg.ImportPath) + ": " + msg
			}
			c.errs = append(c.errs, &funcs.SourceError{Pos: e.Pos, Msg: msg})
		}
		return
	}
	var self *sourceDep // pkg as a dependency, nil for src
	if pkg != c.src {
		self = c.byPath[pkg.ImportPath]
	}
	for _, ip := range list.refs {
		p := ip.path
		if (p == c.root && c.root != "") || c.onStack[p] {
			c.cycle(pkg, via, ip)
			continue
		}
		if p == APIPath {
			continue // package microfn is the host's, wherever it is served from
		}
		only := typesOnly || c.compiled[p]
		if d, done := c.byPath[p]; done {
			if d.typesOnly && !only {
				// Reached by interpreted code too: interpreted.
				markInterpreted(d, c.byPath, c.compiled)
			}
			continue
		}
		dep, ok, err := c.imp.ImportSource(p)
		if err != nil {
			if !only {
				c.errs = append(c.errs, &funcs.SourceError{Pos: ip.pos, Msg: fmt.Sprintf("import %q: %v", p, err)})
			}
			continue
		}
		if !ok {
			continue
		}
		d := &sourceDep{pkg: dep, via: self, root: c.root, typesOnly: only}
		c.byPath[p] = d
		c.visit(dep, self, only)
		c.order = append(c.order, d)
	}
}

// cycle reports the import ip of pkg, reached through via, which closes
// an import cycle.
func (c *collector) cycle(pkg *funcs.Package, via *sourceDep, ip importRef) {
	full := strings.Split(chainTo(c.root, via, pkg.ImportPath), " imports ")
	if pkg == c.src {
		full = []string{pkg.ImportPath}
	}
	i := max(0, slices.Index(full, ip.path))
	c.errs = append(c.errs, &funcs.SourceError{Pos: ip.pos, Msg: "import cycle not allowed: " + strings.Join(append(full[i:], ip.path), " imports ")})
}

// markInterpreted marks d, and what it imports from source, as packages
// the interpreter runs, unless they are compiled in themselves.
func markInterpreted(d *sourceDep, byPath map[string]*sourceDep, compiled map[string]bool) {
	if compiled[d.pkg.ImportPath] {
		return
	}
	d.typesOnly = false
	for _, ip := range sortedImports(d.pkg) {
		if dd, ok := byPath[ip.path]; ok && dd.typesOnly {
			markInterpreted(dd, byPath, compiled)
		}
	}
}

// importList is what collectSources needs of a package's imports.
type importList struct {
	refs []importRef // see sortedImports
	// bad are the imports whose paths the go command rejects as
	// malformed (module.CheckImportPath): "..", ".", an absolute path,
	// an empty element and the like.
	bad funcs.ErrorList
}

// importsOf returns the imports of pkg.
func importsOf(pkg *funcs.Package) importList {
	l := importList{refs: sortedImports(pkg)}
	for _, ip := range l.refs {
		if err := module.CheckImportPath(ip.path); err != nil {
			l.bad = append(l.bad, &funcs.SourceError{Pos: ip.pos, Msg: err.Error()})
		}
	}
	return l
}

// chainTo describes how the prepared package, of the import path root,
// reaches the package path through via, the package that imports it
// (nil: the prepared package): "example.com/app/api imports
// github.com/x/y".
func chainTo(root string, via *sourceDep, path string) string {
	var rev []string
	for d := via; d != nil; d = d.via {
		rev = append(rev, d.pkg.ImportPath)
	}
	out := []string{root}
	for i := len(rev) - 1; i >= 0; i-- {
		out = append(out, rev[i])
	}
	return strings.Join(append(out, path), " imports ")
}

// importRef is an import of a package: its path, and where it is.
type importRef struct {
	path string
	pos  token.Position
}

// sortedImports returns the import paths of pkg's files, each once, at
// its first import, in path order.
func sortedImports(pkg *funcs.Package) []importRef {
	seen := map[string]bool{}
	var out []importRef
	for _, f := range pkg.Files {
		for _, is := range f.AST.Imports {
			p, err := strconv.Unquote(is.Path.Value)
			if err != nil || seen[p] {
				continue
			}
			seen[p] = true
			out = append(out, importRef{p, pkg.Fset.Position(is.Path.Pos())})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// importChain describes how the prepared package reaches dep, for errors
// in it: "example.com/app/api imports github.com/x/y: ".
func (d *sourceDep) importChain() string {
	return chainTo(d.root, d.via, d.pkg.ImportPath) + ": "
}
