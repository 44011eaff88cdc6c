package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"iter"
	"strings"

	"github.com/microfn/microfn/funcs"
)

// generated returns the file the rewrite adds to the package: helpers for
// min and max, a list of the package's struct types so values of them
// held in an any can be encoded, two functions over its package-level
// error variables errVars, so an error a service returns keeps its
// identity in the service that called it (see svcrt.Package.MatchErrorVars),
// and functions that call the methods of its types that encode
// themselves, marshalers (see writeMarshalers).
func generated(pkg *funcs.Package, minMax bool, errVars []string, marshalers []*funcs.Type) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n\n", pkg.Name)
	if len(errVars) > 0 {
		fmt.Fprintf(&b, "import %s \"errors\"\n\n", errorsAlias)
	}
	if minMax {
		b.WriteString(`type microfn_ordered interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr | ~float32 | ~float64 | ~string
}

func microfn_min[T microfn_ordered](x T, ys ...T) T {
	for _, y := range ys {
		if y < x {
			x = y
		}
	}
	return x
}

func microfn_max[T microfn_ordered](x T, ys ...T) T {
	for _, y := range ys {
		if y > x {
			x = y
		}
	}
	return x
}

`)
	}
	b.WriteString("// MicrofnTypes lists the package's struct types.\nvar MicrofnTypes = []any{")
	for _, name := range StructTypes(pkg) {
		fmt.Fprintf(&b, "(*%s)(nil), ", name)
	}
	b.WriteString("}\n")
	// One line per variable in each function, so a position in them maps
	// to the variable's declaration (see generatedPosition).
	fmt.Fprintf(&b, "\n// %s names the package-level error variables err matches.\nfunc %s(err error) []string {\n\tvar names []string\n", ErrorsIsFunc, ErrorsIsFunc)
	for _, name := range errVars {
		fmt.Fprintf(&b, "\tif %s.Is(err, %s) { names = append(names, %q) }\n", errorsAlias, name, name)
	}
	fmt.Fprintf(&b, "\treturn names\n}\n\n// %s returns the package-level error variable called name.\nfunc %s(name string) error {\n\tswitch name {\n", ErrorVarFunc, ErrorVarFunc)
	for _, name := range errVars {
		fmt.Fprintf(&b, "\tcase %q: return %s\n", name, name)
	}
	b.WriteString("\t}\n\treturn nil\n}\n")
	if len(marshalers) > 0 {
		writeMarshalers(&b, marshalers)
	}
	return []byte(b.String())
}

// TypesVar is the generated variable listing the package's struct types.
const TypesVar = "MicrofnTypes"

// StructTypes returns the names of pkg's package-level struct types, in
// the order of the list TypesVar (of the generated file) holds them in.
func StructTypes(pkg *funcs.Package) []string {
	var names []string
	for _, f := range pkg.Files {
		for _, d := range f.AST.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, s := range gd.Specs {
				ts := s.(*ast.TypeSpec)
				if _, ok := ts.Type.(*ast.StructType); ok && ts.TypeParams == nil && !ts.Assign.IsValid() && ts.Name.Name != "_" {
					names = append(names, ts.Name.Name)
				}
			}
		}
	}
	return names
}

// The functions of the generated file over the package-level error
// variables, and the name it imports package errors as.
const (
	ErrorsIsFunc = "MicrofnErrorsIs"
	ErrorVarFunc = "MicrofnErrorVar"
	errorsAlias  = "microfn_errors"
)

// errorVarNames returns the names of pkg's package-level variables and
// constants whose type is an error type, in source order; none without
// type information.
func errorVarNames(pkg *funcs.Package, info *types.Info) []string {
	if info == nil {
		return nil
	}
	errorType := types.Universe.Lookup("error").Type()
	var names []string
	for id := range packageValues(pkg) {
		if obj := info.Defs[id]; obj != nil && id.Name != "_" && types.AssignableTo(obj.Type(), errorType) {
			names = append(names, id.Name)
		}
	}
	return names
}

// packageValues yields the names of pkg's package-level variables and
// constants, in source order.
func packageValues(pkg *funcs.Package) iter.Seq[*ast.Ident] {
	return func(yield func(*ast.Ident) bool) {
		for _, f := range pkg.Files {
			for _, d := range f.AST.Decls {
				gd, ok := d.(*ast.GenDecl)
				if !ok || (gd.Tok != token.VAR && gd.Tok != token.CONST) {
					continue
				}
				for _, s := range gd.Specs {
					for _, id := range s.(*ast.ValueSpec).Names {
						if !yield(id) {
							return
						}
					}
				}
			}
		}
	}
}

// MarshalersVar is the generated variable listing the functions that call
// the JSON and text methods of the package's types that encode
// themselves; a package without such types has none.
const MarshalersVar = "MicrofnMarshalers"

// writeMarshalers declares MarshalersVar: for each type of marshalers, on
// a line of its own (see generatedPosition), its name and functions
// calling its MarshalJSON, MarshalText, UnmarshalJSON and UnmarshalText
// methods on a pointer to a value, nil for a method it lacks. The
// interpreter represents the type without its methods, so this is how
// the host calls them (see wire.Methods).
func writeMarshalers(b *strings.Builder, marshalers []*funcs.Type) {
	fmt.Fprintf(b, "\n// %s lists the functions that call the methods of the package's types that encode themselves.\nvar %s = []any{\n", MarshalersVar, MarshalersVar)
	for _, t := range marshalers {
		m := t.Methods
		fn := func(has bool, name string, unmarshal bool) string {
			switch {
			case !has:
				return "nil"
			case unmarshal:
				return fmt.Sprintf("func(microfn_v *%s, microfn_b []byte) error { return microfn_v.%s(microfn_b) }", t.Name, name)
			}
			return fmt.Sprintf("func(microfn_v *%s) ([]byte, error) { return microfn_v.%s() }", t.Name, name)
		}
		fmt.Fprintf(b, "\t%q, %s, %s, %s, %s,\n", t.Name,
			fn(m.MarshalJSON, "MarshalJSON", false), fn(m.MarshalText, "MarshalText", false),
			fn(m.UnmarshalJSON, "UnmarshalJSON", true), fn(m.UnmarshalText, "UnmarshalText", true))
	}
	b.WriteString("}\n")
}
