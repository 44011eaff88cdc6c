package server_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// envSrc reads the environment as service code can: through os, and
// through the process's /proc/self/environ.
const envSrc = `package env

import (
	"io/ioutil"
	"os"
	"sort"
	"strings"
)

//microfn:service retry=1
func Get(name string) (string, bool) { return os.LookupEnv(name) }

//microfn:service retry=1
func All() []string {
	all := os.Environ()
	sort.Strings(all)
	return all
}

//microfn:service retry=1
func Proc() (string, error) {
	b, err := ioutil.ReadFile("/proc/self/environ")
	return strings.ReplaceAll(string(b), "\x00", "\n"), err
}
`

// TestServiceEnvironment: service code reads the variables given with
// WithEnv (--env) through os, and nothing else of the server's
// environment: not through os, nor in the worker process's own
// environment.
func TestServiceEnvironment(t *testing.T) {
	t.Parallel()
	if os.Getenv("PATH") == "" {
		t.Skip("the test process has no PATH to leak")
	}
	for _, iso := range []server.Isolation{server.IsolatePackage, server.IsolateShared, server.IsolateNone} {
		t.Run(string(iso), func(t *testing.T) {
			t.Parallel()
			in := microfntest.Start(t, map[string]string{"env/env.go": envSrc},
				server.WithIsolation(iso), server.WithAllow("io/ioutil"),
				server.WithEnv("GREETING=hello", "PATH", "NOT_SET_ANYWHERE_123"))
			if r := in.Get("/env/Get?name=GREETING"); r.Status != 200 || body(r) != `["hello",true]` {
				t.Errorf("Get(GREETING) = %d %s, want hello", r.Status, r.Body)
			}
			wantPath, _ := json.Marshal([]any{os.Getenv("PATH"), true})
			if r := in.Get("/env/Get?name=PATH"); r.Status != 200 || body(r) != string(wantPath) {
				t.Errorf("Get(PATH) = %d %s, want the server's PATH, listed by name alone", r.Status, r.Body)
			}
			for _, name := range []string{"HOME", "NOT_SET_ANYWHERE_123", "MICROFN_WORKER", "TMPDIR"} {
				if r := in.Get("/env/Get?name=" + name); r.Status != 200 || body(r) != `["",false]` {
					t.Errorf("Get(%s) = %d %s, want it unset", name, r.Status, r.Body)
				}
			}
			wantAll, _ := json.Marshal([]string{"GREETING=hello", "PATH=" + os.Getenv("PATH")})
			if r := in.Get("/env/All"); r.Status != 200 || body(r) != string(wantAll) {
				t.Errorf("All = %d %s, want %s", r.Status, r.Body, wantAll)
			}
			if iso == server.IsolateNone {
				return // the server's own process: its environment is the server's
			}
			// The worker process's environment: the listed variables and
			// what the worker needs, or nothing readable at all.
			r := in.Get("/env/Proc")
			if r.Status != 200 {
				if !strings.Contains(problem(t, r).Detail, "permission denied") {
					t.Errorf("Proc = %d %s, want the environment or permission denied", r.Status, r.Body)
				}
				return
			}
			var environ string
			if err := json.Unmarshal([]byte(r.Body), &environ); err != nil {
				t.Fatal(err)
			}
			for _, kv := range strings.Split(strings.TrimSpace(environ), "\n") {
				name, _, _ := strings.Cut(kv, "=")
				switch name {
				case "GREETING", "PATH", "MICROFN_WORKER", "TMPDIR", "GOMAXPROCS", "GOGC", "GOMEMLIMIT", "GODEBUG", "GOTRACEBACK", "GORACE", "GOCOVERDIR":
				default:
					t.Errorf("the worker's environment has %s, which the server was not asked to give", name)
				}
			}
		})
	}
}

// TestEnvRefused: microfn's own variables and TMPDIR cannot be given to
// service code, even when listed.
func TestEnvRefused(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"MICROFN_TOKEN", "MICROFN_CHAIN_KEY=x", "microfn_route_x", "TMPDIR=/tmp", "=x"} {
		if _, err := server.New(t.TempDir(), server.WithEnv(v)); err == nil {
			t.Errorf("WithEnv(%q): no error", v)
		}
	}
}
