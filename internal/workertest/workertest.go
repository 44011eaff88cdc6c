// Package workertest is a real worker for the tests of packages
// supervisor and worker: a test binary whose TestMain begins with
//
//	if protocol.IsWorker() {
//		os.Exit(workertest.Main())
//	}
//
// is a worker executable, started by a supervisor (or by a test that
// speaks the server's side of package protocol itself), as the Go command
// builds one with service code compiled in (package compile): [Main] is
// worker.Main with worker.CompiledLoader, and the services are ordinary Go
// functions of this package, described from their source as every
// compiled package's are. Nothing in it stands in for the worker: the
// process reads its Spec, confines itself, sends its signed Ready message
// and serves its connection as any worker does.
//
// [Spec] and [Package] make the Spec that loads them. Besides the package
// of services ([Services]), there are packages whose loading fails in
// each way a package's can: [CrashAtLoad] (a fatal error, as an init
// function can cause), [HangAtLoad] (an init function that does not
// return) and [Broken] (a syntax error).
package workertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"syscall"
	"time"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/svcrt"
	"github.com/microfn/microfn/worker"
)

// The packages a worker of this package can load, by name: see [Package].
const (
	// Services is the package of services (see [Source]).
	Services = "svc"
	// CrashAtLoad is a package whose loading ends the process with a
	// fatal error of the Go runtime (a stack overflow, under the Spec's
	// MaxStack), as a package-level initialiser of interpreted code can.
	CrashAtLoad = "crashatload"
	// HangAtLoad is a package whose loading never returns, as an init
	// function with an endless loop.
	HangAtLoad = "hangatload"
	// Broken is a package with a syntax error in its line 3: it fails to
	// load, with the error's position.
	Broken = "broken"
)

// MaxStack is the largest goroutine stack of a worker of [Spec]: a
// service's endless recursion ends as a stack overflow quickly.
const MaxStack = 4 << 20

// importPath returns the import path of the package name.
func importPath(name string) string { return "example.com/workertest/" + name }

// Source is the source of the package [Services]: what the worker parses
// to describe the services, which the functions of this file implement.
const Source = `package svc

import (
	"bytes"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Echo answers s.
//
//microfn:service
func Echo(s string) string { return s }

// PID answers the process id of the worker that runs it.
//
//microfn:service
func PID() int { return os.Getpid() }

// Env answers the environment the service code sees.
//
//microfn:service
func Env() []string { return os.Environ() }

// Double answers 2n.
//
//microfn:service
func Double(n int) int { return 2 * n }

// Quadruple calls Double twice, through its proxy.
//
//microfn:service
func Quadruple(n int) int { return Double(Double(n)) }

// Overflow recurses without end: a stack overflow, a fatal error.
//
//microfn:service
func Overflow(n int) int { return Overflow(n+1) + 1 }

// GoPanic panics on a goroutine of its own, where no recover catches it:
// the process ends.
//
//microfn:service
func GoPanic(msg string) int {
	go func() { panic(msg) }()
	time.Sleep(time.Hour)
	return 0
}

// Forge prints a line that looks like the Go runtime's report of a fatal
// error, then overflows its stack for real.
//
//microfn:service
func Forge(msg string) int {
	fmt.Fprintln(os.Stderr, "fatal error: "+msg)
	return Overflow(0)
}

// Exit prints msg and ends the process with code.
//
//microfn:service
func Exit(code int, msg string) int {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(code)
	return 0
}

// Hang runs for an hour, whatever its deadline.
//
//microfn:service
func Hang() int {
	time.Sleep(time.Hour)
	return 0
}

// Print writes s to standard output and to the worker's channel, as
// service code may, and answers it.
//
//microfn:service
func Print(s string) string {
	fmt.Println(s)
	syscall.Write(3, []byte(s))
	return s
}

// Scribble writes what is not the protocol on the worker's connection:
// on every socket past the channel.
//
//microfn:service
func Scribble() int {
	for fd := 4; fd < 1024; fd++ {
		var st syscall.Stat_t
		if syscall.Fstat(fd, &st) == nil && st.Mode&syscall.S_IFMT == syscall.S_IFSOCK {
			syscall.Write(fd, bytes.Repeat([]byte{0xff}, 16))
		}
	}
	time.Sleep(time.Hour)
	return 0
}
`

// The services of [Source], compiled in.

func echo(s string) string { return s }

func pid() int { return os.Getpid() }

func env() []string { return os.Environ() }

func double(n int) int { return 2 * n }

// quadruple calls Double twice through its proxy: each is a nested
// call, which the worker sends to its server on behalf of the attempt
// that runs quadruple.
func quadruple(n int) int { return proxyDouble(proxyDouble(n)) }

// proxyDouble is the proxy of Double, as microfn generates it for
// compiled code (a service without a context, nor an error result): a
// failed call panics, and the calling service's boundary recovers it.
func proxyDouble(n int) (r int) {
	svcrt.MustCallService(nil, importPath(Services), doubleIndex, []any{&n, &r})
	return
}

// doubleIndex is the index of Double among the services of [Source], in
// the order of the source.
const doubleIndex = 3

func overflow(n int) int { return overflow(n+1) + 1 }

func goPanic(msg string) int {
	go func() { panic(msg) }()
	time.Sleep(time.Hour)
	return 0
}

func forge(msg string) int {
	fmt.Fprintln(os.Stderr, "fatal error: "+msg)
	return overflow(0)
}

func exit(code int, msg string) int {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(code)
	return 0
}

func hang() int {
	time.Sleep(time.Hour)
	return 0
}

func printOut(s string) string {
	fmt.Println(s)
	_, _ = syscall.Write(protocol.ChannelFD, []byte(s))
	return s
}

func scribble() int {
	for fd := protocol.ConnFD; fd < 1024; fd++ {
		var st syscall.Stat_t
		if syscall.Fstat(fd, &st) == nil && st.Mode&syscall.S_IFMT == syscall.S_IFSOCK {
			_, _ = syscall.Write(fd, bytes.Repeat([]byte{0xff}, 16))
		}
	}
	time.Sleep(time.Hour)
	return 0
}

// sources are the source files of each package, by name.
var sources = map[string]string{
	Services:    Source,
	CrashAtLoad: "package crashatload\n\n//microfn:service\nfunc Nothing() int { return 0 }\n",
	HangAtLoad:  "package hangatload\n\n//microfn:service\nfunc Nothing() int { return 0 }\n",
	Broken:      "package broken\n\nfunc (\n",
}

// atLoad is what loading each package does before its services are bound,
// as the init functions of a package run while the interpreter loads it.
var atLoad = map[string]func(){
	importPath(CrashAtLoad): func() { overflow(0) },
	importPath(HangAtLoad):  func() { select {} },
}

// noErrors are the generated functions over the error variables of a
// package that has none.
var (
	noErrorsIs = func(error) []string { return nil }
	noErrorVar = func(string) error { return nil }
)

// Main runs the worker, and returns its exit code.
func Main() int {
	compiled := worker.CompiledLoader(nil,
		worker.CompiledPackage{Path: importPath(Services), ErrorsIs: noErrorsIs, ErrorVar: noErrorVar, Impls: map[string]any{
			"Echo": echo, "PID": pid, "Env": env, "Double": double, "Quadruple": quadruple, "Overflow": overflow,
			"GoPanic": goPanic, "Forge": forge, "Exit": exit, "Hang": hang, "Print": printOut, "Scribble": scribble,
		}},
		worker.CompiledPackage{Path: importPath(CrashAtLoad), ErrorsIs: noErrorsIs, ErrorVar: noErrorVar, Impls: map[string]any{"Nothing": pid}},
		worker.CompiledPackage{Path: importPath(HangAtLoad), ErrorsIs: noErrorsIs, ErrorVar: noErrorVar, Impls: map[string]any{"Nothing": pid}},
	)
	load := func(ctx context.Context, spec *protocol.Spec, p *protocol.PackageSpec, call svcrt.CallFunc, logger *slog.Logger) (*svcrt.Package, error) {
		if f := atLoad[p.CompiledPath]; f != nil {
			f()
		}
		return compiled(ctx, spec, p, call, logger)
	}
	return worker.Main(worker.Code{Load: load})
}

// Package returns the spec of the package name ([Services], [CrashAtLoad],
// [HangAtLoad] or [Broken]) in the directory rel of the served folder: its
// routes begin with worker.RoutePrefix(rel).
func Package(rel, name string) protocol.PackageSpec {
	src, ok := sources[name]
	if !ok {
		panic("workertest: no package " + name) // a test's mistake
	}
	prepared, _ := json.Marshal(map[string]any{"importPath": importPath(name), "deps": []*funcs.PackageSource{}})
	return protocol.PackageSpec{
		Rel:          rel,
		Files:        []funcs.SourceFile{{Name: name + ".go", Src: []byte(src)}},
		Prepared:     prepared,
		ImportPath:   importPath(name),
		CompiledPath: importPath(name),
	}
}

// Spec returns the spec of a worker of pkgs, served from root, with the
// server's default policy, a stack of at most [MaxStack] and the
// operating system's sandbox on. A supervisor sets its LogKey and its
// temporary folder.
func Spec(root string, pkgs ...protocol.PackageSpec) protocol.Spec {
	return protocol.Spec{
		Root:     root,
		Packages: pkgs,
		Limits:   protocol.Limits{MaxStack: MaxStack},
		Settings: protocol.Settings{MaxDepth: 10, BodyLimit: 1 << 20, Defaults: policy.Default(), Quiet: true},
	}
}

// Route returns the route of the service name of the package in rel.
func Route(rel, name string) string {
	return worker.RoutePrefix(rel) + name
}

// Timeout bounds how long a test waits for a worker to do what it must:
// start, answer, end. Workers share a loaded machine with the tests that
// run in parallel, so it is generous; a test that passes does not wait
// for it.
const Timeout = 30 * time.Second
