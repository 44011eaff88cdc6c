package interp

import (
	"go/ast"
	"go/token"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp/internal/typesutil"
)

// Positions of load errors. Every error Load returns names a position in
// the user's files: the interpreter's positions in the generated file and
// in the proxies the rewrite appends to a file are mapped to the
// declarations they stand for, and an error the interpreter gives without
// a position (a panic while the package initialises) is placed where the
// panic happened, or at the package clause.

// userPosition maps a position the interpreter reported in the rewritten
// sources to the user's files. ok is false if filename is none of the
// package's files.
func userPosition(src *funcs.Package, files map[string][]byte, filename string, line, col int) (pos token.Position, ok bool) {
	base := path.Base(filepath.ToSlash(filename))
	if base == generatedFile {
		return generatedPosition(src, files[generatedFile], line, col), true
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

var (
	proxyHeader = regexp.MustCompile(`^(?:func|var) (\w+)`)
	typesEntry  = regexp.MustCompile(`\(\*(\w+)\)\(nil\)`)
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

// panicLine matches what the interpreter prints on its standard error for
// each function a panic goes through, innermost first.
var panicLine = regexp.MustCompile(`^(.+?):(\d+):(\d+): panic: `)

// panicRecorder remembers where the first panic the interpreter reported
// while a package loaded happened. It is safe for concurrent use.
type panicRecorder struct {
	mu    sync.Mutex
	done  bool
	first string // the line, with the user's file names
}

// line sees a line the interpreter printed on its standard error.
func (r *panicRecorder) line(s string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.done && r.first == "" && panicLine.MatchString(s) {
		r.first = s
	}
}

// stop ends the recording: the package has loaded.
func (r *panicRecorder) stop() {
	r.mu.Lock()
	r.done = true
	r.mu.Unlock()
}

// position returns where the first panic happened.
func (r *panicRecorder) position() (filename string, line, col string, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := panicLine.FindStringSubmatch(r.first)
	if m == nil {
		return "", "", "", false
	}
	return m[1], m[2], m[3], true
}
