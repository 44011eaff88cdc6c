package server

import (
	"fmt"
	"strings"
	"sync"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/gomod"
)

// moduleSources gives the loader the source of the packages service code
// imports from the Go module the served folder is in (see package gomod).
// The module is read again when go.mod, go.sum or vendor/modules.txt
// change. It is safe for concurrent use.
type moduleSources struct {
	root   string
	limits funcs.Limits

	mu  sync.Mutex
	mod *gomod.Module // nil outside a module
	err error         // why go.mod could not be read
}

// get returns the module, nil outside one.
func (m *moduleSources) get() *gomod.Module {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mod
}

// refresh reads the module again if go.mod, go.sum or vendor/modules.txt
// changed, or appeared, and reports whether it did.
func (m *moduleSources) refresh() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mod != nil && !m.mod.Changed() {
		return false
	}
	mod, err := gomod.Find(m.root, m.limits)
	// A module found is new (its files changed, or it appeared); without
	// one, only a change between "none" and "unreadable" counts.
	changed := mod != nil || m.mod != nil || (err == nil) != (m.err == nil)
	m.mod, m.err = mod, err
	return changed
}

// ImportSource implements interp.SourceImporter.
func (m *moduleSources) ImportSource(path string) (*funcs.Package, bool, error) {
	m.mu.Lock()
	mod, err := m.mod, m.err
	m.mu.Unlock()
	if mod != nil {
		return mod.ImportSource(path)
	}
	if err != nil && strings.Contains(strings.Split(path, "/")[0], ".") {
		return nil, false, fmt.Errorf("the served module's go.mod cannot be read: %w", err)
	}
	return gomod.NoModule{}.ImportSource(path)
}
