package interp_test

import (
	"strings"
	"testing"

	"github.com/microfn/microfn/interp"
)

func TestSandbox(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		opts interp.Options
		want string // "" loads
	}{
		{"pure packages", `package a
import ("encoding/json"; "strings"; "math"; "time"; "crypto/sha256"; "regexp")
var _ = json.Marshal; var _ = strings.ToUpper; var _ = math.Pi; var _ = time.Now; var _ = sha256.Sum256; var _ = regexp.MustCompile
`, interp.Options{}, ""},
		{"http status codes", `package a
import "net/http"
var _ = http.StatusNotFound + len(http.MethodGet)
var _ = http.StatusText(404)
`, interp.Options{}, ""},
		{"http client", `package a
import "net/http"
var _, _ = http.Get("http://example.com")
`, interp.Options{}, "a.go:3:17: net/http.Get is outside microfn's sandbox (it is part of net/http's client or server, which reach the network): allow it with --allow net/http"},
		{"http client type", `package a
import web "net/http"
var c web.Client
`, interp.Options{}, "a.go:3:11: net/http.Client is outside microfn's sandbox"},
		{"http client allowed", `package a
import "net/http"
var _ = http.Get
`, interp.Options{Allow: []string{"net/http"}}, ""},
		{"os", `package a
import "os"
var _ = os.ReadFile
`, interp.Options{}, `a.go:3:12: os.ReadFile is outside microfn's sandbox (it reaches the file system or the process): allow it with --allow os`},
		{"os environment", `package a
import "os"
var _ = os.Getenv("X") + os.ExpandEnv("$X")
var _, _ = os.LookupEnv("X")
var _ = os.Environ()
`, interp.Options{}, ""},
		{"os setenv", `package a
import "os"
func f() { os.Setenv("X", "1") }
`, interp.Options{}, `a.go:3:15: os.Setenv is outside microfn's sandbox`},
		{"os allowed", `package a
import "os"
var _ = os.ReadFile
`, interp.Options{Allow: []string{"os"}}, ""},
		{"net", `package a
import "net"
var _ = net.Dial
`, interp.Options{}, "--allow net"},
		{"os/exec", `package a
import "os/exec"
var _ = exec.Command
`, interp.Options{Allow: []string{"os"}}, "needs microfn serve --unrestricted"},
		{"os/exec unrestricted", `package a
import "os/exec"
var _ = exec.Command
`, interp.Options{Unrestricted: true}, ""},
		{"unsafe", `package a
import "unsafe"
var _ = unsafe.Sizeof(1)
`, interp.Options{}, `import "unsafe"`},
		{"packages of Go 1.23 to 1.26", `package a
import ("crypto/sha3"; "crypto/hkdf"; "crypto/pbkdf2"; "crypto/mlkem"; "crypto/hpke"; "iter"; "unique"; "weak"; "structs"; "slices"; "maps")
var _ = sha3.Sum256; var _ = mlkem.GenerateKey768; var _ = hpke.NewSender
var _ iter.Seq[int]; var _ structs.HostLayout
func f() {
	k, _ := hkdf.Key(sha3.New256, nil, nil, "", 8)
	p, _ := pbkdf2.Key(sha3.New256, "p", nil, 1, 8)
	_, _ = unique.Make(string(k)), weak.Make(&p)
	slices.Sort(p)
	_ = slices.Collect(maps.Keys(map[int]int{}))
}
`, interp.Options{}, ""},
		{"a test package of Go 1.25", `package a
import "testing/synctest"
var _ = synctest.Wait
`, interp.Options{}, `a.go:2:8: import "testing/synctest" is outside microfn's sandbox (it is for tests: it runs goroutines in a bubble with the runtime's fake clock): allow it with microfn serve --allow testing/synctest`},
		{"fips140 enforcement", `package a
import "crypto/fips140"
var _ = fips140.Enabled()
func f() { fips140.WithoutEnforcement(func() {}) }
`, interp.Options{}, "a.go:4:20: crypto/fips140.WithoutEnforcement is outside microfn's sandbox (it lifts, for the function it runs, the FIPS 140-3 enforcement the host process was started with): allow it with --allow crypto/fips140"},
		{"outside the standard library", `package a
import "github.com/foo/bar"
var _ = bar.X
`, interp.Options{Unrestricted: true}, `import "github.com/foo/bar" is not available to services`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadFiles(t, map[string]string{"a.go": tc.src}, tc.opts, nil)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("load: %v", lines(err))
			case tc.want != "" && (err == nil || !strings.Contains(lines(err), tc.want)):
				t.Fatalf("load error %v, want one containing %q", err, tc.want)
			}
		})
	}
	for _, p := range []string{"os", "net", "net/http", "os/exec", "syscall", "unsafe", "path/filepath", "io/ioutil", "runtime"} {
		for _, a := range interp.Allowed(false) {
			if a == p && p != "net/http" && p != "os" {
				t.Errorf("the default sandbox allows %s", p)
			}
		}
	}
}

// TestSandboxEnv: service code reads the environment it is given
// (Options.Env) with os.Getenv, os.LookupEnv and os.Environ, without
// --allow os and never the host process's; the rest of os still needs
// --allow os.
func TestSandboxEnv(t *testing.T) {
	t.Setenv("MICROFN_TEST_HOST_SECRET", "host only")
	const src = `package a

import (
	"os"
	"sort"
	"strings"
)

//microfn:service
func Env(name string) (string, bool, string) {
	v, ok := os.LookupEnv(name)
	all := os.Environ()
	sort.Strings(all)
	return os.Getenv(name) + "|" + v, ok, strings.Join(all, ",")
}
`
	tests := []struct {
		name  string
		opts  interp.Options
		query string
		want  string
	}{
		{"listed", interp.Options{Env: []string{"GREETING=hello", "EMPTY="}}, "GREETING", `["hello|hello",true,"EMPTY=,GREETING=hello"]`},
		{"listed but empty", interp.Options{Env: []string{"EMPTY="}}, "EMPTY", `["|",true,"EMPTY="]`},
		{"not listed", interp.Options{Env: []string{"GREETING=hello"}}, "MICROFN_TEST_HOST_SECRET", `["|",false,"GREETING=hello"]`},
		{"not listed, --allow os", interp.Options{Allow: []string{"os"}}, "MICROFN_TEST_HOST_SECRET", `["|",false,""]`},
		{"listed, --allow os", interp.Options{Allow: []string{"os"}, Env: []string{"GREETING=hi"}}, "GREETING", `["hi|hi",true,"GREETING=hi"]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pkg := mustLoad(t, map[string]string{"a.go": src}, tc.opts, nil)
			if got := mustInvoke(t, service(t, pkg, "Env"), `{"name":"`+tc.query+`"}`); got != tc.want {
				t.Errorf("Env(%s) = %s, want %s", tc.query, got, tc.want)
			}
		})
	}
	_, err := loadFiles(t, map[string]string{"a.go": "package a\n\nimport \"os\"\n\nvar _ = os.Getenv\nvar _, _ = os.ReadFile(\"/etc/passwd\")\nvar _ = os.Setenv\n"}, interp.Options{}, nil)
	for _, want := range []string{"a.go:6:15: os.ReadFile is outside microfn's sandbox (it reaches the file system or the process): allow it with --allow os", "a.go:7:12: os.Setenv is outside"} {
		if err == nil || !strings.Contains(lines(err), want) {
			t.Errorf("load error %v, want one containing %q", err, want)
		}
	}
}
