//go:build linux

package server_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"

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

// socketsSrc opens the sockets a package allowed to dial can.
const socketsSrc = `package sock

import (
	"context"
	"net/http"
	"time"
)

// Dial connects as net/http's transport would, sends ping and returns
// the first answer.
//
//microfn:service retry=1
func Dial(network, addr string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := http.DefaultTransport.(*http.Transport).DialContext(ctx, network, addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte("ping")); err != nil {
		return "", err
	}
	b := make([]byte, 64)
	n, err := conn.Read(b)
	return string(b[:n]), err
}
`

// standIns starts what a worker must not reach: a Unix socket standing in
// for /var/run/docker.sock, an abstract Unix socket, a UDP echo and a TCP
// server, all on this machine. Each answers "pong".
func standIns(t *testing.T) (unixPath, abstract, udp, tcp string) {
	t.Helper()
	serve := func(ln net.Listener) {
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				_, _ = c.Write([]byte("pong"))
				c.Close()
			}
		}()
		t.Cleanup(func() { ln.Close() })
	}
	unixPath = filepath.Join(t.TempDir(), "docker.sock")
	ln, err := net.Listen("unix", unixPath)
	if err != nil {
		t.Fatal(err)
	}
	serve(ln)
	abstract = fmt.Sprintf("@microfn-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	ln, err = net.Listen("unix", abstract)
	if err != nil {
		t.Fatal(err)
	}
	serve(ln)
	ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serve(ln)
	tcp = ln.Addr().String()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		b := make([]byte, 64)
		for {
			_, from, err := pc.ReadFrom(b)
			if err != nil {
				return
			}
			_, _ = pc.WriteTo([]byte("pong"), from)
		}
	}()
	return unixPath, abstract, pc.LocalAddr().String(), tcp
}

// TestWorkerSockets: with --allow net/http service code gets net/http's
// dialer, but the operating system refuses the worker every socket: a
// Unix socket of the host (docker.sock), an abstract one, UDP, TCP. With
// --allow net it may open TCP and UDP sockets, and still no Unix socket.
func TestWorkerSockets(t *testing.T) {
	t.Parallel()
	unixPath, abstract, udp, tcp := standIns(t)
	tests := []struct {
		name  string
		allow []string
		open  map[string]bool // the networks that connect
	}{
		{"net/http", []string{"net/http"}, map[string]bool{}},
		{"net/http and net", []string{"net/http", "net"}, map[string]bool{"udp": true, "tcp": true}},
		{"net/http, net and os", []string{"net/http", "net", "os"}, map[string]bool{"udp": true, "tcp": true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := microfntest.Start(t, map[string]string{"sock/sock.go": socketsSrc},
				server.WithIsolation(server.IsolatePackage), server.WithAllow(tc.allow...))
			for _, c := range []struct{ network, addr string }{
				{"unix", unixPath}, {"unix", abstract}, {"udp", udp}, {"tcp", tcp},
			} {
				r := in.Get("/sock/Dial?network=" + c.network + "&addr=" + url.QueryEscape(c.addr))
				switch {
				case tc.open[c.network] && (r.Status != 200 || body(r) != `"pong"`):
					t.Errorf("%s %s: %d %s, want pong", c.network, c.addr, r.Status, r.Body)
				case !tc.open[c.network] && (r.Status != 500 || !strings.Contains(problem(t, r).Detail, "socket: operation not permitted")):
					t.Errorf("%s %s: %d %s, want a 500 saying socket: operation not permitted", c.network, c.addr, r.Status, r.Body)
				}
			}
		})
	}
}

// procSrc reads /proc and signals a process, as a package with --allow
// io/ioutil or os can.
const procSrc = `package proc

import (
	"fmt"
	"io/ioutil"
)

//microfn:service retry=1
func Read(path string) (int, error) {
	b, err := ioutil.ReadFile(path)
	return len(b), err
}

//microfn:service retry=1
func WriteFD(fd int) error {
	return ioutil.WriteFile(fmt.Sprintf("/proc/self/fd/%d", fd), []byte("forged\n"), 0)
}
`

// procOSSrc adds what --allow os gives: opening files and signalling.
const procOSSrc = `package proc

import "os"

//microfn:service retry=1
func Open(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	return f.Close()
}

//microfn:service retry=1
func Signal(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Signal(os.Interrupt)
}
`

// TestWorkerProc: /proc shows a worker nothing: not its environment, not
// the host's sockets (/proc/self/net/unix), not other processes; its
// descriptors cannot be opened again for writing; and, with --allow os,
// it cannot signal a process outside it.
func TestWorkerProc(t *testing.T) {
	t.Parallel()
	if abi, err := syscall.LandlockGetABIVersion(); err != nil || abi < 6 {
		t.Skipf("this kernel's Landlock (ABI %d, %v) cannot scope signals", abi, err)
	}
	// Another process, which notes the signals it gets, in order.
	signalled := filepath.Join(t.TempDir(), "signalled")
	other := exec.Command("sh", "-c", `trap 'echo INT >> "$0"' INT; trap 'echo USR1 >> "$0"' USR1; while :; do sleep 1 & wait $!; done`, signalled)
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Process.Kill(); _ = other.Wait() })
	pid := other.Process.Pid
	for _, allow := range [][]string{{"io/ioutil"}, {"io/ioutil", "os"}} {
		t.Run(strings.Join(allow, ","), func(t *testing.T) {
			t.Parallel()
			files := map[string]string{"proc/proc.go": procSrc}
			if slices.Contains(allow, "os") {
				files["proc/os.go"] = procOSSrc
			}
			in := microfntest.Start(t, files, server.WithIsolation(server.IsolatePackage), server.WithAllow(allow...))
			refused := func(what, path, want string) {
				t.Helper()
				r := in.Get(path)
				if r.Status != 500 || !strings.Contains(problem(t, r).Detail, want) {
					t.Errorf("%s: %d %s, want a 500 saying %s", what, r.Status, r.Body, want)
				}
			}
			for _, p := range []string{"/proc/self/environ", "/proc/self/net/unix", "/proc/net/unix", "/proc/self/mem", "/proc/self/maps", fmt.Sprintf("/proc/%d/environ", pid), fmt.Sprintf("/proc/%d/cmdline", pid)} {
				refused("reading "+p, "/proc/Read?path="+p, "permission denied")
			}
			for _, fd := range []int{0, 1, 2} {
				refused(fmt.Sprintf("writing /proc/self/fd/%d", fd), fmt.Sprintf("/proc/WriteFD?fd=%d", fd), "no such device or address")
			}
			if !slices.Contains(allow, "os") {
				return
			}
			refused("opening /dev/stderr", "/proc/Open?path=/dev/stderr", "no such device or address")
			refused("signalling another process", fmt.Sprintf("/proc/Signal?pid=%d", pid), "operation not permitted")
			// A SIGUSR1 of the test's own comes after any SIGINT it got
			// (a pending SIGINT is delivered first).
			if err := other.Process.Signal(unix.SIGUSR1); err != nil {
				t.Fatal(err)
			}
			var got []byte
			microfntest.Eventually(t, 5*time.Second, func() (bool, string) {
				got, _ = os.ReadFile(signalled)
				return strings.Contains(string(got), "USR1"), fmt.Sprintf("the other process noted %q", got)
			})
			if strings.Contains(string(got), "INT") {
				t.Errorf("the other process got the worker's signal: %q", got)
			}
		})
	}
}

// TestWorkerSecretFiles: the files of the server's secrets cannot be read
// by a worker, even with --allow os, even in the served folder or
// through a symbolic link; the files beside them can.
func TestWorkerSecretFiles(t *testing.T) {
	t.Parallel()
	if abi, err := syscall.LandlockGetABIVersion(); err != nil || abi < 1 {
		t.Skip("no Landlock here")
	}
	outside := t.TempDir()
	secretOutside := filepath.Join(outside, "token")
	besideOutside := filepath.Join(outside, "beside")
	for _, f := range []string{secretOutside, besideOutside} {
		if err := os.WriteFile(f, []byte("content"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, allow := range [][]string{{"io/ioutil"}, {"io/ioutil", "os"}} {
		t.Run(strings.Join(allow, ","), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			microfntest.WriteFile(t, dir, "box/box.go", boxSrc)
			microfntest.WriteFile(t, dir, "box/data.txt", "inside the folder")
			microfntest.WriteFile(t, dir, "keys/chain-key", "secret in the folder")
			if err := os.Symlink(filepath.Join(dir, "keys/chain-key"), filepath.Join(dir, "box/link")); err != nil {
				t.Fatal(err)
			}
			in := microfntest.StartDir(t, dir, server.WithIsolation(server.IsolatePackage), server.WithAllow(append(allow, "net/http")...),
				server.WithSecretFiles(secretOutside, filepath.Join(dir, "keys/chain-key")))
			read := func(path string) (int, string) {
				r := in.Get("/box/Read?path=" + url.QueryEscape(path))
				if r.Status == 200 {
					return 200, body(r)
				}
				return r.Status, problem(t, r).Detail
			}
			for _, p := range []string{secretOutside, filepath.Join(dir, "keys/chain-key"), filepath.Join(dir, "box/link")} {
				if status, got := read(p); status != 500 || !strings.Contains(got, "permission denied") {
					t.Errorf("reading %s: %d %s, want permission denied", p, status, got)
				}
			}
			if status, got := read(filepath.Join(dir, "box/data.txt")); status != 200 || got != `"inside the folde"` {
				t.Errorf("reading a file of the served folder: %d %s", status, got)
			}
			if status, got := read(besideOutside); slices.Contains(allow, "os") != (status == 200) {
				t.Errorf("reading a file beside the secret, outside the folder: %d %s", status, got)
			}
		})
	}
}
