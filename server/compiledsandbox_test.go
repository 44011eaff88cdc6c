//go:build linux

package server_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/landlock-lsm/go-landlock/landlock/syscall"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/server"
)

// compiledBoxSrc does, compiled, what the sandbox tests do interpreted:
// it reads its environment, /proc and a file, dials, writes a temporary
// file and forges a record on the worker's channel.
const compiledBoxSrc = `package cbox

import (
	"context"
	"fmt"
	"io/ioutil"
	"net/http"
	"os"
	"sort"
	"time"
)

//microfn:service retry=1
func Environ() []string {
	all := os.Environ()
	sort.Strings(all)
	return all
}

//microfn:service retry=1
func Lookup(name string) (string, bool) { return os.LookupEnv(name) }

//microfn:service retry=1
func Read(path string) (int, error) {
	b, err := ioutil.ReadFile(path)
	return len(b), err
}

//microfn:service retry=1
func Dial(network, addr string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := http.DefaultTransport.(*http.Transport).DialContext(ctx, network, addr)
	if err != nil {
		return err
	}
	return conn.Close()
}

//microfn:service retry=1
func Temp() (string, error) {
	f, err := ioutil.TempFile("", "x")
	if err != nil {
		return "", err
	}
	defer f.Close()
	_, err = f.WriteString("data")
	return f.Name(), err
}

//microfn:service retry=1
func Forge() string {
	_, err := os.NewFile(3, "channel").Write([]byte("L{\"level\":\"WARN\",\"msg\":\"GET /forged/by/compiled\"}"))
	return fmt.Sprint(err)
}
`

// TestCompiledWorkerSandbox: a compiled worker runs under the sandbox an
// interpreted one has — it is the same worker.Main —, and its process's
// environment is what service code is given: the --env variables, and
// TMPDIR naming its private temporary folder (which os.TempDir reads,
// where its temporary files go), nothing else of the server's; no
// socket, no /proc, no secret file; what it writes on the worker's
// channel is service output.
func TestCompiledWorkerSandbox(t *testing.T) {
	t.Parallel()
	if abi, err := syscall.LandlockGetABIVersion(); err != nil || abi < 1 {
		t.Skip("no Landlock here")
	}
	secret := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(secret, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	in := microfntest.Start(t, map[string]string{"cbox/cbox.go": compiledBoxSrc},
		server.WithIsolation(server.IsolatePackage), server.WithTier(server.TierCompiled), server.WithQuiet(true),
		server.WithAllow("os", "io/ioutil", "net/http"), server.WithEnv("GREETING=hello"), server.WithSecretFiles(secret))
	r := in.Get("/cbox/Environ")
	if r.Status != 200 || r.Header.Get(protocol.HeaderTier) != "compiled" {
		t.Fatalf("Environ = %d %s from %q, want 200 compiled", r.Status, r.Body, r.Header.Get(protocol.HeaderTier))
	}
	var env []string
	if err := json.Unmarshal([]byte(r.Body), &env); err != nil {
		t.Fatal(err)
	}
	sort.Strings(env)
	if len(env) != 2 || env[0] != "GREETING=hello" || !strings.HasPrefix(env[1], "TMPDIR="+os.TempDir()) {
		t.Errorf("a compiled worker's environment is %q, want GREETING and its TMPDIR only", env)
	}
	for _, name := range []string{"MICROFN_WORKER", "GOMAXPROCS", "HOME", "PATH"} {
		if r := in.Get("/cbox/Lookup?name=" + name); r.Status != 200 || body(r) != `["",false]` {
			t.Errorf("Lookup(%s) = %d %s, want it unset", name, r.Status, r.Body)
		}
	}
	r = in.Get("/cbox/Temp")
	var name string
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &name) != nil || !strings.HasPrefix(name, strings.TrimPrefix(env[len(env)-1], "TMPDIR=")) {
		t.Errorf("Temp = %d %s, want a file in the private temporary folder", r.Status, r.Body)
	}
	refused := func(path, want string) {
		t.Helper()
		r := in.Get(path)
		if r.Status != 500 || !strings.Contains(problem(t, r).Detail, want) {
			t.Errorf("%s = %d %s, want a 500 saying %s", path, r.Status, r.Body, want)
		}
	}
	refused("/cbox/Read?path=/proc/self/environ", "permission denied")
	refused("/cbox/Read?path="+url.QueryEscape(secret), "permission denied")
	refused("/cbox/Dial?network=tcp&addr="+url.QueryEscape(ln.Addr().String()), "socket: operation not permitted")
	refused("/cbox/Dial?network=unix&addr="+url.QueryEscape(filepath.Join(t.TempDir(), "x.sock")), "socket: operation not permitted")
	if r := in.Get("/cbox/Forge"); r.Status != 200 || body(r) != `"\u003cnil\u003e"` {
		t.Errorf("Forge = %d %s", r.Status, r.Body)
	}
	microfntest.Eventually(t, 5*time.Second, func() (bool, string) {
		n := in.Logs().Count(func(rec microfntest.Record) bool {
			return strings.Contains(rec.Msg, "GET /forged/by/compiled") && rec.Attrs["stream"] == "channel"
		})
		return n == 1, fmt.Sprintf("%d forged records logged as channel output", n)
	})
	if n := in.Logs().Count(func(rec microfntest.Record) bool { return rec.Msg == "GET /forged/by/compiled" }); n != 0 {
		t.Errorf("a record forged by compiled code passed for the worker's own %d times", n)
	}
}
