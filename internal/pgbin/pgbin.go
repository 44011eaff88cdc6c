// Package pgbin finds the PostgreSQL programs (initdb, postgres) the
// tests and the benchmark start a server of their own with.
package pgbin

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// Dir returns the folder of Debian's PostgreSQL programs, the newest
// version installed (/usr/lib/postgresql/N/bin), or "".
func Dir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	return ""
}
