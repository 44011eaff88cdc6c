package watch

import (
	"encoding/binary"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// relevantFile reports whether a file named name is one the Go toolchain
// would compile into the package: a .go file that is not a test and not
// hidden or underscore-prefixed; or go.mod or go.sum, which select the
// versions of the modules packages import; or an .sql file, a migration
// of a package's database.
func relevantFile(name string) bool {
	if name == "go.mod" || name == "go.sum" {
		return true
	}
	if strings.HasSuffix(name, ".sql") && !strings.HasPrefix(name, ".") {
		// A migration (migrations/NAME/*.sql): its package loads again.
		return true
	}
	return strings.HasSuffix(name, ".go") &&
		!strings.HasSuffix(name, "_test.go") &&
		!strings.HasPrefix(name, ".") &&
		!strings.HasPrefix(name, "_")
}

// skipDir reports whether a subdirectory named name is left out of the
// tree, as the go command leaves it out of ./... patterns.
func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") ||
		strings.HasPrefix(name, "_") ||
		name == "testdata" ||
		name == "vendor"
}

// scan is the result of reading one directory.
type scan struct {
	sig     uint64   // hash of the name, size and mtime of the relevant files
	files   int      // number of relevant files
	subdirs []string // names of the subdirectories to watch
}

// scanDir reads directory dir. Symbolic links to directories are not
// followed; a relevant file that is a symbolic link counts with the size
// and modification time of its target.
func scanDir(dir string) (scan, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return scan{}, err
	}
	var sc scan
	h := fnv.New64a()
	var buf [16]byte
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			if !skipDir(name) {
				sc.subdirs = append(sc.subdirs, name)
			}
			continue
		}
		if !relevantFile(name) {
			continue
		}
		var info fs.FileInfo
		if e.Type()&fs.ModeSymlink != 0 {
			info, err = os.Stat(filepath.Join(dir, name))
		} else {
			info, err = e.Info()
		}
		if err != nil || !info.Mode().IsRegular() {
			// Gone since ReadDir, a dangling link, or not a file.
			continue
		}
		sc.files++
		h.Write([]byte(name))
		binary.LittleEndian.PutUint64(buf[:8], uint64(info.Size()))
		binary.LittleEndian.PutUint64(buf[8:], uint64(info.ModTime().UnixNano()))
		// The NUL ends the name: names cannot contain one.
		h.Write([]byte{0})
		h.Write(buf[:])
	}
	sc.sig = h.Sum64()
	return sc, nil
}
