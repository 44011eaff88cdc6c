package rewrite

import (
	"bytes"
	"go/ast"
	"go/token"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp/internal/typesutil"
)

// UserPosition maps a position the interpreter reported in the rewritten
// sources of src (by file name, as ForInterpreter returns them) to
// the user's files. ok is false if filename is none of the package's
// files.
//
// The rewrite keeps every line of user code on its line, so a position
// in a user's file stays where it is (but for the columns after the
// import it inserts on the package clause's line); positions in the
// generated file and in the proxies the rewrite appends to a file map to
// the declarations they stand for.
func UserPosition(src *funcs.Package, files map[string][]byte, filename string, line, col int) (pos token.Position, ok bool) {
	base := path.Base(filepath.ToSlash(filename))
	if base == GeneratedFile {
		return generatedPosition(src, files[GeneratedFile], line, col), true
	}
	for _, f := range src.Files {
		if f.Name != base {
			continue
		}
		if n := strings.Count(string(f.Src), "\n") + 1; line > n {
			// A line the rewrite appended: a proxy of a service.
			return proxyPosition(src, f, files[f.Name], line), true
		}
		pos = token.Position{Filename: f.Path, Line: line, Column: userColumn(src, files, filename, line, col)}
		return pos, true
	}
	return token.Position{}, false
}

// What UserPosition reads of the lines the rewrite wrote.
var (
	// proxyHeader matches the first line of a proxy.
	proxyHeader = regexp.MustCompile(`^(?:func|var) (\w+)`)
	// typesEntry matches an entry of the list of struct types.
	typesEntry = regexp.MustCompile(`\(\*(\w+)\)\(nil\)`)
	// errorEntry matches the line of an error variable in the generated
	// functions over them.
	errorEntry = regexp.MustCompile(`^\t(?:if ` + errorsAlias + `\.Is\(err, (\w+)\)|case "(\w+)":)`)
	// marshalerEntry matches the line of a type in the list of the
	// functions that call its methods.
	marshalerEntry = regexp.MustCompile(`^\t"(\w+)", (?:func|nil)`)
)

// proxyPosition returns the position of the service whose proxy is on
// line of the rewritten file f.
func proxyPosition(src *funcs.Package, f *funcs.File, rewritten []byte, line int) token.Position {
	lines := strings.Split(string(rewritten), "\n")
	for l := min(line, len(lines)) - 1; l >= 0; l-- {
		if m := proxyHeader.FindStringSubmatch(lines[l]); m != nil {
			for _, d := range src.Services {
				if d.Name == m[1] {
					return d.Pos
				}
			}
		}
	}
	for _, d := range src.Services {
		if d.File == f {
			return d.Pos
		}
	}
	return typesutil.PackagePosition(src)
}

// generatedPosition returns the position of the declaration the line and
// column of the generated file stand for: a struct type in the list of
// the package's struct types, an error variable in the functions over
// them, a type in the functions calling its JSON and text methods, the
// first call of min or max for their helpers.
func generatedPosition(src *funcs.Package, generated []byte, line, col int) token.Position {
	lines := strings.Split(string(generated), "\n")
	if line < 1 || line > len(lines) {
		return typesutil.PackagePosition(src)
	}
	text := lines[line-1]
	if strings.HasPrefix(text, "var "+TypesVar) {
		// (*T)(nil), … : the entry the column is in (or before), else the
		// first.
		entries := typesEntry.FindAllStringSubmatchIndex(text, -1)
		for _, e := range entries {
			if col-1 < e[1] {
				if p, ok := typePosition(src, text[e[2]:e[3]]); ok {
					return p
				}
				break
			}
		}
		if len(entries) > 0 {
			if p, ok := typePosition(src, text[entries[0][2]:entries[0][3]]); ok {
				return p
			}
		}
		return typesutil.PackagePosition(src)
	}
	if m := marshalerEntry.FindStringSubmatch(text); m != nil {
		if p, ok := typePosition(src, m[1]); ok {
			return p
		}
		return typesutil.PackagePosition(src)
	}
	if m := errorEntry.FindStringSubmatch(text); m != nil {
		if p, ok := varPosition(src, m[1]+m[2]); ok {
			return p
		}
		return typesutil.PackagePosition(src)
	}
	for _, f := range src.Files {
		var found token.Position
		ast.Inspect(f.AST, func(n ast.Node) bool {
			if found.IsValid() {
				return false
			}
			if call, ok := n.(*ast.CallExpr); ok {
				if id, ok := call.Fun.(*ast.Ident); ok && (id.Name == "min" || id.Name == "max") {
					found = src.Fset.Position(call.Pos())
				}
			}
			return true
		})
		if found.IsValid() {
			return found
		}
	}
	return typesutil.PackagePosition(src)
}

// varPosition returns the position of the package-level variable or
// constant name.
func varPosition(src *funcs.Package, name string) (token.Position, bool) {
	for id := range packageValues(src) {
		if id.Name == name {
			return src.Fset.Position(id.Pos()), true
		}
	}
	return token.Position{}, false
}

// typePosition returns the position of the package-level type name.
func typePosition(src *funcs.Package, name string) (token.Position, bool) {
	for _, f := range src.Files {
		for _, d := range f.AST.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, s := range gd.Specs {
				if ts := s.(*ast.TypeSpec); ts.Name.Name == name {
					return src.Fset.Position(ts.Name.Pos()), true
				}
			}
		}
	}
	return token.Position{}, false
}

// userColumn maps a column the interpreter reported in the rewritten file
// to the user's: on the package clause's line, the rewrite inserted the
// import of the proxy runtime.
func userColumn(src *funcs.Package, files map[string][]byte, filename string, line, col int) int {
	for _, f := range src.Files {
		if f.Name != path.Base(filepath.ToSlash(filename)) {
			continue
		}
		p := src.Fset.Position(f.AST.Name.End())
		if line != p.Line || col <= p.Column || !bytes.HasPrefix(files[f.Name][p.Offset:], []byte(proxyImport)) {
			return col
		}
		return max(p.Column, col-len(proxyImport))
	}
	return col
}
