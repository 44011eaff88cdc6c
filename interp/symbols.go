package interp

import (
	"database/sql"
	"go/parser"
	"go/token"
	"go/types"
	"reflect"
	"strconv"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/internal/apihook"
	"github.com/microfn/microfn/state"
)

// APIPath is the import path of the package service code may import to
// report errors with a status (see package microfn).
const APIPath = "github.com/microfn/microfn"

// apiSymbols exports package microfn into the interpreter. Its Database
// and KV open the databases of dbs (Options.Databases), or those of the
// process if dbs is nil.
func apiSymbols(dbs *state.Set) yaegi.Exports {
	database, kv := reflect.ValueOf(microfn.Database), reflect.ValueOf(microfn.KV)
	if dbs != nil {
		database = reflect.ValueOf(func(name string) *sql.DB { return dbs.DB(name) })
		kv = reflect.ValueOf(func(name string) *microfn.KVStore {
			return apihook.NewKVStore(dbs.KV(name)).(*microfn.KVStore)
		})
	}
	return yaegi.Exports{
		APIPath + "/microfn": {
			"Error":            reflect.ValueOf(microfn.Error),
			"Permanent":        reflect.ValueOf(microfn.Permanent),
			"StatusOf":         reflect.ValueOf(microfn.StatusOf),
			"NewRemoteError":   reflect.ValueOf(microfn.NewRemoteError),
			"NewReturnedError": reflect.ValueOf(microfn.NewReturnedError),
			"CallError":        reflect.ValueOf((*microfn.CallError)(nil)),
			"Request":          reflect.ValueOf((*microfn.Request)(nil)),
			"RequestOf":        reflect.ValueOf(microfn.RequestOf),
			"SetHeader":        reflect.ValueOf(microfn.SetHeader),
			"SetCookie":        reflect.ValueOf(microfn.SetCookie),
			"SetStatus":        reflect.ValueOf(microfn.SetStatus),
			"Database":         database,
			"KV":               kv,
			"KVStore":          reflect.ValueOf((*microfn.KVStore)(nil)),
			"Entry":            reflect.ValueOf((*microfn.Entry)(nil)),
			"ErrNoKey":         reflect.ValueOf(&microfn.ErrNoKey).Elem(),
			"ErrConflict":      reflect.ValueOf(&microfn.ErrConflict).Elem(),
			"File":             reflect.ValueOf((*microfn.File)(nil)),
		},
	}
}

// apiStub declares package microfn for go/types. A test keeps it in step
// with the real package.
const apiStub = `package microfn

import "context"
import "database/sql"
import "net/http"
import "net/url"
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
func (e *CallError) Returned() bool
func (e *CallError) RetryAfter() time.Duration

func Error(status int, format string, args ...any) error
func Permanent(err error) error
func StatusOf(err error) int
func NewRemoteError(service string, status int, detail string, retryAfter time.Duration) *CallError
func NewReturnedError(service string, status int, text string, is ...error) *CallError

type Request struct {
	Method     string
	Route      string
	Header     http.Header
	Query      url.Values
	RemoteAddr string
	Caller     string
	Claims     map[string]any
	Trace      string
	Depth      int
}

func RequestOf(ctx context.Context) (*Request, bool)
func SetHeader(ctx context.Context, name, value string) bool
func SetCookie(ctx context.Context, cookie *http.Cookie) bool
func SetStatus(ctx context.Context, status int) bool

func Database(name string) *sql.DB
func KV(name string) *KVStore

var ErrNoKey error
var ErrConflict error

type Entry struct {
	Key     string
	Value   []byte
	Version int64
}

type KVStore struct{ _ int }

func (s *KVStore) Get(ctx context.Context, key string) ([]byte, int64, error)
func (s *KVStore) Put(ctx context.Context, key string, value []byte) (int64, error)
func (s *KVStore) Delete(ctx context.Context, key string) error
func (s *KVStore) List(ctx context.Context, prefix string) ([]Entry, error)
func (s *KVStore) CompareAndSwap(ctx context.Context, key string, value []byte, version int64) (int64, error)

type File struct {
	Name        string ` + "`json:\"name\"`" + `
	ContentType string ` + "`json:\"contentType\"`" + `
	Data        []byte ` + "`json:\"data\"`" + `
}
`

// stubPackage type-checks apiStub.
func stubPackage(imp types.Importer) (*types.Package, error) {
	return checkStub(APIPath, "microfn.go", apiStub, imp)
}

// APIImports returns the import paths of the standard library packages
// the declaration of package microfn imports: a type checker of service
// code that imports microfn needs their export data.
func APIImports() []string {
	f, err := parser.ParseFile(token.NewFileSet(), "microfn.go", apiStub, parser.ImportsOnly)
	if err != nil {
		panic("interp: the declaration of package microfn: " + err.Error())
	}
	out := make([]string, 0, len(f.Imports))
	for _, imp := range f.Imports {
		if p, err := strconv.Unquote(imp.Path.Value); err == nil {
			out = append(out, p)
		}
	}
	return out
}
