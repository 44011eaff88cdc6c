package interp

import (
	"go/types"
	"reflect"
	"sort"
	"strings"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
	"github.com/traefik/yaegi/stdlib/syscall"
	"github.com/traefik/yaegi/stdlib/unrestricted"
	"github.com/traefik/yaegi/stdlib/unsafe"

	"github.com/microfn/microfn"
)

// APIPath is the import path of the package service code may import to
// report errors with a status (see package microfn).
const APIPath = "github.com/microfn/microfn"

// proxyPath is the import path of the host functions the generated proxies
// call. It exists only inside the interpreter.
const proxyPath = "microfn/internal/proxyrt"

// proxyName is the name the rewritten files give the proxy package.
const proxyName = "microfnrt"

// apiSymbols exports package microfn into the interpreter.
func apiSymbols() yaegi.Exports {
	return yaegi.Exports{
		APIPath + "/microfn": {
			"Error":          reflect.ValueOf(microfn.Error),
			"Permanent":      reflect.ValueOf(microfn.Permanent),
			"StatusOf":       reflect.ValueOf(microfn.StatusOf),
			"NewRemoteError": reflect.ValueOf(microfn.NewRemoteError),
			"CallError":      reflect.ValueOf((*microfn.CallError)(nil)),
		},
	}
}

// apiStub declares package microfn for go/types. A test keeps it in step
// with the real package.
const apiStub = `package microfn

import "time"

type CallError struct {
	Status  int
	Message string
	Service string
	Err     error
}

func (e *CallError) Error() string
func (e *CallError) Unwrap() error
func (e *CallError) StatusCode() int
func (e *CallError) Permanent() bool
func (e *CallError) Remote() bool
func (e *CallError) RetryAfter() time.Duration

func Error(status int, format string, args ...any) error
func Permanent(err error) error
func StatusOf(err error) int
func NewRemoteError(service string, status int, detail string, retryAfter time.Duration) *CallError
`

// Symbols returns the host packages service code may import: the
// standard library as yaegi exports it (without unsafe, syscall, os/exec
// and the other unrestricted symbols unless unrestricted is set) and
// package microfn.
func symbolsFor(unrestrictedMode bool) []yaegi.Exports {
	sets := []yaegi.Exports{stdlib.Symbols, apiSymbols()}
	if unrestrictedMode {
		sets = append(sets, unsafe.Symbols, syscall.Symbols, unrestricted.Symbols)
	}
	return sets
}

// Allowed returns the sorted import paths service code may import.
func Allowed(unrestrictedMode bool) []string {
	seen := map[string]bool{}
	for _, set := range symbolsFor(unrestrictedMode) {
		for key := range set {
			seen[importPathOfKey(key)] = true
		}
	}
	paths := make([]string, 0, len(seen))
	for p := range seen {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

// importPathOfKey turns a yaegi export key ("net/http/http") into an
// import path ("net/http").
func importPathOfKey(key string) string {
	if i := strings.LastIndexByte(key, '/'); i >= 0 {
		return key[:i]
	}
	return key
}

// stubPackage type-checks apiStub.
func stubPackage(imp types.Importer) (*types.Package, error) {
	return checkStub(APIPath, "microfn.go", apiStub, imp)
}
