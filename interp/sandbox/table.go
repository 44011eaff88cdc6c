package sandbox

// The sandbox is a list of names, not of packages. Every package of
// [Packages] (and net/http, of which the sandbox has a part) is reviewed
// name by name: each name yaegi exports from it, each exported method of
// its exported types and of the values of its variables, and each
// exported function, type and method of the source of its generic part
// (third_party/yaegi/stdlib/generic), is either in
// allowedNames (allowed.go: it computes in memory) or in
// excludedNames below, with the reason it is left out. TestSandboxTable
// walks yaegi's symbol table and the methods of the host's types and fails
// on any name in neither, so an upgrade of yaegi or of Go cannot add an
// unreviewed function to the sandbox.
//
// What an excluded name needs (a reason's gate):
//
//   - --allow os: what reaches the file system or the process (reading
//     files, writing temporary files, the process's standard output), in
//     every package: text/template.ParseFiles, archive/zip.OpenReader, …
//   - --allow net: what opens network connections, in every package
//     (net/textproto.Dial).
//   - --allow P, for the name's own package P: what changes state the host
//     process shares with every package (registries, the standard
//     logger), and net/http's client and server. --allow P gives the whole
//     of P but for what needs --unrestricted.
//   - --unrestricted only: raw memory (reflect.NewAt, unsafe.Pointer).
//
// Excluding works at two levels. The type checker reports every use of an
// excluded name at its file:line:col (check.go), and the
// interpreter is never given an excluded function or variable (Symbols),
// so reflection cannot reach it either. An excluded method cannot be taken
// away from its type: the type checker reports its uses, and also every
// conversion to an interface of a value through which reflection
// (text/template's execution, package reflect) could call it.

// A gate is what gives back an excluded name.
type gate uint8

const (
	// gatePackage: --allow with the name's own package.
	gatePackage gate = iota
	// gateOS: --allow os (or the name's own package).
	gateOS
	// gateNet: --allow net (or the name's own package).
	gateNet
	// gateUnrestricted: --unrestricted only.
	gateUnrestricted
)

// A reason says why the sandbox leaves a name out, and what gives it back.
type reason struct {
	// does is what the name does, as error messages say it.
	does string
	gate gate
}

// The reasons of excludedNames.
var (
	readsFiles       = reason{"it reads the file system", gateOS}
	readsSystemCerts = reason{"it reads the system's certificates from the file system", gateOS}
	writesTempFiles  = reason{"it writes temporary files on the server", gateOS}
	writesStdout     = reason{"it writes to the process's standard output, not to the service's log", gateOS}
	dials            = reason{"it opens network connections", gateNet}
	rawMemory        = reason{"it reads and writes raw memory", gateUnrestricted}
	unsafePointers   = reason{"it hands out raw memory addresses as unsafe.Pointer", gateUnrestricted}
	takesUnsafe      = reason{"it works on unsafe.Pointer values, raw memory", gateUnrestricted}
	sharedRegistry   = reason{"it registers in a table the host process shares with every package", gatePackage}
	fallbackRoots    = reason{"it sets the root certificates of the whole host process, once for every package", gatePackage}
	hostLogger       = reason{"it is the host's standard logger, shared by every package: its Fatal ends the process and its SetOutput redirects everyone's log", gatePackage}
	hostDefault      = reason{"it changes the host's default logger, shared by every package", gatePackage}
	exitingLogger    = reason{"the *log.Logger it returns ends the process on Fatal", gatePackage}
	httpNetwork      = reason{"it is part of net/http's client or server, which reach the network", gatePackage}
	httpFiles        = reason{"it serves files from the file system", gatePackage}
	httpShared       = reason{"it is the host's shared HTTP client, transport or request router", gatePackage}
	opensDatabases   = reason{"it opens databases through the drivers of the host process: service code gets its databases from microfn.Database", gatePackage}
	closesShared     = reason{"it closes the database microfn opened for every package of the worker", gatePackage}
	handsOutDriver   = reason{"it hands out the database's driver, which opens any database the worker can reach", gatePackage}
	liftsFIPS        = reason{"it lifts, for the function it runs, the FIPS 140-3 enforcement the host process was started with", gatePackage}
)

// excludedNames maps a package of the sandbox to the names it leaves out,
// each with its reason. A name is a package-level name ("ParseFiles") or a
// method of a type ("Template.ParseFiles").
var excludedNames = map[string]map[string]reason{
	"archive/zip": {
		"OpenReader":           readsFiles,
		"RegisterCompressor":   sharedRegistry,
		"RegisterDecompressor": sharedRegistry,
	},
	"crypto": {
		"RegisterHash": sharedRegistry,
	},
	"crypto/fips140": {
		"WithoutEnforcement": liftsFIPS,
	},
	"crypto/x509": {
		"SetFallbackRoots": fallbackRoots,
		"SystemCertPool":   readsSystemCerts,
	},
	"database/sql": {
		// The query API is allowed, on the databases service code gets
		// from microfn.Database: the worker can reach those and no
		// other (Landlock, and only their ports).
		"Open":      opensDatabases,
		"OpenDB":    opensDatabases,
		"Register":  sharedRegistry,
		"Drivers":   sharedRegistry,
		"DB.Driver": handsOutDriver,
		"DB.Close":  closesShared,
		"Conn.Raw":  handsOutDriver,
	},
	"encoding/gob": {
		// Also a hazard of reloads: a name registered by the previous
		// version of a package panics when the next one registers it.
		"Register":     sharedRegistry,
		"RegisterName": sharedRegistry,
	},
	"go/ast": {
		"Print": writesStdout,
	},
	"go/parser": {
		"ParseDir": readsFiles,
	},
	"html/template": {
		"ParseFiles":          readsFiles,
		"ParseGlob":           readsFiles,
		"Template.ParseFiles": readsFiles,
		"Template.ParseGlob":  readsFiles,
	},
	"image": {
		"RegisterFormat": sharedRegistry,
	},
	"log": {
		// log.Print and the others write to the service's log: yaegi
		// gives each interpreter a logger of its own.
		"Default": hostLogger,
	},
	"log/slog": {
		"NewLogLogger":      exitingLogger,
		"SetDefault":        hostDefault,
		"SetLogLoggerLevel": hostDefault,
	},
	"mime": {
		"AddExtensionType": sharedRegistry,
	},
	"mime/multipart": {
		// Parts beyond maxMemory go to files in os.TempDir(), as big and
		// as many as the code likes.
		"Reader.ReadForm": writesTempFiles,
	},
	"net/textproto": {
		"Dial": dials,
	},
	"reflect": {
		"NewAt":               rawMemory,
		"SliceAt":             takesUnsafe,
		"Value.UnsafePointer": unsafePointers,
		"Value.SetPointer":    takesUnsafe,
	},
	"sync/atomic": {
		"CompareAndSwapPointer": takesUnsafe,
		"LoadPointer":           takesUnsafe,
		"StorePointer":          takesUnsafe,
		"SwapPointer":           takesUnsafe,
	},
	"text/template": {
		"ParseFiles":          readsFiles,
		"ParseGlob":           readsFiles,
		"Template.ParseFiles": readsFiles,
		"Template.ParseGlob":  readsFiles,
	},
	// Of net/http the sandbox has the status codes, methods, headers,
	// cookies and time formats, which error handling uses
	// (microfn.Error(http.StatusNotFound, …)).
	"net/http": httpExcluded(),
}

// httpExcluded lists what the sandbox leaves out of net/http.
func httpExcluded() map[string]reason {
	m := map[string]reason{}
	add := func(r reason, names ...string) {
		for _, n := range names {
			m[n] = r
		}
	}
	add(httpShared, "DefaultClient", "DefaultServeMux", "DefaultTransport", "Handle", "HandleFunc")
	add(httpFiles, "Dir", "FS", "File", "FileServer", "FileServerFS", "FileSystem", "NewFileTransport",
		"NewFileTransportFS", "ServeFile", "ServeFileFS", "ErrMissingFile")
	add(httpNetwork,
		// the client
		"Client", "ClientConn", "CookieJar", "Get", "Head", "Post", "PostForm", "NewRequest", "NewRequestWithContext",
		"ProxyFromEnvironment", "ProxyURL", "Transport", "RoundTripper", "ErrUseLastResponse",
		"ErrSchemeMismatch", "ErrNoLocation", "ReadResponse", "Response",
		"DefaultMaxIdleConnsPerHost", "HTTP2Config", "Protocols",
		// the server
		"AllowQuerySemicolons", "CloseNotifier", "ConnState", "CrossOriginProtection", "NewCrossOriginProtection", "StateActive", "StateClosed", "StateHijacked",
		"StateIdle", "StateNew", "DefaultMaxHeaderBytes", "Error", "Flusher", "Handler", "HandlerFunc",
		"Hijacker", "ListenAndServe", "ListenAndServeTLS", "LocalAddrContextKey", "MaxBytesError",
		"MaxBytesHandler", "MaxBytesReader", "NewResponseController", "NewServeMux", "NotFound",
		"NotFoundHandler", "PushOptions", "Pusher", "ReadRequest", "Redirect", "RedirectHandler",
		"Request", "ResponseController", "ResponseWriter", "Serve", "ServeContent", "ServeMux", "ServeTLS",
		"Server", "ServerContextKey", "SetCookie", "StripPrefix", "TimeoutHandler", "TrailerPrefix",
		"ErrAbortHandler", "ErrBodyNotAllowed", "ErrBodyReadAfterClose", "ErrContentLength",
		"ErrHandlerTimeout", "ErrHeaderTooLong", "ErrHijacked", "ErrLineTooLong", "ErrMissingBoundary",
		"ErrMissingContentLength", "ErrNotMultipart", "ErrNotSupported", "ErrServerClosed", "ErrShortBody",
		"ErrSkipAltProtocol", "ErrUnexpectedTrailer", "ErrWriteAfterFlush", "NoBody", "ParseHTTPVersion",
		"ProtocolError")
	return m
}

// outsidePackages maps each package of yaegi's standard library that the
// sandbox leaves out whole to what it reaches, as the message of an import
// says it. An import of one needs --allow with it (or --unrestricted).
// TestSandboxPackages fails on a package of yaegi's tables in none of
// Packages, net/http and outsidePackages, so a new release of Go cannot add
// a package unreviewed.
var outsidePackages = map[string]string{
	"crypto/mlkem/mlkemtest":          "it is for tests only: it derives ML-KEM encapsulations from randomness the caller chooses",
	"crypto/tls":                      "it opens network connections and reads keys and certificates from the file system",
	"database/sql/driver":             "it is the interface of database drivers, which reach the network or the file system",
	"debug/buildinfo":                 "it reads executables from the file system",
	"debug/dwarf":                     "it reads the debugging information of executables, which the debug packages open from the file system",
	"debug/elf":                       "it reads executables from the file system",
	"debug/gosym":                     "it reads the symbol tables of executables, which the debug packages open from the file system",
	"debug/macho":                     "it reads executables from the file system",
	"debug/pe":                        "it reads executables from the file system",
	"debug/plan9obj":                  "it reads executables from the file system",
	"expvar":                          "it publishes variables in a registry the host process shares with every package, and serves them over HTTP",
	"flag":                            "it reads the host process's command line",
	"github.com/traefik/yaegi/stdlib": "it is the interpreter's table of the standard library, outside the sandbox too",
	"go/build":                        "it reads packages from the file system and runs the go command",
	"go/importer":                     "it reads compiled packages from the file system and runs the go command",
	"go/types":                        "it type-checks with importers that read the file system (go/importer)",
	"io/ioutil":                       "it reads and writes files",
	"log/syslog":                      "it writes to the system log over a network connection or a socket",
	"net":                             "it opens network connections and listens on them",
	"net/http/cgi":                    "it runs programs as CGI scripts, or serves through the process's standard input and output",
	"net/http/cookiejar":              "it is part of net/http's client, which reaches the network",
	"net/http/fcgi":                   "it serves requests over network connections",
	"net/http/httptest":               "it starts HTTP servers on network connections",
	"net/http/httptrace":              "it traces net/http's client, which reaches the network",
	"net/http/httputil":               "it proxies and dumps the requests of net/http's client and server, which reach the network",
	"net/http/pprof":                  "it serves the profiles of the host process over HTTP",
	"net/rpc":                         "it calls and serves RPCs over network connections",
	"net/rpc/jsonrpc":                 "it calls and serves RPCs over network connections",
	"net/smtp":                        "it sends mail over network connections",
	"os":                              "it reaches the file system, the environment and the process",
	"os/signal":                       "it handles the signals of the host process",
	"os/user":                         "it reads the system's users and groups from the file system",
	"path/filepath":                   "it walks, globs and resolves paths of the file system",
	"runtime":                         "it reads and changes the state of the host process's runtime",
	"runtime/debug":                   "it reads and changes the state of the host process's runtime",
	"runtime/metrics":                 "it reads the state of the host process's runtime",
	"runtime/pprof":                   "it profiles the host process",
	"runtime/trace":                   "it traces the host process",
	"testing":                         "it is for tests, which go test runs",
	"testing/cryptotest":              "it is for tests: it sets the randomness of package crypto for the whole process",
	"testing/fstest":                  "it is for tests, which go test runs",
	"testing/iotest":                  "it is for tests, which go test runs",
	"testing/quick":                   "it is for tests, which go test runs",
	"testing/slogtest":                "it is for tests, which go test runs",
	"testing/synctest":                "it is for tests: it runs goroutines in a bubble with the runtime's fake clock",
}

// A guard keeps a function in the sandbox but refuses, at load time where
// the type checker sees it and at run time in the interpreter, the
// arguments that would make it do what its reason says.
type guard struct {
	why reason
	// nilArg is the argument that must not be nil.
	nilArg int
	// what names the refused call in messages.
	what string
}

// guardedFuncs maps a package to its guarded functions.
var guardedFuncs = map[string]map[string]guard{
	"go/parser": {
		// A nil src makes them read the file filename names.
		"ParseFile":     {why: readsFiles, nilArg: 2, what: "go/parser.ParseFile with a nil src"},
		"ParseExprFrom": {why: readsFiles, nilArg: 2, what: "go/parser.ParseExprFrom with a nil src"},
	},
}

// sharedVars are the variables of sandbox packages whose value the
// interpreter shares with the host instead of copying it deeply, because
// their identity matters: t.Location() == time.UTC must hold for a time the
// host made. (Every variable of net/http is shared, and every variable
// holding an error: err == io.EOF must hold.) Service code can read them
// and cannot assign them; assignments through a pointer of their types
// are load errors too (see sharedPointee).
var sharedVars = map[string]bool{
	"time.UTC":   true,
	"time.Local": true,
}

// sharedPointee are the host types of which the host hands service code
// pointers it shares with every package (time.UTC, time.Local,
// slog.Default()): assigning through such a pointer (*loc = …) is a load
// error wherever the pointer comes from.
var sharedPointee = map[string]string{
	"time.Location":   "the host shares its locations (time.UTC, time.Local) with every package",
	"log/slog.Logger": "the host shares its default logger (slog.Default()) with every package",
}

// zeroValueLive are the types whose zero value, which reflect.New makes
// from a reflect.Type, can run their excluded methods. A reflect.Type
// reaches them through unexported fields as well; of the other types with
// excluded methods only a value made by their package can (a zero
// html/template.Template or multipart.Reader panics in ParseFiles or
// ReadForm).
var zeroValueLive = map[string]bool{
	"text/template.Template": true,
}
