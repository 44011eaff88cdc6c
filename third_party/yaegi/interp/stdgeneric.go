package interp

import (
	"path"
	"reflect"

	gen "github.com/traefik/yaegi/stdlib/generic"
)

// importStdGeneric compiles, once, the source of the generic functions and
// types of standard library package importPath (package generic's
// Sources), if it has some and the interpreter has the package's binary
// symbols (given by Use: a package the host leaves out gets no source
// either). The source is compiled in a scope holding those symbols and
// the package's Natives, so that it refers to them as the package's own;
// the result is the source package of importPath, to which selectors of
// the binary package turn for the names it lacks (slices.Sort,
// atomic.Pointer).
//
// It reports whether it compiled the source.
func (interp *Interpreter) importStdGeneric(importPath string) (bool, error) {
	src, ok := gen.Sources[importPath]
	if !ok {
		return false, nil
	}
	interp.mutex.RLock()
	bin, done := interp.binPkg[importPath], interp.srcPkg[importPath] != nil
	pkgName := interp.pkgNames[importPath]
	interp.mutex.RUnlock()
	if bin == nil || done || interp.rdir[importPath] {
		return false, nil
	}
	sc := interp.initScopePkg(importPath, pkgName)
	for _, syms := range []map[string]reflect.Value{bin, gen.Natives[importPath]} {
		for name, v := range syms {
			typ, kind := v.Type(), binSym
			if isBinType(v) {
				typ, kind = typ.Elem(), typeSym
			}
			sc.sym[name] = &symbol{kind: kind, typ: valueTOf(typ, withScope(sc)), rval: v}
		}
	}
	interp.rdir[importPath] = true
	_, err := interp.importSources(importPath, importPath, importPath, []srcFile{{path.Join(importPath, "generic.go"), src}}, true)
	return true, err
}
