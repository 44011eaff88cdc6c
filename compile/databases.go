package compile

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
)

// NoDatabaseTag is the build tag of a compiled worker whose code declares
// no database: package state is built without the database drivers
// (SQLite and PostgreSQL, with what they import), which are most of what
// such a worker would otherwise hold and never run.
const NoDatabaseTag = "microfn_nodb"

// usesDatabases reports whether the code of req may declare a database:
// a file of a package it compiles from source (the packages of req and
// those they import from source) refers to microfn.Database or
// microfn.KV, or imports microfn so that it cannot tell (a dot import,
// a file that does not parse).
func usesDatabases(req Request) bool {
	for _, p := range req.Packages {
		for _, files := range p.Prepared.Compiled {
			for _, src := range files {
				if declaresDatabase(src) {
					return true
				}
			}
		}
	}
	return false
}

// declaresDatabase reports whether the Go file src may declare a
// database: whether it refers to Database or KV of package microfn.
func declaresDatabase(src []byte) bool {
	if !bytes.Contains(src, []byte(strconv.Quote(ModulePath))) {
		return false
	}
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
	if err != nil {
		return true
	}
	names := map[string]bool{}
	for _, imp := range f.Imports {
		if path, _ := strconv.Unquote(imp.Path.Value); path != ModulePath {
			continue
		}
		switch {
		case imp.Name == nil:
			names["microfn"] = true
		case imp.Name.Name == ".":
			return true
		case imp.Name.Name != "_":
			names[imp.Name.Name] = true
		}
	}
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && names[id.Name] && (sel.Sel.Name == "Database" || sel.Sel.Name == "KV") {
				found = true
			}
		}
		return !found
	})
	return found
}
