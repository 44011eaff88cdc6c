package rewrite

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// constDecl works around the interpreter's evaluation of constant
// declarations: it does not fold comparisons and && or ||, so
//
//	const debug = mode == "dev"
//	const ok = 1 < 2 && true
//
// are false, and it rejects an implicitly repeated list of several names
// (const ( a, b = iota, iota * 10; c, d )) as "constant definition loop".
// The type checker knows every constant's value, so each value is spelled
// as a literal, typed constants as a conversion of one (T(3)), and a spec
// that repeats the previous one implicitly gets its own values:
//
//	const ( KB Size = 1 << (10 * iota); MB )  =>  const ( KB Size = Size(1024); MB = Size(1048576) )
//
// Only the values change, on their lines. A spec with a value the file
// cannot spell (a type of a package the file does not import) is left as
// written, with the specs that repeat it implicitly: they repeat its
// expression.
func (r *fileRewriter) constDecl(d *ast.GenDecl) {
	if r.info == nil || d.Tok != token.CONST {
		return
	}
	// A run is a spec with values and the specs after it that repeat
	// them implicitly: it is rewritten as a whole or not at all.
	type change struct {
		spec *ast.ValueSpec
		lits []string
	}
	var run []change
	ok := true
	flush := func() {
		if ok {
			for _, c := range run {
				text := strings.Join(c.lits, ", ")
				if len(c.spec.Values) == 0 {
					// An implicit repetition, which has no type either.
					r.insert(c.spec.Names[len(c.spec.Names)-1].End(), " = "+text)
					continue
				}
				r.replaceKeepLines(c.spec.Values[0].Pos(), c.spec.Values[len(c.spec.Values)-1].End(), text)
			}
		}
		run, ok = nil, true
	}
	for _, s := range d.Specs {
		spec := s.(*ast.ValueSpec)
		if len(spec.Values) > 0 {
			flush()
		}
		lits := make([]string, len(spec.Names))
		for i, name := range spec.Names {
			c, isConst := r.info.Defs[name].(*types.Const)
			if !isConst {
				if name.Name != "_" {
					ok = false
				}
				lits[i] = "0" // a blank name has no object; its value is never used
				continue
			}
			lit, spelled := r.constLiteral(c)
			if !spelled {
				ok = false
				continue
			}
			lits[i] = lit
		}
		run = append(run, change{spec, lits})
	}
	flush()
}

// constLiteral spells the value of the constant c: see constantLiteral.
// An untyped float that float64 cannot hold exactly is spelled as the
// quotient of integers it is, so later constant arithmetic stays exact.
func (r *fileRewriter) constLiteral(c *types.Const) (string, bool) {
	v := c.Val()
	if b, ok := c.Type().(*types.Basic); ok && b.Info()&types.IsUntyped != 0 && v.Kind() == constant.Float {
		if _, exact := constant.Float64Val(v); !exact {
			num, den := constant.Num(v), constant.Denom(v)
			if num.Kind() != constant.Int || den.Kind() != constant.Int {
				return "", false
			}
			return "(" + num.ExactString() + ".0 / " + den.ExactString() + ")", true
		}
	}
	if v.Kind() == constant.Complex {
		return r.complexLiteral(c.Type(), v)
	}
	return r.constantLiteral(types.TypeAndValue{Type: c.Type(), Value: v})
}

// complexLiteral spells the untyped complex constant v as (re + imi),
// when float64 holds both parts exactly.
func (r *fileRewriter) complexLiteral(t types.Type, v constant.Value) (string, bool) {
	re, exact := constant.Float64Val(constant.Real(v))
	im, exact2 := constant.Float64Val(constant.Imag(v))
	if !exact || !exact2 {
		return "", false
	}
	float := func(f float64) string {
		s := strconv.FormatFloat(f, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEn") {
			s += ".0"
		}
		return s
	}
	if !isUntyped(t) {
		// The interpreter fails on typed complex constants however they
		// are spelled ("value of type int64 cannot be converted to type
		// complex128"): left as written, they fail the same way.
		return "", false
	}
	return "(" + float(re) + " + " + float(im) + "i)", true
}

// constantLiteral spells the value of a constant expression: an untyped
// constant as a literal of the same kind (so it stays untyped), a typed
// one as a conversion of such a literal to its type. Negative numbers are
// parenthesized, so the text can follow any operator.
func (r *fileRewriter) constantLiteral(tv types.TypeAndValue) (string, bool) {
	b, ok := tv.Type.Underlying().(*types.Basic)
	if !ok || tv.Value == nil {
		return "", false
	}
	v := tv.Value
	var lit string
	switch v.Kind() {
	case constant.Bool:
		lit = strconv.FormatBool(constant.BoolVal(v))
	case constant.Int:
		lit = v.ExactString()
		if b.Kind() == types.UntypedRune {
			if n, exact := constant.Int64Val(v); exact && n >= 0 && n <= unicode.MaxRune && utf8.ValidRune(rune(n)) {
				lit = strconv.QuoteRune(rune(n))
			} else {
				lit = `'\x00' + ` + lit
			}
		}
		if strings.HasPrefix(lit, "-") || strings.Contains(lit, " + ") {
			lit = "(" + lit + ")"
		}
	case constant.Float:
		f, _ := constant.Float64Val(v)
		if math.IsInf(f, 0) {
			return "", false
		}
		lit = strconv.FormatFloat(f, 'g', -1, 64)
		if !strings.ContainsAny(lit, ".eE") {
			lit += ".0"
		}
		if f < 0 || strings.HasPrefix(lit, "-") {
			lit = "(" + lit + ")"
		}
	case constant.String:
		lit = strconv.Quote(constant.StringVal(v))
	default:
		return "", false
	}
	if b.Info()&types.IsUntyped != 0 {
		return lit, true
	}
	typ, ok := r.typeString(tv.Type)
	if !ok {
		return "", false
	}
	return typ + "(" + lit + ")", true
}
