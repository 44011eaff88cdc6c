package funcs

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
)

// A Package is one directory of Go source with its services.
type Package struct {
	// Dir is the directory as given to [Load] or [Parse].
	Dir string
	// Name is the package name of the files.
	Name string
	// ImportPath is the package's import path, when whoever loads it knows
	// it (the server: the module's path joined with the directory); empty
	// otherwise.
	ImportPath string
	// Files are the package's files, sorted by name.
	Files []*File
	// Services are the annotated functions, in source order.
	Services []*Descriptor
	// Fset holds the positions of Files.
	Fset *token.FileSet

	imp      Importer   // the packages its signatures' types may come from
	lookupMu sync.Mutex // guards lookup
	lookup   *resolver  // built by LookupType
}

// An Importer returns the parsed package of an import path, so that types
// of other packages of a module may appear in service signatures; ok is
// false for a package it has none of (the standard library's). The
// packages it returns should have their ImportPath set.
type Importer func(path string) (pkg *Package, ok bool)

// A File is one source file of a package.
type File struct {
	// Name is the file's base name.
	Name string
	// Path is the package's Dir joined with Name; positions use it.
	Path string
	// Src is the file's content.
	Src []byte
	// AST is the parsed file, with comments.
	AST *ast.File
}

// A Descriptor describes one service: an annotated top-level function.
type Descriptor struct {
	// Name is the function's name as written.
	Name string
	// Route is the service's path below its package: Name, or the
	// directive's name= option.
	Route string
	// Doc is the doc comment without the directive.
	Doc string
	// Params are the parameters clients bind by name, without a leading
	// context.Context.
	Params []Param
	// Results are the result types, without a trailing error.
	Results []*Type
	// Context reports a leading context.Context parameter.
	Context bool
	// Error reports a trailing error result.
	Error bool
	// Variadic reports that the last parameter is variadic (...T); it is
	// bound as a slice.
	Variadic bool
	// Options are the directive's policy options (those other than name=
	// and errors=), in order.
	Options []Option
	// Errors map the errors the service returns to statuses (errors=).
	Errors []ErrorStatus
	// Auth is what a call from outside must show (auth=): AuthNone,
	// AuthToken or AuthJWT; empty when the directive leaves it to the
	// server's configuration.
	Auth string
	// ContentType is the media type of the answer of a service whose
	// result is a []byte sent as it is (content-type=); empty otherwise.
	ContentType string
	// Pos is the position of the function's name.
	Pos token.Position
	// Decl is the function's declaration.
	Decl *ast.FuncDecl
	// File is the file that declares the function.
	File *File
}

// A Param is one named parameter of a service.
type Param struct {
	Name string
	Type *Type
	Pos  token.Position
}

// Summary returns the first sentence of the doc comment.
func (d *Descriptor) Summary() string {
	doc := strings.Join(strings.Fields(d.Doc), " ")
	if i := strings.Index(doc, ". "); i >= 0 {
		return doc[:i+1]
	}
	return doc
}

// A SourceFile is the name and content of one file to parse.
type SourceFile struct {
	Name string
	Src  []byte
}

// Limits bound what [ReadDir] reads. The zero value means the defaults.
type Limits struct {
	// MaxFileSize is the largest source file read; larger files are
	// skipped with an error. Default 1 MiB.
	MaxFileSize int64
	// MaxFiles is the most .go files one package may have. Default 1000.
	MaxFiles int
}

func (l Limits) withDefaults() Limits {
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = 1 << 20
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = 1000
	}
	return l
}

// IsSourceFile reports whether the toolchain would consider name a source
// file of a package: a .go file that is not a test, not hidden and not
// _-prefixed. Build constraints are checked when the file is read.
func IsSourceFile(name string) bool {
	return strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") &&
		!strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "_")
}

// ReadDir reads the source files of the package in dir, as the Go
// toolchain selects them: test files, hidden files, files excluded by build
// constraints for this platform, and symbolic links are skipped. Problems
// with single files (too large, unreadable) are returned as an [ErrorList]
// together with the files that could be read.
func ReadDir(dir string, limits Limits) ([]SourceFile, error) {
	limits = limits.withDefaults()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read package directory: %w", err)
	}
	ctxt := build.Default
	var files []SourceFile
	var errs ErrorList
	for _, e := range entries {
		name := e.Name()
		if !IsSourceFile(name) {
			continue
		}
		if e.Type()&fs.ModeSymlink != 0 {
			errs = append(errs, &SourceError{Pos: token.Position{Filename: filepath.Join(dir, name)}, Msg: "skipped: a symbolic link (microfn loads regular files only, so no code comes from outside the folder)"})
			continue
		}
		if !e.Type().IsRegular() {
			continue
		}
		path := filepath.Join(dir, name)
		if len(files) >= limits.MaxFiles {
			errs = append(errs, &SourceError{Pos: token.Position{Filename: path}, Msg: fmt.Sprintf("skipped: the package has more than %d files", limits.MaxFiles)})
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed since listed
		}
		if info.Size() > limits.MaxFileSize {
			errs = append(errs, &SourceError{Pos: token.Position{Filename: path}, Msg: fmt.Sprintf("skipped: file is %d bytes, over the limit of %d", info.Size(), limits.MaxFileSize)})
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			if !os.IsNotExist(err) {
				errs = append(errs, &SourceError{Pos: token.Position{Filename: path}, Msg: err.Error()})
			}
			continue
		}
		if bytes.IndexByte(src, 0) >= 0 {
			errs = append(errs, &SourceError{Pos: token.Position{Filename: path}, Msg: "skipped: binary file (it contains a NUL byte)"})
			continue
		}
		if ok, err := ctxt.MatchFile(dir, name); err != nil || !ok {
			continue
		}
		files = append(files, SourceFile{Name: name, Src: src})
	}
	if len(errs) > 0 {
		return files, errs
	}
	return files, nil
}

// Load reads and parses the package in dir. See [ReadDir] and [Parse].
func Load(dir string) (*Package, error) {
	files, err := ReadDir(dir, Limits{})
	if err != nil {
		return nil, err
	}
	return Parse(dir, files)
}

// Parse parses files as the package in dir and describes its services. A
// package without files is returned with no files and no error. Source
// problems are reported together as an [ErrorList].
func Parse(dir string, files []SourceFile) (*Package, error) {
	return ParseWith(dir, files, nil)
}

// ParseWith is [Parse] with the packages imp gives for the types of other
// packages in service signatures.
func ParseWith(dir string, files []SourceFile, imp Importer) (*Package, error) {
	pkg, err := ParseAllWith(dir, files, imp)
	if err != nil {
		return nil, err
	}
	return pkg, nil
}

// IsProgram reports whether files are those of a main package that does
// not mention microfn's directive: a program, which a module may hold
// beside its services, and which is never served. (A main package with
// services is an error [Parse] reports.) It reads the package clause of
// the first file that has one.
func IsProgram(files []SourceFile) bool {
	for _, f := range files {
		if bytes.Contains(f.Src, []byte(Directive)) {
			return false
		}
	}
	for _, f := range files {
		af, err := parser.ParseFile(token.NewFileSet(), f.Name, f.Src, parser.PackageClauseOnly)
		if err == nil {
			return af.Name.Name == "main"
		}
	}
	return false
}

// ParseAll is [Parse] for tools that report every problem of a package at
// once, such as microfn check: when the files parse as one package, it
// returns the package even if some of its services cannot be served, with
// only the services it could describe, together with the [ErrorList] of
// the problems, so that later checks (types, imports) can run on it. The
// package is nil only when a file does not parse, the files disagree on
// the package name, or the package is main: nothing more can be checked
// then.
func ParseAll(dir string, files []SourceFile) (*Package, error) {
	return ParseAllWith(dir, files, nil)
}

// ParseAllWith is [ParseAll] with the packages imp gives for the types of
// other packages in service signatures.
func ParseAllWith(dir string, files []SourceFile, imp Importer) (*Package, error) {
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	pkg := &Package{Dir: dir, Fset: token.NewFileSet(), imp: imp}
	sink := &errorSink{fset: pkg.Fset}
	var asts []*ast.File
	for _, sf := range files {
		path := filepath.Join(dir, sf.Name)
		f, err := parser.ParseFile(pkg.Fset, path, sf.Src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			sink.addParse(err)
			continue
		}
		switch {
		case pkg.Name == "":
			pkg.Name = f.Name.Name
		case f.Name.Name != pkg.Name:
			sink.errorf(f.Name.Pos(), "package %s: the directory's other files are package %s (one directory holds one package)", f.Name.Name, pkg.Name)
			continue
		}
		pkg.Files = append(pkg.Files, &File{Name: sf.Name, Path: path, Src: sf.Src, AST: f})
		asts = append(asts, f)
	}
	if err := sink.err(); err != nil {
		return nil, err
	}
	if pkg.Name == "main" {
		sink.errorf(pkg.Files[0].AST.Name.Pos(), "package main cannot be served: give the package another name (services live in a library package)")
		return nil, sink.err()
	}
	r := newResolver(sink, asts)
	r.imp = imp
	routes := map[string]*Descriptor{}
	for _, f := range pkg.Files {
		for _, d := range describeFile(sink, r, f) {
			if prev, dup := routes[d.Route]; dup {
				sink.errorf(d.Decl.Name.Pos(), "route %q of %s is already used by %s at %s", d.Route, d.Name, prev.Name, prev.Pos)
				continue
			}
			routes[d.Route] = d
			pkg.Services = append(pkg.Services, d)
		}
	}
	return pkg, sink.err()
}

// describeFile finds the services of f and checks that every microfn
// directive in it sits on a top-level function.
func describeFile(sink *errorSink, r *resolver, f *File) []*Descriptor {
	placed := map[*ast.Comment]bool{}
	var out []*Descriptor
	for _, decl := range f.AST.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || fd.Doc == nil {
			continue
		}
		var directive *ast.Comment
		for _, c := range fd.Doc.List {
			if !strings.HasPrefix(c.Text, directivePrefix) {
				continue
			}
			placed[c] = true
			switch {
			case c.Text != Directive && !strings.HasPrefix(c.Text, Directive+" ") && !strings.HasPrefix(c.Text, Directive+"\t"):
				sink.errorf(c.Slash, "unknown directive %s (did you mean %s?)", strings.Fields(c.Text)[0], Directive)
			case fd.Recv != nil:
				sink.errorf(c.Slash, "%s on method %s: only top-level functions can be services", Directive, fd.Name.Name)
			case directive != nil:
				sink.errorf(c.Slash, "%s is given twice for %s", Directive, fd.Name.Name)
			default:
				directive = c
			}
		}
		if directive == nil || fd.Recv != nil {
			continue
		}
		if d := describe(sink, r, f, fd, directive); d != nil {
			out = append(out, d)
		}
	}
	for _, cg := range f.AST.Comments {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, directivePrefix) && !placed[c] {
				sink.errorf(c.Slash, "%s must be in the doc comment of a top-level function (directly above func, no blank line)", strings.Fields(c.Text)[0])
			}
		}
	}
	return out
}

func describe(sink *errorSink, r *resolver, f *File, fd *ast.FuncDecl, directive *ast.Comment) *Descriptor {
	opts, ok := parseDirective(sink, directive)
	d := &Descriptor{
		Name:  fd.Name.Name,
		Route: fd.Name.Name,
		Doc:   strings.TrimSpace(fd.Doc.Text()),
		Pos:   sink.fset.Position(fd.Name.Pos()),
		Decl:  fd,
		File:  f,
	}
	for _, o := range opts {
		switch o.Key {
		case "name":
			d.Route = o.Value
			continue
		case "errors":
			list, _ := parseErrorStatuses(o.Value) // checked by parseDirective
			for i := range list {
				list[i].Pos = o.Pos
			}
			d.Errors = resolveErrorStatuses(sink, f, directive.Slash, list)
			for i := range d.Errors {
				if d.Errors[i].Path == "" {
					d.Errors[i].Doc = r.varDocs[d.Errors[i].Var]
				}
			}
			continue
		case "auth":
			d.Auth = o.Value
			continue
		case "content-type":
			d.ContentType = o.Value
			continue
		}
		d.Options = append(d.Options, o)
	}
	for _, reserved := range ReservedRoutes {
		if strings.EqualFold(d.Route, reserved) {
			sink.errorf(fd.Name.Pos(), "service %s: route /%s is reserved by the server (rename the function or set name=)", d.Name, d.Route)
			ok = false
		}
	}
	if fd.Type.TypeParams != nil && len(fd.Type.TypeParams.List) > 0 {
		sink.errorf(fd.Name.Pos(), "service %s: generic functions cannot be services (clients cannot choose type arguments)", d.Name)
		return nil
	}
	if !describeParams(sink, r, f, fd, d) {
		ok = false
	}
	if !describeResults(sink, r, f, fd, d) {
		ok = false
	} else if !checkEdgeResults(sink, fd, d) {
		ok = false
	}
	if !ok {
		return nil
	}
	return d
}

func describeParams(sink *errorSink, r *resolver, f *File, fd *ast.FuncDecl, d *Descriptor) bool {
	ok := true
	n := 0
	list := fd.Type.Params.List
	for fi, field := range list {
		names := field.Names
		if len(names) == 0 {
			names = []*ast.Ident{nil}
		}
		for _, name := range names {
			n++
			if n == 1 && isContext(f.AST, field.Type) {
				d.Context = true
				continue
			}
			if name == nil || name.Name == "_" {
				sink.errorf(field.Type.Pos(), "service %s: parameter %d has no name: name it, clients pass parameters by name", d.Name, n)
				ok = false
				continue
			}
			what := fmt.Sprintf("service %s: parameter %q", d.Name, name.Name)
			if _, variadic := field.Type.(*ast.Ellipsis); variadic && fi == len(list)-1 {
				d.Variadic = true
			}
			t := r.resolve(f.AST, field.Type, what)
			if t == nil {
				ok = false
				continue
			}
			switch t.Kind {
			case Context:
				sink.errorf(field.Type.Pos(), "%s: context.Context must be the first parameter", what)
				ok = false
				continue
			case Error:
				sink.errorf(field.Type.Pos(), "%s: error is not supported as a parameter", what)
				ok = false
				continue
			case Seq:
				sink.errorf(field.Type.Pos(), "%s: %s is a result only (a stream the service sends): take a slice", what, t)
				ok = false
				continue
			}
			d.Params = append(d.Params, Param{Name: name.Name, Type: t, Pos: sink.fset.Position(name.Pos())})
		}
	}
	return ok
}

func describeResults(sink *errorSink, r *resolver, f *File, fd *ast.FuncDecl, d *Descriptor) bool {
	if fd.Type.Results == nil {
		return true
	}
	var exprs []ast.Expr
	for _, field := range fd.Type.Results.List {
		for range max(1, len(field.Names)) {
			exprs = append(exprs, field.Type)
		}
	}
	ok := true
	for i, e := range exprs {
		what := fmt.Sprintf("service %s: result %d", d.Name, i+1)
		t := r.resolve(f.AST, e, what)
		if t == nil {
			ok = false
			continue
		}
		switch t.Kind {
		case Error:
			if i != len(exprs)-1 {
				sink.errorf(e.Pos(), "%s: error must be the last result", what)
				ok = false
			}
			d.Error = true
			continue
		case Context:
			sink.errorf(e.Pos(), "%s: context.Context cannot be a result", what)
			ok = false
			continue
		}
		d.Results = append(d.Results, t)
	}
	return ok
}

func isContext(f *ast.File, e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && sel.Sel.Name == "Context" && importPathOf(f, pkg.Name) == "context"
}

// PackageDirs returns the directories below root (root included) that hold
// Go source files, relative to root ("." for root), sorted. Hidden and
// _-prefixed directories, testdata, vendor and the roots of other modules
// (a go.mod below root) are skipped, as the Go toolchain does, and
// symbolic links are not followed.
func PackageDirs(root string) ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			if path == root {
				return err
			}
			return nil // vanished or unreadable below root: skip it
		}
		if e.IsDir() {
			name := e.Name()
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" || IsModuleRoot(path)) {
				return filepath.SkipDir
			}
			return nil
		}
		if e.Type().IsRegular() && IsSourceFile(e.Name()) {
			rel, err := filepath.Rel(root, filepath.Dir(path))
			if err != nil {
				return err
			}
			if len(dirs) == 0 || dirs[len(dirs)-1] != rel {
				dirs = append(dirs, filepath.ToSlash(rel))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list packages under %s: %w", root, err)
	}
	// WalkDir visits a directory's files and subdirectories in one lexical
	// order, so a directory's files can come on both sides of a subtree.
	sort.Strings(dirs)
	return slices.Compact(dirs), nil
}

// IsModuleRoot reports whether dir holds a go.mod: below a served folder,
// such a directory is another module, which the go command leaves out of
// the module's packages, and so does microfn.
func IsModuleRoot(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "go.mod"))
	return err == nil && !st.IsDir()
}

// LookupType describes the package-level type name, or reports false when
// the package declares no such type or it cannot travel in JSON. Unlike
// the types of service signatures, problems here are not errors: the type
// may be used only inside the package.
func (p *Package) LookupType(name string) (*Type, bool) {
	t, err := p.lookupType(name)
	return t, err == nil
}

// lookupResolver returns the resolver of LookupType, made the first
// time. The caller holds p.lookupMu.
func (p *Package) lookupResolver() *resolver {
	if p.lookup == nil {
		files := make([]*ast.File, len(p.Files))
		for i, f := range p.Files {
			files[i] = f.AST
		}
		p.lookup = newResolver(&errorSink{fset: p.Fset}, files)
		p.lookup.imp, p.lookup.pkgPath = p.imp, p.ImportPath
	}
	return p.lookup
}

// declaredMethods returns what the package declares of the methods of
// its type name that encoding/json calls, or nil. It is safe for
// concurrent use.
func (p *Package) declaredMethods(name string) *declared {
	p.lookupMu.Lock()
	defer p.lookupMu.Unlock()
	return p.lookupResolver().methods[name]
}

// lookupType describes the package-level type name, or says why it
// cannot travel in JSON. It is safe for concurrent use.
func (p *Package) lookupType(name string) (*Type, error) {
	if len(p.Files) == 0 {
		return nil, fmt.Errorf("package %s has no files", p.ImportPath)
	}
	p.lookupMu.Lock()
	defer p.lookupMu.Unlock()
	p.lookupResolver()
	f := p.Files[0].AST
	p.lookup.sink.list = nil
	t := p.lookup.resolve(f, ast.NewIdent(name), "type "+name)
	if len(p.lookup.sink.list) > 0 {
		return nil, p.lookup.sink.list[0]
	}
	if t == nil {
		return nil, fmt.Errorf("type %s cannot be described", name)
	}
	return t, nil
}

// A PackageSource is the source of one package as written, with where it
// comes from: enough to parse it anywhere.
type PackageSource struct {
	// ImportPath is the package's import path.
	ImportPath string `json:"importPath"`
	// Dir is the package's directory, for positions.
	Dir string `json:"dir"`
	// Sources are the package's files.
	Sources []SourceFile `json:"sources"`
}

// NewImporter returns an Importer of the packages of srcs, each parsed
// the first time it is asked for (with the others at hand for its own
// imports). It is safe for concurrent use.
func NewImporter(srcs []*PackageSource) Importer {
	var mu sync.Mutex
	parsed := map[string]*Package{}
	byPath := map[string]*PackageSource{}
	for _, s := range srcs {
		byPath[s.ImportPath] = s
	}
	var imp Importer
	imp = func(path string) (*Package, bool) {
		mu.Lock()
		pkg, ok := parsed[path]
		mu.Unlock()
		if ok {
			return pkg, pkg != nil
		}
		s, ok := byPath[path]
		if !ok {
			return nil, false
		}
		pkg, err := ParseWith(s.Dir, s.Sources, imp)
		if err != nil {
			pkg = nil
		} else {
			pkg.ImportPath = path
		}
		mu.Lock()
		parsed[path] = pkg
		mu.Unlock()
		return pkg, pkg != nil
	}
	return imp
}
