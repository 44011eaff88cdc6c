package sandbox

import (
	"reflect"
	"sort"
	"strings"
	"sync"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
	"github.com/traefik/yaegi/stdlib/syscall"
	"github.com/traefik/yaegi/stdlib/unrestricted"
	"github.com/traefik/yaegi/stdlib/unsafe"
)

// Packages is the standard library service code may import by default:
// the packages that compute, encode and format in memory, and the status
// codes and other constants of net/http. Within them, the sandbox is a
// list of names: what reaches the file system, the network, the process,
// raw memory or state the host shares with every package is left out
// (text/template.ParseFiles, net/textproto.Dial, reflect.NewAt,
// log.Default, …; see table.go), and variables of the host are the
// interpreter's own copies, which service code may read but not assign.
// Of os it has the environment (os.Getenv, os.LookupEnv, os.Environ,
// os.ExpandEnv),
// which is the interpreter's own (interp.Options.Env). The other packages
// (the rest of os, io/ioutil, path/filepath, net, net/http,
// crypto/tls, database/sql/driver, flag, runtime, debug/*, testing, …) need
// --allow (interp.Options.Allow) or --unrestricted.
//
// --allow widens the sandbox: "os" gives back what reaches the file
// system or the process in every package, "net" what opens network
// connections, and any package P the whole of P (but for raw memory, which
// needs --unrestricted).
var Packages = []string{
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

// partialPackages holds the packages of which the default sandbox has
// only a part: net/http, os (see onlyNames), and every package of
// Packages with an excluded or guarded name. --allow with the package
// gives all of it (but raw memory).
var partialPackages = collectPartial()

// onlyNames maps the packages of which the default sandbox has only a
// few names, outside Packages, to those names; every other package-level
// name of theirs needs --allow os. Of os, service code reads its
// environment: the interpreter's own (interp.Options.Env), never the host
// process's.
var onlyNames = map[string]map[string]bool{
	"os": {"Getenv": true, "LookupEnv": true, "Environ": true, "ExpandEnv": true},
}

// collectPartial returns the packages of partialPackages.
func collectPartial() map[string]bool {
	part := map[string]bool{}
	for p := range onlyNames {
		part[p] = true
	}
	for p := range excludedNames {
		part[p] = true
	}
	for p := range guardedFuncs {
		part[p] = true
	}
	return part
}

// Allowed returns the sorted import paths of the standard library that
// service code may import with --unrestricted (if unrestrictedMode) or
// with --allow with allow.
func Allowed(unrestrictedMode bool, allow ...string) []string {
	seen := map[string]bool{}
	if unrestrictedMode {
		keys := append(stdlib.Symbols.Keys(), syscall.Symbols.Keys()...)
		for _, set := range []yaegi.Exports{unsafe.Symbols, unrestricted.Symbols} {
			for key := range set {
				keys = append(keys, key)
			}
		}
		for _, key := range keys {
			seen[PathOfKey(key)] = true
		}
	} else {
		pol := NewPolicy(false, allow)
		for _, key := range stdlib.Symbols.Keys() {
			if path := PathOfKey(key); pol.imports(path) {
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

// PathOfKey turns a yaegi export key ("net/http/http") into an
// import path ("net/http").
func PathOfKey(key string) string {
	if i := strings.LastIndexByte(key, '/'); i >= 0 {
		return key[:i]
	}
	return key
}

// InStdlib reports whether yaegi's restricted standard library has path.
func InStdlib(path string) bool {
	_, ok := stdlibIndex()[path]
	return ok
}

// Outside returns what a package of yaegi's standard library that the
// sandbox leaves out whole reaches, as the message of an import says it,
// if the table has it.
func Outside(path string) (string, bool) {
	does, ok := outsidePackages[path]
	return does, ok
}

// A stdlibPackage is a package of yaegi's restricted standard library.
type stdlibPackage struct {
	name string // the package's name: "rand" for math/rand/v2
	key  string // its key in stdlib.Symbols, whose table is built on first use
}

// stdlibIndex maps the import paths of yaegi's restricted standard library
// to their packages.
var stdlibIndex = sync.OnceValue(func() map[string]stdlibPackage {
	index := map[string]stdlibPackage{}
	for _, key := range stdlib.Symbols.Keys() {
		path := PathOfKey(key)
		if path == key {
			continue // ".": yaegi's map of wrapper types
		}
		index[path] = stdlibPackage{name: key[len(path)+1:], key: key}
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

// symbolValue returns the symbol name of yaegi's package path.
func symbolValue(path, name string) (reflect.Value, bool) {
	p, ok := stdlibIndex()[path]
	if !ok {
		return reflect.Value{}, false
	}
	v, ok := stdlib.Symbols.Package(p.key)[name]
	return v, ok
}

// symbolOf reports whether yaegi's package path has a symbol name.
func symbolOf(path, name string) bool {
	_, ok := symbolValue(path, name)
	return ok
}

// IsPartial reports whether the default sandbox has only a part of the
// package path: --allow path gives all of it (but raw memory).
func IsPartial(path string) bool { return partialPackages[path] }
