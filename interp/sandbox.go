package interp

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
	"github.com/traefik/yaegi/stdlib/syscall"
	"github.com/traefik/yaegi/stdlib/unrestricted"
	"github.com/traefik/yaegi/stdlib/unsafe"

	"github.com/microfn/microfn/state"
)

// Sandbox is the standard library service code may import by default: the
// packages that compute, encode and format in memory, and the status codes
// and other constants of net/http. Within them, the sandbox is a list of
// names: what reaches the file system, the network, the process, raw
// memory or state the host shares with every package is left out
// (text/template.ParseFiles, net/textproto.Dial, reflect.NewAt,
// log.Default, …; see sandbox_table.go), and variables of the host are the
// interpreter's own copies, which service code may read but not assign.
// Of os it has the environment (os.Getenv, os.LookupEnv, os.Environ,
// os.ExpandEnv),
// which is the interpreter's own (Options.Env). The other packages (the
// rest of os, io/ioutil, path/filepath, net, net/http,
// crypto/tls, database/sql/driver, flag, runtime, debug/*, testing, …) need
// Options.Allow (serve --allow) or Options.Unrestricted.
//
// Options.Allow widens the sandbox: "os" gives back what reaches the file
// system or the process in every package, "net" what opens network
// connections, and any package P the whole of P (but for raw memory, which
// needs Options.Unrestricted).
var Sandbox = []string{
	"archive/tar", "archive/zip", "bufio", "bytes", "cmp",
	"compress/bzip2", "compress/flate", "compress/gzip", "compress/lzw", "compress/zlib",
	"container/heap", "container/list", "container/ring", "context",
	"crypto", "crypto/aes", "crypto/cipher", "crypto/des", "crypto/dsa", "crypto/ecdh", "crypto/ecdsa",
	"crypto/ed25519", "crypto/elliptic", "crypto/fips140", "crypto/hkdf", "crypto/hmac", "crypto/hpke", "crypto/md5",
	"crypto/mlkem", "crypto/pbkdf2", "crypto/rand", "crypto/rc4", "crypto/rsa", "crypto/sha1", "crypto/sha256",
	"crypto/sha3", "crypto/sha512", "crypto/subtle", "crypto/x509", "crypto/x509/pkix", "database/sql",
	"encoding", "encoding/ascii85", "encoding/asn1", "encoding/base32", "encoding/base64", "encoding/binary",
	"encoding/csv", "encoding/gob", "encoding/hex", "encoding/json", "encoding/pem", "encoding/xml",
	"errors", "fmt",
	"go/ast", "go/build/constraint", "go/constant", "go/doc", "go/doc/comment", "go/format", "go/parser",
	"go/printer", "go/scanner", "go/token", "go/version",
	"hash", "hash/adler32", "hash/crc32", "hash/crc64", "hash/fnv", "hash/maphash",
	"html", "html/template", "image", "image/color", "image/color/palette", "image/draw", "image/gif",
	"image/jpeg", "image/png", "index/suffixarray", "io", "io/fs", "iter", "log", "log/slog", "maps",
	"math", "math/big", "math/bits", "math/cmplx", "math/rand", "math/rand/v2",
	"mime", "mime/multipart", "mime/quotedprintable", "net/mail", "net/netip", "net/textproto", "net/url",
	"path", "reflect", "regexp", "regexp/syntax", "slices", "sort", "strconv", "strings", "structs", "sync",
	"sync/atomic", "text/scanner", "text/tabwriter", "text/template", "text/template/parse", "time",
	"unicode", "unicode/utf16", "unicode/utf8", "unique", "weak",
}

// sandboxPart holds the packages of which the default sandbox has only a
// part: net/http, os (see sandboxOnly), and every package of Sandbox with
// an excluded or guarded name. Options.Allow with the package gives all
// of it (but raw memory).
var sandboxPart = partialPackages()

// sandboxOnly maps the packages of which the default sandbox has only a
// few names, outside Sandbox, to those names; every other package-level
// name of theirs needs --allow os. Of os, service code reads its environment: the
// interpreter's own (Options.Env), never the host process's.
var sandboxOnly = map[string]map[string]bool{
	"os": {"Getenv": true, "LookupEnv": true, "Environ": true, "ExpandEnv": true},
}

// reachesOS is why the names of os outside sandboxOnly are left out.
var reachesOS = reason{"it reaches the file system or the process", gateOS}

func partialPackages() map[string]bool {
	part := map[string]bool{}
	for p := range sandboxOnly {
		part[p] = true
	}
	for p := range sandboxExcluded {
		part[p] = true
	}
	for p := range sandboxGuarded {
		part[p] = true
	}
	return part
}

// A policy is what the options of a Loader let service code use.
type policy struct {
	unrestricted bool
	// allow holds the values of Options.Allow: import paths, of which "os"
	// and "net" also open gateOS and gateNet.
	allow map[string]bool
	// self is the import path the package is checked as; sources are
	// the packages it imports from source. Both are interpreted: neither
	// is the host's.
	self    string
	sources map[string]bool
}

func newPolicy(unrestrictedMode bool, allow []string) policy {
	p := policy{unrestricted: unrestrictedMode, allow: map[string]bool{}}
	for _, a := range allow {
		p.allow[a] = true
	}
	return p
}

// imports reports whether service code may import path.
func (p policy) imports(path string) bool {
	if p.unrestricted || p.allow[path] || sandboxPart[path] {
		return true
	}
	return slices.Contains(Sandbox, path)
}

// permits reports whether a name of package path left out for r is
// available.
func (p policy) permits(path string, r reason) bool {
	switch {
	case p.unrestricted:
		return true
	case r.gate == gateUnrestricted:
		return false
	case p.allow[path]:
		return true
	case r.gate == gateOS:
		return p.allow["os"]
	case r.gate == gateNet:
		return p.allow["net"]
	}
	return false
}

// excluded returns the reason name (a package-level name or Type.Method)
// of package path is outside the sandbox of p, if it is.
func (p policy) excluded(path, name string) (reason, bool) {
	r, ok := sandboxExcluded[path][name]
	if only, part := sandboxOnly[path]; part && !only[name] && !strings.Contains(name, ".") {
		// A package-level name; the methods of the package's types,
		// which other packages hand out (ioutil.TempFile's *os.File),
		// are what they were without the package.
		r, ok = reachesOS, true
	}
	if !ok || p.permits(path, r) {
		return reason{}, false
	}
	return r, true
}

// guarded returns the guard of function name of package path, if p keeps
// it guarded.
func (p policy) guarded(path, name string) (guard, bool) {
	g, ok := sandboxGuarded[path][name]
	if !ok || p.permits(path, g.why) {
		return guard{}, false
	}
	return g, true
}

// hint says what gives back a name of package path left out for r.
func (r reason) hint(path string) string {
	switch r.gate {
	case gateUnrestricted:
		return "it needs --unrestricted"
	case gateOS:
		return "allow it with --allow os"
	case gateNet:
		return "allow it with --allow net"
	}
	return "allow it with --allow " + path
}

// outsideMsg is the message of a use of an excluded name.
func outsideMsg(path, name string, r reason) string {
	return fmt.Sprintf("%s.%s is outside microfn's sandbox (%s): %s", path, name, r.does, r.hint(path))
}

// guardMsg is the message of a call a guard refuses.
func guardMsg(path string, g guard) string {
	hint := g.why.hint(path)
	if g.why.gate != gateUnrestricted {
		hint = "pass the source, or " + hint
	}
	return fmt.Sprintf("%s is outside microfn's sandbox (%s): %s", g.what, g.why.does, hint)
}

// symbolSets returns what the interpreter gets: package microfn, the
// sandbox plus allow from the standard library, or with unrestricted all of
// it, including unsafe, syscall and os/exec. Without unrestricted, excluded
// names are left out, guarded functions replaced by their guards, and
// every variable is a copy of the host's, made for this call: service code
// cannot change the host's variables, even by reflection.
func symbolSets(unrestrictedMode bool, allow []string, dbs *state.Set) []yaegi.Exports {
	sets := []yaegi.Exports{apiSymbols(dbs)}
	if unrestrictedMode {
		return append(sets, stdlib.Symbols, unsafe.Symbols, syscall.Symbols, unrestricted.Symbols)
	}
	pol := newPolicy(false, allow)
	vars := newVarCopier()
	std := yaegi.Exports{}
	for key, syms := range stdlib.Symbols {
		if key == "." {
			// Not a package: the types yaegi wraps interpreted values
			// in for binary functions (fmt gets an interpreted error
			// with its Error method).
			std[key] = syms
			continue
		}
		path := importPathOfKey(key)
		if !pol.imports(path) {
			continue
		}
		if !sandboxPart[path] && !hasVars(syms) {
			std[key] = syms // nothing to leave out or copy
			continue
		}
		some := make(map[string]reflect.Value, len(syms))
		for name, v := range syms {
			if _, out := pol.excluded(path, name); out {
				continue
			}
			if g, ok := pol.guarded(path, name); ok {
				v = guardValue(path, name, g)
			}
			if isVar(v) {
				v = vars.copy(path, name, v)
			}
			some[name] = v
		}
		std[key] = some
	}
	return append(sets, std)
}

// Allowed returns the sorted import paths service code may import with
// these options.
func Allowed(unrestrictedMode bool, allow ...string) []string {
	seen := map[string]bool{APIPath: true}
	if unrestrictedMode {
		for _, set := range []yaegi.Exports{stdlib.Symbols, unsafe.Symbols, syscall.Symbols, unrestricted.Symbols} {
			for key := range set {
				seen[importPathOfKey(key)] = true
			}
		}
	} else {
		pol := newPolicy(false, allow)
		for key := range stdlib.Symbols {
			if path := importPathOfKey(key); pol.imports(path) {
				seen[path] = true
			}
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

// stdlibHas reports whether yaegi's restricted standard library has path.
func stdlibHas(path string) bool {
	_, ok := stdlibIndex()[path]
	return ok
}

// A stdlibPackage is a package of yaegi's restricted standard library.
type stdlibPackage struct {
	name string // the package's name: "rand" for math/rand/v2
	syms map[string]reflect.Value
}

// stdlibIndex maps the import paths of yaegi's restricted standard library
// to their packages.
var stdlibIndex = sync.OnceValue(func() map[string]stdlibPackage {
	index := map[string]stdlibPackage{}
	for key, syms := range stdlib.Symbols {
		path := importPathOfKey(key)
		if path == key {
			continue // ".": yaegi's map of wrapper types
		}
		index[path] = stdlibPackage{name: key[len(path)+1:], syms: syms}
	}
	return index
})

// stdlibName returns the name of the standard library package path.
func stdlibName(path string) string {
	if p, ok := stdlibIndex()[path]; ok {
		return p.name
	}
	return path[strings.LastIndexByte(path, '/')+1:]
}

// hasVars reports whether syms has a variable.
func hasVars(syms map[string]reflect.Value) bool {
	for _, v := range syms {
		if isVar(v) {
			return true
		}
	}
	return false
}

// isVar reports whether v is a variable in a yaegi symbol table: yaegi
// exports a variable as reflect.ValueOf(&x).Elem(), the only addressable
// kind of symbol.
func isVar(v reflect.Value) bool { return v.CanAddr() }

// guardValue returns the function the interpreter gets for guarded
// function name of path.
func guardValue(path, name string, g guard) reflect.Value {
	refuse := errors.New(guardMsg(path, g))
	switch path + "." + name {
	case "go/parser.ParseFile":
		return reflect.ValueOf(func(fset *token.FileSet, filename string, src any, mode parser.Mode) (*ast.File, error) {
			if src == nil {
				return nil, refuse
			}
			return parser.ParseFile(fset, filename, src, mode)
		})
	case "go/parser.ParseExprFrom":
		return reflect.ValueOf(func(fset *token.FileSet, filename string, src any, mode parser.Mode) (ast.Expr, error) {
			if src == nil {
				return nil, refuse
			}
			return parser.ParseExprFrom(fset, filename, src, mode)
		})
	}
	panic("interp: no guard for " + path + "." + name)
}

// A varCopier makes the interpreter's copies of the host's variables.
// Plain data (the unicode tables, base64.StdEncoding, palette.Plan9, …) is
// copied deeply, so that the copies share nothing the interpreted code
// could change; errors and sharedVars keep the host's value (their
// identity matters), in a variable of the interpreter's own.
type varCopier struct {
	ptrs map[ptrKey]reflect.Value // copies of the pointers seen, by address and type
}

type ptrKey struct {
	addr uintptr
	typ  reflect.Type
}

func newVarCopier() *varCopier { return &varCopier{ptrs: map[ptrKey]reflect.Value{}} }

// copy returns the interpreter's variable for variable name of path, whose
// host variable is v.
func (c *varCopier) copy(path, name string, v reflect.Value) reflect.Value {
	own := reflect.New(v.Type()).Elem()
	_, inTable := sandboxAllowed[path]
	if !inTable || path == "net/http" || sharedVars[path+"."+name] || v.Type().Implements(reflect.TypeFor[error]()) {
		own.Set(v)
		return own
	}
	own.Set(c.deep(v))
	return own
}

// deep returns a copy of v that shares no pointer, slice or map with it
// through exported fields. Interfaces, functions and channels are kept.
func (c *varCopier) deep(v reflect.Value) reflect.Value {
	if plainData(v.Type()) {
		return v
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		k := ptrKey{v.Pointer(), v.Type()}
		if n, ok := c.ptrs[k]; ok {
			return n
		}
		if t, ok := v.Interface().(*unicode.RangeTable); ok {
			// The bulk of the copies, made without reflection.
			n := reflect.ValueOf(&unicode.RangeTable{
				R16:         slices.Clone(t.R16),
				R32:         slices.Clone(t.R32),
				LatinOffset: t.LatinOffset,
			})
			c.ptrs[k] = n
			return n
		}
		n := reflect.New(v.Type().Elem())
		c.ptrs[k] = n
		n.Elem().Set(c.deep(v.Elem()))
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		if plainData(v.Type().Elem()) {
			reflect.Copy(n, v)
			return n
		}
		for i := range v.Len() {
			n.Index(i).Set(c.deep(v.Index(i)))
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			n.SetMapIndex(it.Key(), c.deep(it.Value()))
		}
		return n
	case reflect.Array:
		n := reflect.New(v.Type()).Elem()
		n.Set(v)
		for i := range v.Len() {
			n.Index(i).Set(c.deep(v.Index(i)))
		}
		return n
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		n.Set(v)
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				n.Field(i).Set(c.deep(v.Field(i)))
			}
		}
		return n
	}
	return v
}

// plainData reports whether a value of type t holds nothing deep would
// copy: no pointer, slice or map (strings are immutable).
func plainData(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return false
	case reflect.Array:
		return plainData(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !plainData(t.Field(i).Type) {
				return false
			}
		}
	}
	return true
}
