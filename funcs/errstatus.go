package funcs

import (
	"fmt"
	"go/ast"
	"go/token"
	"strconv"
	"strings"
)

// An ErrorStatus maps an error a service returns to the status of its
// answer: the directive's errors=ErrDeclined:402,billing.ErrGone:410.
type ErrorStatus struct {
	// Name is the error variable as written: ErrDeclined, or
	// billing.ErrGone for one of a package the file imports.
	Name string
	// Path is the import path of the package that declares it, for a
	// qualified Name; empty for one of the service's own package.
	Path string
	// Var is the variable's name in its package.
	Var string
	// Status is the status of an answer whose error matches the variable
	// (errors.Is): 400 to 599.
	Status int
	// Pos is the position of the option.
	Pos token.Position
	// Doc is the variable's doc comment, for one of the service's own
	// package.
	Doc string
}

// parseErrorStatuses parses the value of an errors= option: Name:Status
// pairs separated by commas.
func parseErrorStatuses(value string) ([]ErrorStatus, error) {
	if value == "" {
		return nil, fmt.Errorf("errors: want ErrName:status pairs separated by commas, such as errors=ErrDeclined:402,ErrNotFound:404")
	}
	var out []ErrorStatus
	seen := map[string]bool{}
	for _, pair := range strings.Split(value, ",") {
		name, code, ok := strings.Cut(pair, ":")
		if !ok {
			return nil, fmt.Errorf("errors: %q: want ErrName:status, such as ErrDeclined:402", pair)
		}
		status, err := strconv.Atoi(code)
		if err != nil || status < 400 || status > 599 {
			return nil, fmt.Errorf("errors: %q: the status must be a number from 400 to 599", pair)
		}
		qual, v, qualified := strings.Cut(name, ".")
		if !qualified {
			qual, v = "", name
		}
		if !token.IsIdentifier(v) || (qualified && !token.IsIdentifier(qual)) {
			return nil, fmt.Errorf("errors: %q: want an error variable's name, or package.Name for one of an imported package", name)
		}
		if seen[name] {
			return nil, fmt.Errorf("errors: %s is given twice", name)
		}
		seen[name] = true
		out = append(out, ErrorStatus{Name: name, Path: qual, Var: v, Status: status})
	}
	return out, nil
}

// resolveErrorStatuses sets the import path of the qualified names of
// list from the imports of the file f, reporting a name whose package the
// file does not import.
func resolveErrorStatuses(sink *errorSink, f *File, pos token.Pos, list []ErrorStatus) []ErrorStatus {
	for i := range list {
		e := &list[i]
		if e.Path == "" {
			continue
		}
		path, ok := importNamed(f.AST, e.Path)
		if !ok {
			sink.errorf(pos, "%s: errors: %s: this file imports no package named %s", Directive, e.Name, e.Path)
			return nil
		}
		e.Path = path
	}
	return list
}

// importNamed returns the import path of the package the file imports
// under name.
func importNamed(f *ast.File, name string) (string, bool) {
	for _, is := range f.Imports {
		path, err := strconv.Unquote(is.Path.Value)
		if err != nil {
			continue
		}
		local := assumedName(path)
		if is.Name != nil {
			local = is.Name.Name
		}
		if local == name {
			return path, true
		}
	}
	return "", false
}
