package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/constant"
	"go/doc"
	"go/format"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/microfn/microfn/funcs"
)

// A Package describes the package of a service, for the document's tags
// and examples.
type Package struct {
	// Tag names the package's tag: its directory below the served folder
	// ("billing"), or its name for the folder itself.
	Tag string
	// Doc is the package's doc comment.
	Doc string
	// Examples are the example functions of its _test.go files, by the
	// name of the service they show (ExampleCharge shows Charge).
	Examples map[string][]Example
}

// An Example is an example function of a service, Go's way: func
// ExampleCharge() { … } with an // Output: comment.
type Example struct {
	// Name is the function's name: ExampleCharge, ExampleCharge_declined.
	Name string
	// Doc is its doc comment.
	Doc string
	// Code is its body, formatted.
	Code string
	// Output is what its // Output: comment says it prints.
	Output string
	// Args are the arguments of the first call of the service in it, by
	// parameter name, when they are written as literals; nil otherwise.
	Args map[string]any
	// Result is the result the output shows, when it reads as the
	// result's JSON (or is the text of a string result); nil otherwise.
	Result any
}

// maxTestFile bounds the _test.go files read for examples.
const maxTestFile = 1 << 20

// ReadPackage describes the package whose directory is dir, whose
// sources are files and whose services are services: its tag (the
// package's name when tag is empty), its doc comment, and the examples
// of its _test.go files (read from dir; unreadable ones are skipped).
func ReadPackage(tag, dir string, files []funcs.SourceFile, services []*funcs.Descriptor) *Package {
	p := &Package{Tag: tag, Examples: map[string][]Example{}}
	fset := token.NewFileSet()
	name := ""
	for _, f := range files {
		af, err := parser.ParseFile(fset, f.Name, f.Src, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			continue
		}
		name = af.Name.Name
		if af.Doc != nil && p.Doc == "" {
			p.Doc = strings.TrimSpace(af.Doc.Text())
		}
	}
	if p.Tag == "" {
		p.Tag = name
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return p
	}
	var tests []*ast.File
	for _, e := range entries {
		n := e.Name()
		if !strings.HasSuffix(n, "_test.go") || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") || !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err != nil || info.Size() > maxTestFile {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			continue
		}
		af, err := parser.ParseFile(fset, n, src, parser.ParseComments)
		if err != nil {
			continue
		}
		tests = append(tests, af)
	}
	byName := map[string]*funcs.Descriptor{}
	for _, d := range services {
		byName[d.Name] = d
	}
	for _, ex := range doc.Examples(tests...) {
		d := byName[ex.Name]
		if d == nil {
			continue
		}
		e := Example{Name: "Example" + ex.Name, Doc: strings.TrimSpace(ex.Doc), Output: strings.TrimSpace(ex.Output), Code: exampleCode(fset, ex.Code)}
		if ex.Suffix != "" {
			e.Name += "_" + ex.Suffix
		}
		if block, ok := ex.Code.(*ast.BlockStmt); ok {
			e.Args = callArgs(block, d, name)
		}
		e.Result = outputResult(e.Output, ex.EmptyOutput, d)
		p.Examples[d.Name] = append(p.Examples[d.Name], e)
	}
	return p
}

// exampleCode formats an example's body, without its braces.
func exampleCode(fset *token.FileSet, code ast.Node) string {
	var b bytes.Buffer
	if err := format.Node(&b, fset, code); err != nil {
		return ""
	}
	s := strings.TrimSpace(b.String())
	s = strings.TrimPrefix(s, "{")
	s = strings.TrimSuffix(s, "}")
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "\t")
	}
	return strings.Join(lines, "\n")
}

// callArgs returns the arguments of the first call of d in block, by
// parameter name, if every one is written as a literal; nil otherwise.
// pkg is the name of d's package, as an external test package calls it.
func callArgs(block *ast.BlockStmt, d *funcs.Descriptor, pkg string) map[string]any {
	var call *ast.CallExpr
	ast.Inspect(block, func(n ast.Node) bool {
		if call != nil {
			return false
		}
		c, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		switch f := c.Fun.(type) {
		case *ast.Ident:
			if f.Name == d.Name {
				call = c
			}
		case *ast.SelectorExpr:
			if x, ok := f.X.(*ast.Ident); ok && x.Name == pkg && f.Sel.Name == d.Name {
				call = c
			}
		}
		return call == nil
	})
	if call == nil || call.Ellipsis.IsValid() {
		return nil
	}
	args := call.Args
	if d.Context {
		if len(args) == 0 {
			return nil
		}
		args = args[1:]
	}
	if len(args) != len(d.Params) && !d.Variadic {
		return nil
	}
	out := map[string]any{}
	for i, p := range d.Params {
		if d.Variadic && i == len(d.Params)-1 {
			var rest []any
			for _, a := range args[i:] {
				v, ok := literal(a, p.Type.Elem)
				if !ok {
					return nil
				}
				rest = append(rest, v)
			}
			out[p.Name] = rest
			break
		}
		if i >= len(args) {
			return nil
		}
		v, ok := literal(args[i], p.Type)
		if !ok {
			return nil
		}
		out[p.Name] = v
	}
	return out
}

// literal returns the JSON value of e, a Go expression of type t written
// with literals (numbers, strings, booleans, nil, composite literals,
// the constants of t's enum, conversions), as microfn would bind it.
func literal(e ast.Expr, t *funcs.Type) (any, bool) {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return literal(x.X, t)
	case *ast.BasicLit:
		v := constant.MakeFromLiteral(x.Value, x.Kind, 0)
		switch v.Kind() {
		case constant.String:
			if t.Kind == funcs.Bytes {
				return nil, false
			}
			return constant.StringVal(v), true
		case constant.Int:
			return json.Number(v.ExactString()), true
		case constant.Float:
			f, _ := constant.Float64Val(v)
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), true
		}
	case *ast.UnaryExpr:
		switch x.Op {
		case token.SUB:
			v, ok := literal(x.X, t)
			if n, isNum := v.(json.Number); ok && isNum {
				return json.Number("-" + string(n)), true
			}
		case token.AND:
			if t.Kind == funcs.Pointer {
				return literal(x.X, t.Elem)
			}
		}
	case *ast.Ident:
		switch x.Name {
		case "true", "false":
			return x.Name == "true", true
		case "nil":
			return nil, true
		}
		return enumValue(x.Name, t)
	case *ast.SelectorExpr:
		return enumValue(x.Sel.Name, t)
	case *ast.CallExpr:
		if len(x.Args) == 1 && !x.Ellipsis.IsValid() {
			return literal(x.Args[0], t) // a conversion, such as Status("new")
		}
	case *ast.CompositeLit:
		return compositeLiteral(x, t)
	}
	return nil, false
}

// enumValue returns the value of the constant name of t's enum.
func enumValue(name string, t *funcs.Type) (any, bool) {
	if t.Kind == funcs.Pointer {
		t = t.Elem
	}
	for _, e := range t.Enum {
		if e.Name == name {
			if s, ok := e.Value.(string); ok {
				return s, true
			}
			return json.Number(fmt.Sprint(e.Value)), true
		}
	}
	return nil, false
}

// compositeLiteral returns the JSON value of a composite literal of t.
func compositeLiteral(x *ast.CompositeLit, t *funcs.Type) (any, bool) {
	if t.Kind == funcs.Pointer {
		t = t.Elem
	}
	if lit := kindSchemaOf(t.Kind).literal; lit != nil {
		return lit(x, t)
	}
	return nil, false
}

// listLiteral returns the JSON array of a slice or array literal.
func listLiteral(x *ast.CompositeLit, t *funcs.Type) (any, bool) {
	list := []any{}
	for _, el := range x.Elts {
		if _, keyed := el.(*ast.KeyValueExpr); keyed {
			return nil, false
		}
		v, ok := literal(el, t.Elem)
		if !ok {
			return nil, false
		}
		list = append(list, v)
	}
	return list, true
}

// mapLiteral returns the JSON object of a map literal.
func mapLiteral(x *ast.CompositeLit, t *funcs.Type) (any, bool) {
	m := map[string]any{}
	for _, el := range x.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			return nil, false
		}
		k, ok := literal(kv.Key, t.Key)
		if !ok {
			return nil, false
		}
		v, ok := literal(kv.Value, t.Elem)
		if !ok {
			return nil, false
		}
		m[fmt.Sprint(k)] = v
	}
	return m, true
}

// structLiteral returns the JSON object of a struct literal, keyed or
// not; one that sets an embedded field is not read.
func structLiteral(x *ast.CompositeLit, t *funcs.Type) (any, bool) {
	obj := map[string]any{}
	for i, el := range x.Elts {
		var f *funcs.Field
		val := el
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			id, ok := kv.Key.(*ast.Ident)
			if !ok {
				return nil, false
			}
			for _, c := range t.Fields {
				if c.Name == id.Name {
					f = c
				}
			}
			val = kv.Value
		} else if i < len(t.Fields) {
			f = t.Fields[i]
		}
		if f == nil || f.Embedded || f.Type == nil || f.Skip {
			if f != nil && !f.Exported {
				continue // not in the JSON
			}
			return nil, false
		}
		v, ok := literal(val, f.Type)
		if !ok {
			return nil, false
		}
		obj[f.JSONName] = v
	}
	return obj, true
}

// outputResult reads the output of an example as the result of d: the
// text of a string result, or JSON; nil when it reads as neither.
func outputResult(out string, empty bool, d *funcs.Descriptor) any {
	if len(d.Results) != 1 || (out == "" && !empty) {
		return nil
	}
	if read := kindSchemaOf(d.Results[0].Kind).output; read != nil {
		return read(out)
	}
	var v any
	if json.Unmarshal([]byte(out), &v) != nil {
		return nil
	}
	return v

}

// describeExamples adds the examples of svc to its operations: their
// code and output in the description, the arguments as examples of the
// request, the result as an example of the answer, each where its
// schema takes it.
func (g *generator) describeExamples(get, post *openapi3.Operation, svc Service) {
	if svc.Package == nil {
		return
	}
	exs := svc.Package.Examples[svc.Desc.Name]
	for _, ex := range exs {
		var b strings.Builder
		fmt.Fprintf(&b, "\n\n**%s**", ex.Name)
		if ex.Doc != "" {
			fmt.Fprintf(&b, ": %s", ex.Doc)
		}
		fmt.Fprintf(&b, "\n\n```go\n%s\n```", ex.Code)
		if ex.Output != "" {
			fmt.Fprintf(&b, "\n\nOutput:\n\n```\n%s\n```", ex.Output)
		}
		for _, op := range []*openapi3.Operation{get, post} {
			op.Description = strings.TrimSpace(op.Description + b.String())
		}
		if ex.Args != nil {
			args := jsonValue(ex.Args)
			if mt := post.RequestBody.Value.Content.Get("application/json"); mt != nil && fits(mt.Schema, args) {
				addExample(mt, ex.Name, args)
			}
			for _, p := range get.Parameters {
				v, ok := ex.Args[p.Value.Name]
				if !ok || p.Value.Schema == nil || p.Value.Example != nil {
					continue
				}
				if jv := jsonValue(v); fits(p.Value.Schema, jv) {
					p.Value.Example = jv
				}
			}
		}
		if ex.Result != nil {
			for _, op := range []*openapi3.Operation{get, post} {
				ok := op.Responses.Value(strconv.Itoa(http.StatusOK))
				if ok == nil || ok.Value == nil {
					continue
				}
				if mt := ok.Value.Content.Get("application/json"); mt != nil && fits(mt.Schema, ex.Result) {
					addExample(mt, ex.Name, ex.Result)
				}
			}
		}
	}
}

// jsonValue turns a value with json.Number members into what
// encoding/json decodes, which schemas check.
func jsonValue(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return nil
	}
	return out
}

// fits reports whether v is valid for the schema s.
func fits(s *openapi3.SchemaRef, v any) bool {
	return s != nil && s.Value != nil && s.Value.VisitJSON(v) == nil
}

// addExample adds a named example to a media type.
func addExample(mt *openapi3.MediaType, name string, v any) {
	if mt.Examples == nil {
		mt.Examples = openapi3.Examples{}
	}
	ex := openapi3.NewExample(v)
	ex.Summary = name
	mt.Examples[name] = &openapi3.ExampleRef{Value: ex}
}

// enumSchema adds a named type's enum to its schema: the values, their
// names (x-enum-varnames), and what each means.
func enumSchema(s *openapi3.Schema, t *funcs.Type) {
	if len(t.Enum) == 0 {
		return
	}
	var names []string
	var lines []string
	for _, e := range t.Enum {
		s.Enum = append(s.Enum, e.Value)
		names = append(names, e.Name)
		line := fmt.Sprintf("- `%s` (%s)", jsonText(e.Value), e.Name)
		if e.Doc != "" {
			line += ": " + strings.Join(strings.Fields(e.Doc), " ")
		}
		lines = append(lines, line)
	}
	if s.Extensions == nil {
		s.Extensions = map[string]any{}
	}
	s.Extensions["x-enum-varnames"] = names
	s.Description = joinDoc(s.Description, "One of the constants of "+t.Name+":\n\n"+strings.Join(lines, "\n"))
}

// jsonText spells a value as JSON.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// mappedErrors adds the answers of the errors svc maps to statuses
// (errors=) to its operation's responses: each status with the errors it
// answers, and their doc comments.
func (g *generator) mappedErrors(rs *openapi3.Responses, d *funcs.Descriptor) {
	byStatus := map[int][]funcs.ErrorStatus{}
	for _, e := range d.Errors {
		byStatus[e.Status] = append(byStatus[e.Status], e)
	}
	statuses := make([]int, 0, len(byStatus))
	for s := range byStatus {
		statuses = append(statuses, s)
	}
	sort.Ints(statuses)
	for _, status := range statuses {
		var parts []string
		for _, e := range byStatus[status] {
			line := fmt.Sprintf("The service returned an error that is %s (errors.Is; errors=%s:%d)", e.Name, e.Name, status)
			if e.Doc != "" {
				line += ": " + strings.Join(strings.Fields(e.Doc), " ")
			}
			parts = append(parts, line+".")
		}
		key := strconv.Itoa(status)
		if prev := rs.Value(key); prev != nil && prev.Value != nil && prev.Value.Description != nil {
			parts = append(parts, *prev.Value.Description)
		}
		desc := strings.Join(parts, "\n\n")
		rs.Set(key, &openapi3.ResponseRef{Value: &openapi3.Response{
			Description: &desc,
			Content: openapi3.Content{
				ProblemContentType: &openapi3.MediaType{Schema: openapi3.NewSchemaRef(schemaRefPrefix+problemName, g.schemas[problemName].Value)},
			},
		}})
	}
}

// tags returns the document's tags: one per package, with its doc
// comment, sorted by name.
func tags(services []Service) openapi3.Tags {
	seen := map[string]bool{}
	var out openapi3.Tags
	for _, s := range services {
		if s.Package == nil || s.Package.Tag == "" || seen[s.Package.Tag] {
			continue
		}
		seen[s.Package.Tag] = true
		out = append(out, &openapi3.Tag{Name: s.Package.Tag, Description: s.Package.Doc})
	}
	slices.SortFunc(out, func(a, b *openapi3.Tag) int { return strings.Compare(a.Name, b.Name) })
	return out
}
