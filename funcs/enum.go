package funcs

import (
	"go/ast"
	"go/constant"
	"go/token"
	"strings"
)

// An EnumValue is one constant declared with a named type of the package
// (const Pending Status = "pending"): the values a client may pick from.
type EnumValue struct {
	// Name is the constant's name.
	Name string
	// Value is the constant's value: a string, or an integer as int64
	// (uint64 past the range of int64).
	Value any
	// Doc is the constant's doc or line comment.
	Doc string
}

// enumState is what addConsts keeps across the specs of one const
// declaration: the type and values that implicit repetition reuses.
type enumState struct {
	typ    ast.Expr
	values []ast.Expr
}

// addConsts records the constants of one const declaration, evaluated
// where they are spelled with literals, iota, other constants of the
// package and the operators of constant expressions; a constant of a
// named type of the package is a value of that type's enum.
func (r *resolver) addConsts(d *ast.GenDecl) {
	var st enumState
	for iota, spec := range d.Specs {
		vs, ok := spec.(*ast.ValueSpec)
		if !ok {
			continue
		}
		if vs.Type != nil || len(vs.Values) > 0 {
			st = enumState{typ: vs.Type, values: vs.Values}
		}
		for i, name := range vs.Names {
			if i >= len(st.values) || name.Name == "_" {
				continue
			}
			v, typ := r.evalConst(st.values[i], iota)
			if v == nil {
				continue
			}
			if st.typ != nil {
				typ = typeName(st.typ)
			}
			r.constVals[name.Name] = typedConst{v, typ}
			if typ == "" {
				continue
			}
			doc := ""
			switch {
			case vs.Doc != nil:
				doc = vs.Doc.Text()
			case vs.Comment != nil:
				doc = vs.Comment.Text()
			case len(d.Specs) == 1 && d.Doc != nil:
				doc = d.Doc.Text()
			}
			ev := EnumValue{Name: name.Name, Doc: strings.TrimSpace(doc)}
			switch v.Kind() {
			case constant.String:
				ev.Value = constant.StringVal(v)
			case constant.Int:
				if n, exact := constant.Int64Val(v); exact {
					ev.Value = n
				} else if u, exact := constant.Uint64Val(v); exact {
					ev.Value = u
				} else {
					continue
				}
			default:
				continue
			}
			r.enums[typ] = append(r.enums[typ], ev)
		}
	}
}

// A typedConst is an evaluated constant and the name of its type, if it
// is one of the package's named types.
type typedConst struct {
	v   constant.Value
	typ string
}

// typeName returns the name of the type expression e when it names a
// type of the package, else "".
func typeName(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// evalConst evaluates a constant expression at position iota of its
// declaration, and says which named type of the package it has (from a
// conversion, or the constants it is made of); nil when it cannot.
func (r *resolver) evalConst(e ast.Expr, iota int) (constant.Value, string) {
	switch x := e.(type) {
	case *ast.BasicLit:
		return constant.MakeFromLiteral(x.Value, x.Kind, 0), ""
	case *ast.ParenExpr:
		return r.evalConst(x.X, iota)
	case *ast.Ident:
		switch x.Name {
		case "iota":
			return constant.MakeInt64(int64(iota)), ""
		case "true", "false":
			return constant.MakeBool(x.Name == "true"), ""
		}
		if c, ok := r.constVals[x.Name]; ok {
			return c.v, c.typ
		}
	case *ast.UnaryExpr:
		v, typ := r.evalConst(x.X, iota)
		if v == nil || v.Kind() == constant.Unknown {
			return nil, ""
		}
		if unaryOperable(x.Op, v) {
			return constant.UnaryOp(x.Op, v, 0), typ
		}
	case *ast.BinaryExpr:
		a, ta := r.evalConst(x.X, iota)
		b, tb := r.evalConst(x.Y, iota)
		if a == nil || b == nil {
			return nil, ""
		}
		typ := ta
		if typ == "" {
			typ = tb
		}
		if x.Op == token.SHL || x.Op == token.SHR {
			// An untyped constant shifted is an integer (1.0 << 3).
			a, b = constant.ToInt(a), constant.ToInt(b)
		}
		if !binaryOperable(x.Op, a, b) {
			// Not a valid constant expression (0 % "", "a" << 1): the
			// type checker reports it; go/constant would panic.
			return nil, ""
		}
		switch x.Op {
		case token.SHL, token.SHR:
			s, ok := constant.Uint64Val(b)
			if !ok || s > 1024 {
				return nil, ""
			}
			return constant.Shift(a, x.Op, uint(s)), ta
		case token.ADD, token.SUB, token.MUL, token.AND, token.OR, token.XOR, token.AND_NOT, token.REM:
			if x.Op == token.REM && constant.Sign(b) == 0 {
				return nil, ""
			}
			return constant.BinaryOp(a, x.Op, b), typ
		case token.QUO:
			if constant.Sign(b) == 0 {
				return nil, ""
			}
			if a.Kind() == constant.Int && b.Kind() == constant.Int {
				return constant.BinaryOp(a, token.QUO_ASSIGN, b), typ // integer division
			}
			return constant.BinaryOp(a, x.Op, b), typ
		}
	case *ast.CallExpr:
		// A conversion to a type of the package: Status("x"), Level(2).
		if len(x.Args) == 1 {
			if name := typeName(x.Fun); name != "" {
				if _, isType := r.decls[name]; isType {
					v, _ := r.evalConst(x.Args[0], iota)
					return v, name
				}
			}
		}
	}
	return nil, ""
}

// unaryOperable reports whether op applies to the constant v: - and +
// to a number, ^ to an integer, ! to a boolean.
func unaryOperable(op token.Token, v constant.Value) bool {
	switch op {
	case token.SUB, token.ADD:
		return isNumeric(v.Kind())
	case token.XOR:
		return v.Kind() == constant.Int
	case token.NOT:
		return v.Kind() == constant.Bool
	}
	return false
}

// binaryOperable reports whether op applies to the constants a and b as
// go/constant computes it: + to two strings, the bit operators, % and
// shifts to integers, the other arithmetic to numbers.
func binaryOperable(op token.Token, a, b constant.Value) bool {
	ka, kb := a.Kind(), b.Kind()
	switch op {
	case token.ADD:
		return ka == constant.String && kb == constant.String || isNumeric(ka) && isNumeric(kb)
	case token.SUB, token.MUL, token.QUO:
		return isNumeric(ka) && isNumeric(kb)
	case token.REM, token.AND, token.OR, token.XOR, token.AND_NOT, token.SHL, token.SHR:
		return ka == constant.Int && kb == constant.Int
	}
	return false
}

// isNumeric reports whether k is the kind of a numeric constant.
func isNumeric(k constant.Kind) bool {
	return k == constant.Int || k == constant.Float || k == constant.Complex
}

// enumOf returns the enum of the named type name, with a kind that fits
// the values (a string type's strings, an integer type's integers).
func (r *resolver) enumOf(name string, k Kind) []EnumValue {
	var out []EnumValue
	for _, ev := range r.enums[name] {
		switch ev.Value.(type) {
		case string:
			if k != String {
				continue
			}
		default:
			if !k.IsInteger() {
				continue
			}
		}
		out = append(out, ev)
	}
	return out
}

// varDoc records the doc comments of package-level variables, which
// errors= shows for the errors it maps.
func (r *resolver) addVarDocs(d *ast.GenDecl) {
	for _, spec := range d.Specs {
		vs, ok := spec.(*ast.ValueSpec)
		if !ok {
			continue
		}
		doc := vs.Doc
		if doc == nil && len(d.Specs) == 1 {
			doc = d.Doc
		}
		if doc == nil {
			doc = vs.Comment
		}
		if doc == nil {
			continue
		}
		for _, n := range vs.Names {
			r.varDocs[n.Name] = strings.TrimSpace(doc.Text())
		}
	}
}
