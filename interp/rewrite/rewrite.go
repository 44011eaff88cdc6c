package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"github.com/microfn/microfn/funcs"
)

// ImplPrefix starts the name a service's implementation gets in the
// rewritten source; the service's own name goes to its proxy.
const ImplPrefix = "MicrofnImpl_"

// ProxyPath is the import path of the host functions the generated
// proxies call. It exists only inside the interpreter.
const ProxyPath = "microfn/internal/proxyrt"

// ProxyName is the name the rewritten files give the proxy package.
const ProxyName = "microfnrt"

// proxyImport is inserted after the package clause of files that use the
// proxy runtime: on the same line, so no line moves.
const proxyImport = "; import " + ProxyName + ` "` + ProxyPath + `"`

// compiledImport is proxyImport for compiled code: the real runtime
// package.
const compiledImport = "; import " + ProxyName + ` "` + svcrtPath + `"`

// svcrtPath is the import path of package svcrt, which compiled code
// calls.
const svcrtPath = "github.com/microfn/microfn/svcrt"

// GeneratedFile is the name of the file the rewrite adds to the package.
const GeneratedFile = "microfn_generated.go"

// ForInterpreter returns the rewritten sources of pkg by file name, and the
// generated file.
//
// The proxies of its services call the runtime with their index in the
// package plus first: the runtime numbers the services of the prepared
// package and of the packages it imports from source in one sequence.
func ForInterpreter(pkg *funcs.Package, info *types.Info, first int) (map[string][]byte, error) {
	out := map[string][]byte{}
	var errs funcs.ErrorList
	minMax := false
	services := servicesByFile(pkg)
	for _, f := range pkg.Files {
		r := &fileRewriter{pkg: pkg, file: f, info: info, fset: pkg.Fset}
		var proxies strings.Builder
		for _, i := range services[f] {
			d := pkg.Services[i]
			r.replace(d.Decl.Name.Pos(), d.Decl.Name.End(), ImplPrefix+d.Name)
			r.writeProxy(&proxies, first+i, d)
			r.needsRT = true
		}
		r.recursiveTypes()
		ast.Inspect(f.AST, r.visit)
		errs = append(errs, r.errs...)
		if r.needsRT {
			r.insert(f.AST.Name.End(), proxyImport)
		}
		out[f.Name] = withProxies(r.apply(), proxies.String())
		minMax = minMax || r.usesMinMax
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	out[GeneratedFile] = generated(pkg, minMax, errorVarNames(pkg, info), pkg.MarshalerTypes())
	return out, nil
}

// ForCompiler returns the sources of pkg, whose import path is path,
// rewritten for the Go compiler, by file name, with the generated file.
// The compiler needs none of the interpreter's workarounds; what stays is
// what makes services services: each service's implementation is renamed
// and a proxy takes its name, calling svcrt.CallService with the
// package's import path and the service's index in it, and go statements
// carry the call chain into their goroutines. Lines stay where they are,
// so the compiler's errors point at the user's lines.
func ForCompiler(pkg *funcs.Package, path string, info *types.Info) (map[string][]byte, error) {
	out := map[string][]byte{}
	var errs funcs.ErrorList
	services := servicesByFile(pkg)
	for _, f := range pkg.Files {
		r := &fileRewriter{pkg: pkg, file: f, info: info, fset: pkg.Fset, compiled: true}
		var proxies strings.Builder
		for _, i := range services[f] {
			d := pkg.Services[i]
			r.replace(d.Decl.Name.Pos(), d.Decl.Name.End(), ImplPrefix+d.Name)
			r.writeCompiledProxy(&proxies, path, i, d)
			r.needsRT = true
		}
		ast.Inspect(f.AST, func(n ast.Node) bool {
			if g, ok := n.(*ast.GoStmt); ok {
				r.goStmt(g)
			}
			if n == nil {
				r.stack = r.stack[:len(r.stack)-1]
			} else {
				r.stack = append(r.stack, n)
			}
			return true
		})
		errs = append(errs, r.errs...)
		if r.needsRT {
			r.insert(f.AST.Name.End(), compiledImport)
		}
		out[f.Name] = withProxies(r.apply(), proxies.String())
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	out[GeneratedFile] = generated(pkg, false, errorVarNames(pkg, info), pkg.MarshalerTypes())
	return out, nil
}

// fileRewriter collects the edits of one file.
type fileRewriter struct {
	pkg   *funcs.Package
	file  *funcs.File
	info  *types.Info // nil when types are unknown
	fset  *token.FileSet
	edits []edit
	// needsRT reports that the file calls the proxy runtime.
	needsRT bool
	// usesMinMax reports calls of the generic min/max helpers.
	usesMinMax bool
	errs       funcs.ErrorList
	// seq numbers the temporaries of the file.
	seq int
	// stack holds the nodes enclosing the one visited.
	stack []ast.Node
	// compiled rewrites for the compiler, not the interpreter: the
	// proxies and go statements only (see ForCompiler).
	compiled bool
}

// errorf reports an error at p: a construct the rewrite refuses.
func (r *fileRewriter) errorf(p token.Pos, format string, args ...any) {
	r.errs = append(r.errs, &funcs.SourceError{Pos: r.fset.Position(p), Msg: fmt.Sprintf(format, args...)})
}

// text returns the source of n as written.
func (r *fileRewriter) text(n ast.Node) string {
	return string(r.file.Src[r.off(n.Pos()):r.off(n.End())])
}

// temp returns the name of a new temporary of the file.
func (r *fileRewriter) temp() string {
	r.seq++
	return "__mf" + strconv.Itoa(r.seq)
}

// servicesByFile returns the indexes in pkg.Services of the services each
// file declares.
func servicesByFile(pkg *funcs.Package) map[*funcs.File][]int {
	services := map[*funcs.File][]int{}
	for i, d := range pkg.Services {
		services[d.File] = append(services[d.File], i)
	}
	return services
}

// withProxies appends the proxies, if any, to the rewritten source src.
func withProxies(src []byte, proxies string) []byte {
	if proxies == "" {
		return src
	}
	src = append(src, "\n\n// Proxies generated by microfn.\n"...)
	return append(src, proxies...)
}

// visit rewrites the constructs the interpreter mishandles: each case
// is a rewrite of its own file, named after the construct.
func (r *fileRewriter) visit(n ast.Node) bool {
	if n == nil {
		r.stack = r.stack[:len(r.stack)-1]
		return true
	}
	switch n := n.(type) {
	case *ast.GoStmt:
		r.goStmt(n)
	case *ast.RangeStmt:
		r.rangeStmt(n)
	case *ast.CallExpr:
		r.builtinCall(n)
	case *ast.SelectorExpr:
		r.methodExpr(n)
		r.reflectMethods(n)
	case *ast.GenDecl:
		r.constDecl(n)
	case *ast.CommClause:
		r.commClause(n)
	case *ast.AssignStmt:
		r.mapMultiAssign(n)
	case *ast.Ident:
		r.genericInstance(n)
		r.reflectInstance(n)
	}
	r.stack = append(r.stack, n)
	return true
}

// isBuiltin reports whether id refers to the predeclared function name.
func (r *fileRewriter) isBuiltin(id *ast.Ident, name string) bool {
	if id.Name != name {
		return false
	}
	if r.info != nil {
		if obj, ok := r.info.Uses[id]; ok {
			_, builtin := obj.(*types.Builtin)
			return builtin
		}
	}
	return true
}

// copyable reports whether the expression e may be written again on one
// line in front of the statement it is in: it spans one line and holds
// nothing another rewrite changes (function literals, min, max, clear).
func (r *fileRewriter) copyable(e ast.Expr) bool {
	if strings.Contains(r.text(e), "\n") {
		return false
	}
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			ok = false
		case *ast.Ident:
			if r.isBuiltin(x, "min") || r.isBuiltin(x, "max") || r.isBuiltin(x, "clear") {
				ok = false
			}
		}
		return ok
	})
	return ok
}

// nonBlank returns names without the blank ones.
func nonBlank(names []string) []string {
	var out []string
	for _, n := range names {
		if n != "_" {
			out = append(out, n)
		}
	}
	return out
}
