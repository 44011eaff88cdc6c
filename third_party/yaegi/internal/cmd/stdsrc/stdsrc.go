// Command stdsrc writes the source of the generic functions and types of
// the standard library, taken from the GOROOT of the Go toolchain that
// runs it, for the interpreter to compile when a package is imported
// (package stdlib's symbol tables hold compiled code, which generic code
// is not): the files go1_NN_*.go.txt of stdlib/generic, and
// go1_NN_generic.go, which embeds them.
//
// Usage, in stdlib/generic (go generate does it):
//
//	go run ../../internal/cmd/stdsrc
//
// Of each package of the list below it keeps the declarations of its
// exported generic functions and types (or all of its declarations), and,
// transitively, the unexported ones they use; the exported non-generic
// names they use are those of the compiled package, which the interpreter
// gives the source. The type arguments of the generic functions called
// are written out, so that the interpreter need not infer them. What
// interpreted code cannot do (unsafe, the runtime's internals) is
// replaced by the declarations of patches.go, written in the same package,
// which may call the host functions of package generic's Natives.
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/format"
	"go/importer"
	"go/parser"
	"go/printer"
	"go/token"
	"go/types"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
)

// A pkgSpec says what to take of a package.
type pkgSpec struct {
	path string
	// patch holds declarations that replace those of the package with
	// the same name (a method is named Type.Method), or add to them.
	patch string
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("stdsrc: ")
	version := goVersion()
	var embeds []string
	for _, spec := range packages {
		src, err := generate(spec, version)
		if err != nil {
			log.Fatalf("%s: %v", spec.path, err)
		}
		name := version + "_" + strings.ReplaceAll(spec.path, "/", "_") + ".go.txt"
		if err := os.WriteFile(name, src, 0o644); err != nil {
			log.Fatal(err)
		}
		embeds = append(embeds, name)
	}
	goFile, err := embedFile(version, embeds)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(version+"_generic.go", goFile, 0o644); err != nil {
		log.Fatal(err)
	}
}

// goVersion returns the prefix of the files, go1_NN for Go 1.NN.
func goVersion() string {
	v := runtime.Version()
	if strings.HasPrefix(v, "devel") {
		log.Fatalf("only supported with stable releases of Go, not %v", v)
	}
	parts := strings.Split(strings.TrimPrefix(v, "go"), ".")
	minor := parts[1]
	if i := strings.IndexAny(minor, "rcbeta"); i > 0 {
		minor = minor[:i]
	}
	return "go1_" + minor
}

// A decl is a top-level declaration of the package or of a patch.
type decl struct {
	key  string   // its name, or Type.Method
	node ast.Decl // *ast.FuncDecl or *ast.GenDecl
	src  []byte   // the source of the file it is in
	file *ast.File
	// patched marks a declaration of a patch (not type-checked).
	patched bool
}

// loaded is a package parsed and type-checked from GOROOT.
type loaded struct {
	fset  *token.FileSet
	pkg   *types.Package
	info  *types.Info
	decls map[string]*decl
	order []string // keys in source order
}

func load(path string) (*loaded, error) {
	bp, err := build.Import(path, "", 0)
	if err != nil {
		return nil, err
	}
	l := &loaded{fset: token.NewFileSet(), decls: map[string]*decl{}}
	var files []*ast.File
	srcs := map[*ast.File][]byte{}
	for _, name := range bp.GoFiles {
		src, err := os.ReadFile(filepath.Join(bp.Dir, name))
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(l.fset, filepath.Join(bp.Dir, name), src, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
		srcs[f] = src
	}
	l.info = &types.Info{
		Uses:      map[*ast.Ident]types.Object{},
		Defs:      map[*ast.Ident]types.Object{},
		Instances: map[*ast.Ident]types.Instance{},
	}
	conf := types.Config{Importer: importer.ForCompiler(l.fset, "gc", nil)}
	if l.pkg, err = conf.Check(path, l.fset, files, l.info); err != nil {
		return nil, err
	}
	for _, f := range files {
		for _, d := range f.Decls {
			for _, key := range declKeys(d) {
				if _, dup := l.decls[key]; dup {
					return nil, fmt.Errorf("%s is declared twice", key)
				}
				l.decls[key] = &decl{key: key, node: d, src: srcs[f], file: f}
				l.order = append(l.order, key)
			}
		}
	}
	return l, nil
}

// declKeys returns the names a declaration declares: Name, Type.Method,
// or the names of a var, const or type declaration (imports have none).
func declKeys(d ast.Decl) []string {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil {
			if d.Name.Name == "init" {
				return nil // never kept: the compiled package ran it
			}
			return []string{d.Name.Name}
		}
		return []string{recvName(d) + "." + d.Name.Name}
	case *ast.GenDecl:
		var keys []string
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				keys = append(keys, s.Name.Name)
			case *ast.ValueSpec:
				for _, n := range s.Names {
					if n.Name != "_" {
						keys = append(keys, n.Name)
					}
				}
			}
		}
		return keys
	}
	return nil
}

// recvName returns the name of the receiver's type of method d.
func recvName(d *ast.FuncDecl) string {
	t := d.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	return t.(*ast.Ident).Name
}

// isGeneric reports whether d declares a generic function or type, or a
// method of a generic type.
func isGeneric(d ast.Decl) bool {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Type.TypeParams != nil {
			return true
		}
		if d.Recv != nil {
			t := d.Recv.List[0].Type
			if s, ok := t.(*ast.StarExpr); ok {
				t = s.X
			}
			switch t.(type) {
			case *ast.IndexExpr, *ast.IndexListExpr:
				return true
			}
		}
	case *ast.GenDecl:
		for _, s := range d.Specs {
			if ts, ok := s.(*ast.TypeSpec); ok && ts.TypeParams != nil {
				return true
			}
		}
	}
	return false
}

// needsSource reports whether exported declaration d is one the compiled
// package lacks: a generic function or type, a method of one, or a
// constraint (an interface of types, which the symbol tables leave out).
func needsSource(l *loaded, d *decl) bool {
	if isGeneric(d.node) {
		return true
	}
	if !strings.Contains(d.key, ".") {
		if tn, ok := l.pkg.Scope().Lookup(d.key).(*types.TypeName); ok {
			if i, ok := tn.Type().Underlying().(*types.Interface); ok && i.NumMethods() == 0 && i.NumEmbeddeds() != 0 {
				return true
			}
		}
	}
	return false
}

// patchDecls parses the declarations of a patch of package name.
func patchDecls(fset *token.FileSet, name, patch string) (map[string]*decl, []string, error) {
	src := []byte("package " + name + "\n\n" + patch)
	f, err := parser.ParseFile(fset, "patch", src, parser.ParseComments)
	if err != nil {
		return nil, nil, err
	}
	decls := map[string]*decl{}
	var order []string
	for _, d := range f.Decls {
		for _, key := range declKeys(d) {
			decls[key] = &decl{key: key, node: d, src: src, file: f, patched: true}
			order = append(order, key)
		}
	}
	return decls, order, nil
}

// generate returns the source to interpret of the package of spec.
func generate(spec pkgSpec, version string) ([]byte, error) {
	l, err := load(spec.path)
	if err != nil {
		return nil, err
	}
	patches, patchOrder, err := patchDecls(l.fset, l.pkg.Name(), spec.patch)
	if err != nil {
		return nil, fmt.Errorf("patch: %w", err)
	}
	for key, p := range patches {
		if d, ok := l.decls[key]; ok && exportedKey(key) {
			if a, b := signature(l.fset, d.node), signature(l.fset, p.node); a != b {
				return nil, fmt.Errorf("the patch of %s changes its declaration:\n\t%s\n\t%s", key, a, b)
			}
		}
	}
	kept := map[string]*decl{}
	var queue []string
	var keep func(key string)
	keep = func(key string) {
		if _, ok := kept[key]; ok {
			return
		}
		d, ok := patches[key]
		if !ok {
			d = l.decls[key]
		}
		kept[key] = d
		queue = append(queue, key)
		// A type takes its methods with it.
		if !strings.Contains(key, ".") {
			for _, k := range append(slices.Clone(l.order), patchOrder...) {
				if strings.HasPrefix(k, key+".") {
					keep(k)
				}
			}
		}
	}
	for _, key := range l.order {
		if exportedKey(key) && needsSource(l, l.decls[key]) {
			keep(key)
		}
	}
	for _, key := range patchOrder {
		keep(key)
	}
	for len(queue) > 0 {
		key := queue[0]
		queue = queue[1:]
		for _, used := range uses(l, kept[key]) {
			keep(used)
		}
	}

	// The declarations, in the package's order, then the patches'.
	var keys []string
	seen := map[ast.Decl]bool{}
	imports := map[string]bool{}
	var out bytes.Buffer
	write := func(d *decl) error {
		if seen[d.node] {
			return nil
		}
		seen[d.node] = true
		text, err := declText(l, d, imports)
		if err != nil {
			return fmt.Errorf("%s: %w", d.key, err)
		}
		out.WriteString(text)
		out.WriteString("\n\n")
		keys = append(keys, d.key)
		return nil
	}
	for _, key := range l.order {
		if d, ok := kept[key]; ok && !d.patched {
			if err := write(d); err != nil {
				return nil, err
			}
		}
	}
	for _, key := range patchOrder {
		if err := write(patches[key]); err != nil {
			return nil, err
		}
	}
	var head bytes.Buffer
	fmt.Fprintf(&head, "// Code generated by internal/cmd/stdsrc from the source of package %s of Go 1.%s. DO NOT EDIT.\n\n", spec.path, strings.TrimPrefix(version, "go1_"))
	head.WriteString("// Copyright The Go Authors. All rights reserved.\n// Use of this source code is governed by a BSD-style\n// license that can be found in the LICENSE file of the Go distribution.\n\n")
	fmt.Fprintf(&head, "package %s\n\n", l.pkg.Name())
	paths := make([]string, 0, len(imports))
	for p := range imports {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	if len(paths) > 0 {
		head.WriteString("import (\n")
		for _, p := range paths {
			fmt.Fprintf(&head, "\t%q\n", p)
		}
		head.WriteString(")\n\n")
	}
	src, err := format.Source(append(head.Bytes(), out.Bytes()...))
	if err != nil {
		return nil, fmt.Errorf("the generated source does not parse: %w\n%s", err, head.String()+out.String())
	}
	return src, nil
}

// exportedKey reports whether a name, or a type and its method, are
// exported.
func exportedKey(key string) bool {
	for _, name := range strings.Split(key, ".") {
		if !ast.IsExported(name) {
			return false
		}
	}
	return true
}

// signature prints the declaration of d without its body and comments.
func signature(fset *token.FileSet, d ast.Decl) string {
	var b bytes.Buffer
	switch d := d.(type) {
	case *ast.FuncDecl:
		c := *d
		c.Body, c.Doc = nil, nil
		_ = printer.Fprint(&b, fset, &c)
	case *ast.GenDecl:
		for _, s := range d.Specs {
			if ts, ok := s.(*ast.TypeSpec); ok {
				b.WriteString("type " + ts.Name.Name)
				if ts.TypeParams != nil {
					_ = printer.Fprint(&b, fset, ts.TypeParams)
				}
			}
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// uses returns the keys of the package-level declarations of the package
// that d uses and the compiled package does not export: unexported or
// generic ones. Those of a patch are found by name.
func uses(l *loaded, d *decl) []string {
	var keys []string
	ast.Inspect(d.node, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		if d.patched {
			if dd, ok := l.decls[id.Name]; ok && (!ast.IsExported(id.Name) || needsSource(l, dd)) {
				keys = append(keys, id.Name)
			}
			return true
		}
		obj := l.info.Uses[id]
		if obj == nil || obj.Pkg() != l.pkg || obj.Parent() != l.pkg.Scope() {
			return true
		}
		if dd, ok := l.decls[obj.Name()]; ok && (!obj.Exported() || needsSource(l, dd)) {
			keys = append(keys, obj.Name())
		}
		return true
	})
	return keys
}

// declText returns the source of declaration d, its doc comment
// included, with the type arguments of the generic functions it calls
// written out; it adds the imports it uses to imports.
func declText(l *loaded, d *decl, imports map[string]bool) (string, error) {
	if f, ok := d.node.(*ast.FuncDecl); ok && f.Body == nil {
		return "", fmt.Errorf("it has no Go body: patch it")
	}
	tf := l.fset.File(d.node.Pos())
	start := d.node.Pos()
	if doc := docOf(d.node); doc != nil {
		start = doc.Pos()
	}
	base := tf.Offset(start)
	text := []byte(string(d.src[base:tf.Offset(d.node.End())]))
	prefix := ""
	if orig, ok := l.decls[d.key]; ok && d.patched && docOf(d.node) == nil && docOf(orig.node) != nil {
		// A patch without a doc comment keeps the package's.
		doc := docOf(orig.node)
		of := l.fset.File(doc.Pos())
		prefix = string(orig.src[of.Offset(doc.Pos()):of.Offset(doc.End())]) + "\n"
	}

	// The imports of its file, by the name the file gives them.
	names := map[string]string{}
	for _, imp := range d.file.Imports {
		path := strings.Trim(imp.Path.Value, `"`)
		name := path[strings.LastIndexByte(path, '/')+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		} else if path == "math/rand/v2" {
			name = "rand"
		}
		names[name] = path
	}
	parents := map[ast.Node]ast.Node{}
	var stack []ast.Node
	ast.Inspect(d.node, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if len(stack) > 0 {
			parents[n] = stack[len(stack)-1]
		}
		stack = append(stack, n)
		return true
	})

	type insert struct {
		at   int
		text string
	}
	var inserts []insert
	var err error
	ast.Inspect(d.node, func(n ast.Node) bool {
		if err != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.SelectorExpr:
			x, ok := n.X.(*ast.Ident)
			if !ok {
				return true
			}
			path, ok := names[x.Name]
			if !ok || !d.patched && !isPkgName(l, x) {
				return true
			}
			if err = checkImport(path); err == nil {
				imports[path] = true
			}
		case *ast.Ident:
			if d.patched {
				return true
			}
			inst, ok := l.info.Instances[n]
			if !ok || inst.TypeArgs.Len() == 0 {
				return true
			}
			if _, isFunc := l.info.Uses[n].(*types.Func); !isFunc {
				return true
			}
			var expr ast.Node = n
			if s, ok := parents[n].(*ast.SelectorExpr); ok && s.Sel == n {
				expr = s
			}
			// Instantiated explicitly, maybe in part (Grow[S](…) of
			// Grow[S ~[]E, E any]): the rest is written after.
			given, at := 0, expr.End()
			switch p := parents[expr].(type) {
			case *ast.IndexExpr:
				if p.X == expr {
					given, at = 1, p.Index.End()
				}
			case *ast.IndexListExpr:
				if p.X == expr {
					given, at = len(p.Indices), p.Indices[len(p.Indices)-1].End()
				}
			}
			if given == inst.TypeArgs.Len() {
				return true
			}
			args := make([]string, inst.TypeArgs.Len())
			for i := range args {
				args[i] = types.TypeString(inst.TypeArgs.At(i), func(p *types.Package) string {
					if p == l.pkg {
						return ""
					}
					if e := checkImport(p.Path()); e != nil {
						err = e
					}
					imports[p.Path()] = true
					return p.Name()
				})
			}
			if given > 0 {
				inserts = append(inserts, insert{tf.Offset(at) - base, ", " + strings.Join(args[given:], ", ")})
			} else {
				inserts = append(inserts, insert{tf.Offset(at) - base, "[" + strings.Join(args, ", ") + "]"})
			}
		}
		return true
	})
	if err != nil {
		return "", err
	}
	sort.Slice(inserts, func(i, j int) bool { return inserts[i].at > inserts[j].at })
	for _, in := range inserts {
		text = append(text[:in.at], append([]byte(in.text), text[in.at:]...)...)
	}
	return prefix + string(text), nil
}

// isPkgName reports whether id names an imported package.
func isPkgName(l *loaded, id *ast.Ident) bool {
	_, ok := l.info.Uses[id].(*types.PkgName)
	return ok
}

// checkImport returns an error for a package interpreted code cannot
// import.
func checkImport(path string) error {
	if path == "unsafe" || path == "C" || strings.Contains(path, "internal") || strings.HasPrefix(path, "vendor/") {
		return fmt.Errorf("it uses package %s: patch it", path)
	}
	return nil
}

// docOf returns the doc comment of a declaration.
func docOf(d ast.Decl) *ast.CommentGroup {
	switch d := d.(type) {
	case *ast.FuncDecl:
		return d.Doc
	case *ast.GenDecl:
		return d.Doc
	}
	return nil
}

// embedFile returns the Go file that embeds the sources.
func embedFile(version string, files []string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by internal/cmd/stdsrc. DO NOT EDIT.\n\n//go:build go1.%s\n\npackage generic\n\nimport _ \"embed\"\n\n", strings.TrimPrefix(version, "go1_"))
	var entries []string
	for i, f := range files {
		fmt.Fprintf(&b, "//go:embed %s\nvar src%d string\n\n", f, i)
		entries = append(entries, fmt.Sprintf("\t%q: src%d,\n", packages[i].path, i))
	}
	b.WriteString("// Sources maps the import path of a package of the standard library to\n")
	b.WriteString("// the source of its generic functions and types, and of what they use:\n")
	b.WriteString("// the interpreter compiles it when the package is imported, with the\n")
	b.WriteString("// package's compiled names and its Natives in scope.\n")
	b.WriteString("var Sources = map[string]string{\n")
	b.WriteString(strings.Join(entries, ""))
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}
