package svcrt

import (
	"errors"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Error identity across calls. A service that returns a package-level
// error variable (var ErrNotFound = errors.New("not found")), a constant
// of an error type, or a standard library one (io.EOF), or an error that
// wraps them, is matched here against each of them with errors.Is. The
// names of those that match travel with the error to the caller, which
// wraps its own values of the same names: errors.Is(err, ErrNotFound)
// holds in the caller although the error crossed processes.

// errorFuncs are the generated functions over the error variables of
// one package of those an interpreter loaded.
type errorFuncs struct {
	qualifier string        // the package's import path, or name
	is        reflect.Value // func(error) []string
	get       reflect.Value // func(string) error
}

// MatchErrorVars returns the error variables err matches with errors.Is,
// by qualified name (see [Package.QualifiedName]): the package-level
// variables and constants of an error type of the package and of the
// packages it imports from source, then the standard library's exported
// error variables. The package's own are matched in the interpreter, with
// the package's notion of equality.
func (p *Package) MatchErrorVars(err error) (names []string) {
	if err == nil {
		return nil
	}
	for _, f := range p.errorFuncs {
		names = append(names, f.match(err)...)
	}
	return append(names, p.std.match(err)...)
}

// match runs the generated function that matches err against the
// package's error variables.
func (f errorFuncs) match(err error) (names []string) {
	defer func() {
		if recover() != nil { // the package was closed meanwhile
			names = nil
		}
	}()
	out := f.is.Call([]reflect.Value{reflect.ValueOf(&err).Elem()})
	local, _ := out[0].Interface().([]string)
	for _, n := range local {
		names = append(names, f.qualifier+"."+n)
	}
	return names
}

// ErrorVar returns the value of the error variable of the qualified name,
// as [Package.MatchErrorVars] names it: this loaded version's own, that
// of a package it imports from source, or the standard library's.
func (p *Package) ErrorVar(name string) (err error, ok bool) {
	if err, ok := p.std.value(name); ok {
		return err, true
	}
	for _, f := range p.errorFuncs {
		local, ok := strings.CutPrefix(name, f.qualifier+".")
		if ok && local != "" && !strings.Contains(local, ".") {
			return f.get1(local)
		}
	}
	return nil, false
}

// get1 runs the generated function that returns the variable name.
func (f errorFuncs) get1(name string) (err error, ok bool) {
	defer func() {
		if recover() != nil {
			err, ok = nil, false
		}
	}()
	out := f.get.Call([]reflect.Value{reflect.ValueOf(name)})
	if out[0].IsNil() {
		return nil, false
	}
	err, ok = out[0].Interface().(error)
	return err, ok
}

// ErrorVars returns the values of the error variables of the qualified
// names that [Package.ErrorVar] knows, skipping the others.
func (p *Package) ErrorVars(names []string) []error {
	var errs []error
	for _, n := range names {
		if err, ok := p.ErrorVar(n); ok {
			errs = append(errs, err)
		}
	}
	return errs
}

// ImportPath returns the package's import path: its path in its module,
// or a path of microfn's own outside a module.
func (p *Package) ImportPath() string { return p.importPath }

// QualifiedName returns the name of the package-level identifier name
// qualified by the package: its import path (or its name when the path is
// unknown), a dot, and name.
func (p *Package) QualifiedName(name string) string {
	return p.qualifier + "." + name
}

// StdErrors are the standard library's exported variables of type error
// (see [NewStdErrors] and [LazyStdErrors]). A nil *StdErrors has none.
type StdErrors struct {
	once    sync.Once
	load    func() map[string]error // nil once loaded
	names   []string                // sorted
	values  map[string]error        // by import path, dot, name
	byValue map[error][]string      // the names of each value, sorted
}

// loaded makes sure the table is filled (see [LazyStdErrors]).
func (std *StdErrors) loaded() {
	std.once.Do(func() {
		if std.load != nil {
			std.fill(std.load())
			std.load = nil
		}
	})
}

// value returns the variable of the qualified name.
func (std *StdErrors) value(name string) (error, bool) {
	if std == nil {
		return nil, false
	}
	std.loaded()
	err, ok := std.values[name]
	return err, ok
}

// match returns the names of the variables err matches with errors.Is.
// An error is matched by walking its tree once and looking each error up
// by value, which is what errors.Is does for errors without an Is method;
// a tree with one (or an error that cannot be a map key) is matched with
// errors.Is against every variable.
func (std *StdErrors) match(err error) []string {
	if std == nil {
		return nil
	}
	std.loaded()
	var found []error
	byValue := true
	var walk func(e error)
	walk = func(e error) {
		if e == nil || !byValue {
			return
		}
		if _, ok := e.(interface{ Is(error) bool }); ok || !reflect.TypeOf(e).Comparable() {
			byValue = false
			return
		}
		if _, ok := std.byValue[e]; ok && !slices.Contains(found, e) {
			found = append(found, e)
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	var names []string
	if !byValue {
		for _, n := range std.names {
			if errors.Is(err, std.values[n]) {
				names = append(names, n)
			}
		}
		return names
	}
	for _, e := range found {
		names = append(names, std.byValue[e]...)
	}
	slices.Sort(names)
	return names
}

// NewStdErrors returns the table of the standard library's exported error
// variables, by import path, dot, name ("io.EOF"). Service code cannot
// assign them (see the sandbox), so their values are the same in every
// process.
func NewStdErrors(vars map[string]error) *StdErrors {
	std := &StdErrors{}
	std.once.Do(func() { std.fill(vars) })
	return std
}

// LazyStdErrors is [NewStdErrors] of the variables load returns, called
// when the table is first used: reading them may be costly (the
// interpreter builds the symbol tables of the whole standard library for
// them), and a process whose services return no error never needs them.
func LazyStdErrors(load func() map[string]error) *StdErrors {
	return &StdErrors{load: load}
}

// fill fills the table with vars.
func (std *StdErrors) fill(vars map[string]error) {
	std.values = map[string]error{}
	for q, v := range vars {
		if v == nil {
			continue
		}
		std.names = append(std.names, q)
		std.values[q] = v
	}
	sort.Strings(std.names)
	std.byValue = map[error][]string{}
	for _, n := range std.names {
		v := std.values[n]
		if reflect.TypeOf(v).Comparable() {
			std.byValue[v] = append(std.byValue[v], n)
		}
	}
}

// Names returns the qualified names of the variables, sorted.
func (std *StdErrors) Names() []string {
	if std == nil {
		return nil
	}
	std.loaded()
	return append([]string(nil), std.names...)
}
