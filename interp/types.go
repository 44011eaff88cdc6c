package interp

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"sync"
)

// Types is what a type checker of service code has read of the standard
// library's export data, made ahead of the Loader that uses it
// (Options.Types): a prepare process waiting for its work reads the
// export data of the packages the code it will check is likely to import
// (Warm), so that reading them is not on the path of a save. It is safe
// for concurrent use.
type Types struct {
	mu    sync.Mutex // guards files
	files map[string]string
	tc    *typeChecker
}

// NewTypes returns the Types of the export data files, by import path.
func NewTypes(files map[string]string) *Types {
	t := &Types{files: maps.Clone(files)}
	t.tc = newTypeChecker(t.open)
	return t
}

// open opens the export data of the package path, for the importer.
func (t *Types) open(path string) (io.ReadCloser, error) {
	t.mu.Lock()
	f, ok := t.files[path]
	t.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("no export data for %s", path)
	}
	return os.Open(f)
}

// Warm reads the export data of every package Types has files of, and
// checks the declaration of package microfn, which service code imports:
// what a type check would read first. A package that cannot be read is
// left for the type check to report.
func (t *Types) Warm() {
	t.mu.Lock()
	paths := slices.Sorted(maps.Keys(t.files))
	t.mu.Unlock()
	t.tc.mu.Lock()
	defer t.tc.mu.Unlock()
	for _, p := range paths {
		_, _ = t.tc.Import(p)
	}
	_, _ = t.tc.Import(APIPath)
}

// Use reports whether the Types can serve a type check whose export data
// files are files, and adds those it did not have: it cannot when a
// package's file is another than the one it read (another toolchain).
func (t *Types) Use(files map[string]string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for p, f := range files {
		if have, ok := t.files[p]; ok && have != f {
			return false
		}
	}
	maps.Copy(t.files, files)
	return true
}
