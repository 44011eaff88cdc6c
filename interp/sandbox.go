package interp

import (
	"reflect"
	"sort"
	"strings"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
	"github.com/traefik/yaegi/stdlib/syscall"
	"github.com/traefik/yaegi/stdlib/unrestricted"
	"github.com/traefik/yaegi/stdlib/unsafe"
)

// Sandbox is the standard library service code may import by default: the
// packages that compute, encode and format in memory, and the status codes
// and other constants of net/http (see sandboxPart). It leaves out what
// reaches the file system, the network, the process or the runtime (os,
// io/ioutil, path/filepath, net, net/http, crypto/tls, database/sql, flag,
// runtime, debug/*, testing, …): those need Options.Allow (serve --allow)
// or Options.Unrestricted.
var Sandbox = []string{
	"archive/tar", "archive/zip", "bufio", "bytes", "cmp",
	"compress/bzip2", "compress/flate", "compress/gzip", "compress/lzw", "compress/zlib",
	"container/heap", "container/list", "container/ring", "context",
	"crypto", "crypto/aes", "crypto/cipher", "crypto/des", "crypto/dsa", "crypto/ecdh", "crypto/ecdsa",
	"crypto/ed25519", "crypto/elliptic", "crypto/hmac", "crypto/md5", "crypto/rand", "crypto/rc4",
	"crypto/rsa", "crypto/sha1", "crypto/sha256", "crypto/sha512", "crypto/subtle", "crypto/x509", "crypto/x509/pkix",
	"encoding", "encoding/ascii85", "encoding/asn1", "encoding/base32", "encoding/base64", "encoding/binary",
	"encoding/csv", "encoding/gob", "encoding/hex", "encoding/json", "encoding/pem", "encoding/xml",
	"errors", "fmt",
	"go/ast", "go/build/constraint", "go/constant", "go/doc", "go/doc/comment", "go/format", "go/parser",
	"go/printer", "go/scanner", "go/token", "go/version",
	"hash", "hash/adler32", "hash/crc32", "hash/crc64", "hash/fnv", "hash/maphash",
	"html", "html/template", "image", "image/color", "image/color/palette", "image/draw", "image/gif",
	"image/jpeg", "image/png", "index/suffixarray", "io", "io/fs", "log", "log/slog", "maps",
	"math", "math/big", "math/bits", "math/cmplx", "math/rand", "math/rand/v2",
	"mime", "mime/multipart", "mime/quotedprintable", "net/mail", "net/netip", "net/textproto", "net/url",
	"path", "reflect", "regexp", "regexp/syntax", "slices", "sort", "strconv", "strings", "sync", "sync/atomic",
	"text/scanner", "text/tabwriter", "text/template", "text/template/parse", "time",
	"unicode", "unicode/utf16", "unicode/utf8",
}

// sandboxPart lists packages of which the sandbox has only a part: net/http
// without its client and server (status codes, methods, headers, cookies
// and time formats, which error handling uses), so service code can write
// microfn.Error(http.StatusNotFound, …) but reaches no network.
var sandboxPart = map[string]func(name string) bool{
	"net/http": func(name string) bool {
		switch name {
		case "StatusText", "TimeFormat", "Header", "CanonicalHeaderKey", "DetectContentType", "ParseTime",
			"Cookie", "SameSite", "ParseCookie", "ParseSetCookie", "ErrNoCookie":
			return true
		}
		return strings.HasPrefix(name, "Status") || strings.HasPrefix(name, "Method") || strings.HasPrefix(name, "SameSite")
	},
}

// symbolSets returns what the interpreter gets: package microfn, the
// sandbox plus allow from the standard library, or with unrestricted all of
// it, including unsafe, syscall and os/exec.
func symbolSets(unrestrictedMode bool, allow []string) []yaegi.Exports {
	sets := []yaegi.Exports{apiSymbols()}
	if unrestrictedMode {
		return append(sets, stdlib.Symbols, unsafe.Symbols, syscall.Symbols, unrestricted.Symbols)
	}
	permitted := map[string]bool{}
	for _, p := range Sandbox {
		permitted[p] = true
	}
	for _, p := range allow {
		permitted[p] = true
	}
	std := yaegi.Exports{}
	for key, syms := range stdlib.Symbols {
		path := importPathOfKey(key)
		switch part, partial := sandboxPart[path]; {
		case permitted[path]:
			std[key] = syms
		case partial:
			some := map[string]reflect.Value{}
			for name, v := range syms {
				if part(name) {
					some[name] = v
				}
			}
			std[key] = some
		}
	}
	return append(sets, std)
}

// Allowed returns the sorted import paths service code may import with
// these options.
func Allowed(unrestrictedMode bool, allow ...string) []string {
	seen := map[string]bool{}
	for _, set := range symbolSets(unrestrictedMode, allow) {
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

// stdlibHas reports whether yaegi's restricted standard library has path.
func stdlibHas(path string) bool {
	for key := range stdlib.Symbols {
		if importPathOfKey(key) == path {
			return true
		}
	}
	return false
}
