//go:build linux

package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landlock-lsm/go-landlock/landlock/syscall"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

const boxSrc = `package box

import (
	"io/ioutil"
	"net/http"
)

//microfn:service retry=1
func Read(path string) (string, error) {
	b, err := ioutil.ReadFile(path)
	if err != nil {
		return "", err
	}
	return string(b[:min(len(b), 16)]), nil
}

//microfn:service retry=1
func Write(path string) error { return ioutil.WriteFile(path, []byte("x"), 0o644) }

//microfn:service retry=1
func Temp() (string, error) {
	f, err := ioutil.TempFile("", "scratch")
	if err != nil {
		return "", err
	}
	defer f.Close()
	_, err = f.WriteString("scratch")
	return f.Name(), err
}

//microfn:service retry=1
func Get(url string) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
`

// TestWorkerSandbox: the operating system confines a worker under the
// interpreter's sandbox: code that reaches the file system or the network
// through a package it was allowed gets a clean error outside the served
// folder and its private temporary folder, and for every connection.
func TestWorkerSandbox(t *testing.T) {
	t.Parallel()
	abi, err := syscall.LandlockGetABIVersion()
	if err != nil || abi < 4 {
		t.Skipf("this kernel's Landlock (ABI %d, %v) cannot restrict both the file system and the network", abi, err)
	}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	defer other.Close()
	stranger := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "should not be reached") }))
	defer stranger.Close()
	outside := t.TempDir()

	in := microfntest.Start(t, map[string]string{"box/box.go": boxSrc, "box/data.txt": "inside the folder"},
		server.WithIsolation(server.IsolatePackage), server.WithAllow("io/ioutil", "net/http"),
		// A route makes the other server's port one of microfn's own.
		server.WithRoutes(server.RouteTable{"elsewhere": other.URL}))
	call := func(path string) (int, string) {
		r := in.Get(path)
		if r.Status == 200 {
			return r.Status, body(r)
		}
		return r.Status, problem(t, r).Detail
	}
	denied := func(what string, status int, detail string) {
		t.Helper()
		if status != 500 || !(strings.Contains(detail, "permission denied") || strings.Contains(detail, "operation not permitted")) {
			t.Errorf("%s: %d %q, want a 500 saying permission denied or operation not permitted", what, status, detail)
		}
	}

	status, detail := call("/box/Read?path=/etc/passwd")
	denied("reading /etc/passwd", status, detail)
	if status, got := call("/box/Read?path=" + filepath.Join(in.Dir, "box", "data.txt")); status != 200 || got != `"inside the folde"` {
		t.Errorf("reading a file of the served folder: %d %s", status, got)
	}
	status, detail = call("/box/Write?path=" + filepath.Join(outside, "x"))
	denied("writing outside the temporary folder", status, detail)
	if _, err := os.Stat(filepath.Join(outside, "x")); err == nil {
		t.Errorf("the worker wrote outside its temporary folder")
	}
	if status, got := call("/box/Temp"); status != 200 || strings.Contains(got, outside) {
		t.Errorf("a temporary file: %d %s", status, got)
	}
	status, detail = call("/box/Get?url=" + stranger.URL)
	denied("connecting to another local port", status, detail)
	// Without --allow net service code opens no connection at all, not
	// even to microfn's own servers: it calls their services through
	// its proxies, whose connections the worker's supervisor makes.
	status, detail = call("/box/Get?url=" + other.URL)
	denied("connecting to a server of the routes", status, detail)
}

// TestWorkerSandboxAllow: --allow os and --allow net lift exactly the
// file system and the network restrictions.
func TestWorkerSandboxAllow(t *testing.T) {
	t.Parallel()
	if abi, err := syscall.LandlockGetABIVersion(); err != nil || abi < 4 {
		t.Skip("no Landlock with network rules here")
	}
	stranger := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hi") }))
	defer stranger.Close()
	in := microfntest.Start(t, map[string]string{"box/box.go": boxSrc},
		server.WithIsolation(server.IsolatePackage), server.WithAllow("io/ioutil", "net/http", "os", "net"))
	if r := in.Get("/box/Read?path=/etc/passwd"); r.Status != 200 {
		t.Errorf("with --allow os, reading /etc/passwd: %d %s", r.Status, r.Body)
	}
	if r := in.Get("/box/Get?url=" + stranger.URL); r.Status != 200 || body(r) != "200" {
		t.Errorf("with --allow net, connecting to another port: %d %s", r.Status, r.Body)
	}
}
