package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"

	"github.com/microfn/microfn/funcs"
)

// Writes into arguments.
//
// Go passes maps, slices and pointers by reference: a function that sets
// a map entry of its argument changes its caller's map. A call of a
// service from service code goes through the service's proxy, and its
// arguments cross it as JSON: the service gets a copy, and what it writes
// into it never reaches the caller, where plain Go (and `go test`) would
// have changed the caller's values. Nothing fails at the call; the
// caller finds its map unchanged later (a nil map where it expected a
// row, "assignment to entry in nil map"). The pass below finds, with the
// type information of the check, the writes a service makes into the
// memory of its caller through a parameter, when service code calls the
// service through its proxy, and warns at each: the code loads.

// argWritePkg is a package the pass reads, with its type information.
type argWritePkg struct {
	pkg  *funcs.Package
	info *types.Info
}

// argWriteWarnings returns a warning at each write into its caller's
// memory of a service of main or of deps that code of main calls through
// its proxy (or code of a library of deps, a package without services,
// which is loaded with each package that imports it). The packages must
// have complete type information.
func argWriteWarnings(main argWritePkg, deps []argWritePkg) funcs.ErrorList {
	all := append([]argWritePkg{main}, deps...)
	services := map[*types.Func]serviceDecl{}
	for _, p := range all {
		for _, d := range p.pkg.Services {
			if fn, ok := p.info.Defs[d.Decl.Name].(*types.Func); ok {
				services[fn] = serviceDecl{d: d, p: p}
			}
		}
	}
	uses := map[*types.Func][]serviceUse{}
	for _, p := range all {
		if p.pkg != main.pkg && len(p.pkg.Services) > 0 {
			continue // a served package of its own: its load warns
		}
		for fn, us := range proxyUses(p, services) {
			uses[fn] = append(uses[fn], us...)
		}
	}
	var list funcs.ErrorList
	w := newWriteFinder(all, services)
	for fn, us := range uses {
		sd := services[fn]
		sort.Slice(us, func(i, j int) bool { return posLess(us[i].pos, us[j].pos) })
		callers := describeUses(us)
		for _, aw := range w.summary(fn) {
			list = append(list, &funcs.SourceError{Pos: aw.pos, Msg: fmt.Sprintf(
				"%s %s, but %s: arguments cross a call between services as JSON, so %s changes a copy and the caller never sees it (return the new value, and have the caller keep it)",
				sd.d.Name, aw.what, callers, sd.d.Name)})
		}
	}
	list.Sort()
	return list
}

// serviceDecl is a service and the package that declares it.
type serviceDecl struct {
	d *funcs.Descriptor
	p argWritePkg
}

// serviceUse is a use of a service's proxy: by the function caller, at
// pos.
type serviceUse struct {
	caller string
	self   bool // the service's own body
	pos    token.Position
}

// proxyUses returns the uses, in the code of p, of the services.
func proxyUses(p argWritePkg, services map[*types.Func]serviceDecl) map[*types.Func][]serviceUse {
	out := map[*types.Func][]serviceUse{}
	for _, f := range p.pkg.Files {
		for _, decl := range f.AST.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			caller := fd.Name.Name
			if fd.Recv != nil && len(fd.Recv.List) == 1 {
				caller = types.ExprString(fd.Recv.List[0].Type) + "." + caller
			}
			self, _ := p.info.Defs[fd.Name].(*types.Func)
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				id, ok := n.(*ast.Ident)
				if !ok {
					return true
				}
				fn, ok := p.info.Uses[id].(*types.Func)
				if _, served := services[fn]; !ok || !served {
					return true
				}
				out[fn] = append(out[fn], serviceUse{caller: caller, self: fn == self && fd.Recv == nil, pos: p.pkg.Fset.Position(id.Pos())})
				return true
			})
		}
	}
	return out
}

// describeUses says who calls a service, for the warnings.
func describeUses(us []serviceUse) string {
	u := us[0]
	where := fmt.Sprintf("%s:%d:%d", filepath.Base(u.pos.Filename), u.pos.Line, u.pos.Column)
	s := fmt.Sprintf("%s calls it through its proxy (%s)", u.caller, where)
	if u.self {
		s = fmt.Sprintf("it calls itself through its proxy (%s)", where)
	}
	switch n := len(us) - 1; {
	case n == 1:
		s += ", and so does 1 other place"
	case n > 1:
		s += fmt.Sprintf(", and so do %d other places", n)
	}
	return s
}

func posLess(a, b token.Position) bool {
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Column < b.Column
}
