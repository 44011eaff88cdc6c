package compile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/mod/modfile"
)

// ModulePath is the module path of microfn, which compiled workers
// import.
const ModulePath = "github.com/microfn/microfn"

// EnvSource names microfn's source tree for builds, when the executable
// does not know where it was built from.
const EnvSource = "MICROFN_SOURCE"

// SourceDir returns the directory of microfn's source tree (its go.mod),
// which builds of compiled workers need: $MICROFN_SOURCE, else the
// directory this executable was built from, if it is still there.
func SourceDir() (string, error) {
	if d := os.Getenv(EnvSource); d != "" {
		return checkSource(d)
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return "", fmt.Errorf("microfn does not know where its source is: set %s to a clone of it", EnvSource)
	}
	return checkSource(filepath.Dir(filepath.Dir(file)))
}

// checkSource checks that dir is microfn's source tree.
func checkSource(dir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("microfn's source tree is not at %s (%s): %w", dir, EnvSource, err)
	}
	if p := modfile.ModulePath(data); p != ModulePath {
		return "", fmt.Errorf("%s is the source of %s, not of %s (%s)", dir, p, ModulePath, EnvSource)
	}
	if _, err := os.Stat(filepath.Join(dir, "worker")); err != nil {
		return "", errors.New("microfn's source tree at " + dir + " has no worker package")
	}
	return dir, nil
}

// sameLines returns a followed by the lines of b that a lacks.
func sameLines(a, b []byte) []byte {
	have := map[string]bool{}
	for _, l := range bytes.Split(a, []byte("\n")) {
		have[string(l)] = true
	}
	out := append([]byte(nil), a...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	for _, l := range bytes.Split(b, []byte("\n")) {
		if len(l) > 0 && !have[string(l)] {
			out = append(append(out, l...), '\n')
		}
	}
	return out
}
