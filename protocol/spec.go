package protocol

import (
	"encoding/json"
	"fmt"
	"go/token"
	"os"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/state/dbconf"
)

// EnvWorker is the environment variable that makes an executable a
// worker: a supervisor sets it on the processes it starts. Every program
// that starts workers from its own executable must run the worker's main
// when it is set (see [IsWorker]).
const EnvWorker = "MICROFN_WORKER"

// IsWorker reports whether this process was started as a worker.
func IsWorker() bool { return os.Getenv(EnvWorker) == "1" }

// A Spec is what a worker loads and how it runs: the supervisor writes it
// as one JSON line on the worker's standard input.
type Spec struct {
	// Root is the served directory. Positions in load errors are in it.
	Root string `json:"root"`
	// Packages are the packages the worker loads, with their sources as
	// the supervisor read them: the worker reads no files.
	Packages []PackageSpec `json:"packages"`
	// LogKey signs the messages the worker sends on its channel (see
	// [Channel]): its Ready message and its own log records. The
	// supervisor makes a new one for every process; it authenticates the
	// worker's own messages to its supervisor and grants nothing else (no
	// call, no chain: those are the server's alone).
	LogKey []byte `json:"log_key"`
	// PeerKey, for the worker of one package, is the key the server
	// signs that package's capabilities with (see Capability), and the
	// worker the records of the calls it serves from other workers: that
	// worker and the server alone hold it.
	PeerKey []byte `json:"peer_key,omitempty"`
	// Limits bound the worker process.
	Limits Limits `json:"limits"`
	// Sandbox is what the operating system lets the worker reach.
	Sandbox Sandbox `json:"sandbox"`
	// Settings are how the worker runs its packages' code.
	Settings Settings `json:"settings"`
	// State is where the databases of service code live.
	State dbconf.Config `json:"state,omitempty"`
	// Prepare, if set, makes the process a prepare process: it checks
	// and rewrites Packages for the interpreter (or only checks those
	// marked CheckOnly), sends the outcome as its Ready message and
	// exits.
	// It runs no service code, and has no connection to the server.
	Prepare *PrepareSpec `json:"prepare,omitempty"`
	// Warmup marks a line a spare prepare process may be given before
	// its Spec (see supervisor.Spares): only its Prepare.Exports are set,
	// the export data of the standard packages the last prepare
	// imported, which the process reads while it waits. The Spec follows
	// on the next line.
	Warmup bool `json:"warmup,omitempty"`
}

// Settings are how a worker runs its packages' code, as its server was
// told to.
type Settings struct {
	// Monolith keeps nested calls of the package's own services in the
	// worker (--monolith).
	Monolith bool `json:"monolith,omitempty"`
	// Unrestricted and Allow widen the interpreter's sandbox (--allow).
	Unrestricted bool     `json:"unrestricted,omitempty"`
	Allow        []string `json:"allow,omitempty"`
	// Env is the environment service code is given ("NAME=VALUE"
	// entries, --env and --secret): what the interpreter's os.Getenv, os.LookupEnv and
	// os.Environ read, and the worker process's own environment once it
	// has started (see package worker), so that compiled code reads the
	// same. Nothing else of the server's environment reaches a worker.
	Env []string `json:"env,omitempty"`
	// MaxDepth is the deepest a call chain may go.
	MaxDepth int `json:"max_depth"`
	// Procs, unless 0, is how many threads run the worker's Go code at
	// once (its GOMAXPROCS); 0 leaves the runtime's choice.
	Procs int `json:"procs,omitempty"`
	// BodyLimit bounds the body of a call, in bytes.
	BodyLimit int `json:"body_limit"`
	// Defaults are the server's default policy, which services'
	// annotations change.
	Defaults policy.Policy `json:"defaults"`
	// Quiet turns off the log lines of nested calls made in the worker.
	Quiet bool `json:"quiet,omitempty"`
	// MaxResponse bounds the body of an answer, in bytes; 0 for no bound.
	MaxResponse int64 `json:"max_response,omitempty"`
}

// A PrepareSpec is what a prepare process needs besides the packages it
// prepares.
type PrepareSpec struct {
	// Sources are the packages that Packages import from source,
	// directly or not, each once.
	Sources []SourcePackage `json:"sources,omitempty"`
	// Exports are the files of the export data of the standard
	// library's packages they import, by import path (what go list
	// -export finds): a prepare process does not run the go command.
	Exports map[string]string `json:"exports,omitempty"`
}

// A SourcePackage is a package imported from source, as the supervisor
// found it.
type SourcePackage struct {
	// ImportPath is the path it is imported by.
	ImportPath string `json:"import_path"`
	// Dir is its directory, for positions.
	Dir string `json:"dir,omitempty"`
	// Files are its source files.
	Files []funcs.SourceFile `json:"files,omitempty"`
	// Err is why the package the path names cannot be had (a module
	// missing from the cache, a file that does not parse), if it cannot.
	Err string `json:"err,omitempty"`
}

// A PackageSpec is one package of a Spec.
type PackageSpec struct {
	// Rel is the package's directory relative to Root, "." for Root.
	Rel string `json:"rel"`
	// Files are its source files.
	Files []funcs.SourceFile `json:"files"`
	// Prepared is the package checked and rewritten for the interpreter
	// by a prepare process, with the packages it imports from source (an
	// interp.Prepared in JSON), so that the worker only runs it. Unset
	// for a prepare process.
	Prepared json.RawMessage `json:"prepared,omitempty"`
	// ImportPath is its import path in the served module, if any.
	ImportPath string `json:"import_path,omitempty"`
	// CheckOnly asks a prepare process to check the package without
	// rewriting it: nothing of it runs (a library, or a package served
	// elsewhere).
	CheckOnly bool `json:"check_only,omitempty"`
	// CompiledPath is the import path the package was compiled as, for a
	// worker executable with the package's code compiled in; empty for
	// one that interprets it.
	CompiledPath string `json:"compiled_path,omitempty"`
}

// Limits bound the resources of one worker process.
type Limits struct {
	// MaxMemory is the most memory the worker's heap may map, in bytes
	// (RLIMIT_DATA, with the Go runtime's soft limit a little below it);
	// 0 means no limit.
	MaxMemory int64 `json:"max_memory"`
	// MaxStack is the largest stack of one goroutine, in bytes: deeper
	// recursion ends as a stack overflow. 0 means Go's default (1 GB).
	MaxStack int64 `json:"max_stack"`
	// MaxOpenFiles bounds the open file descriptors (RLIMIT_NOFILE); 0
	// means the inherited limit.
	MaxOpenFiles uint64 `json:"max_open_files"`
	// MaxFileSize bounds the size of a file the worker writes
	// (RLIMIT_FSIZE); 0 means no limit.
	MaxFileSize int64 `json:"max_file_size"`
	// MaxTempSize bounds the space the files of the worker's private
	// temporary folder take together; 0 means no limit. The supervisor
	// keeps account as the kernel reports each write (inotify) and ends
	// a worker past it, a moment after the write that passed it, which
	// is then a crash; no file may take more than it (RLIMIT_FSIZE).
	MaxTempSize int64 `json:"max_temp_size"`
}

// Sandbox is what a worker process may reach, enforced by the operating
// system (Landlock and seccomp on Linux) under the interpreter's own
// sandbox, so that a way around the latter still meets the former. A
// worker never reaches /proc, nor Hidden; it creates no socket (its
// connection to the server is the one it is started with, ConnFD) but,
// with OpenNet, TCP and UDP ones; OpenFS widens the file system.
type Sandbox struct {
	// Off turns the restrictions off (--unrestricted).
	Off bool `json:"off,omitempty"`
	// ReadDirs may be read: the served folder, and what Go reads at run
	// time (time zones, certificates, name resolution).
	ReadDirs []string `json:"read_dirs,omitempty"`
	// ReadFiles may be read, where they exist.
	ReadFiles []string `json:"read_files,omitempty"`
	// WriteDirs may be read and written: the folder of the SQLite
	// databases of service code.
	WriteDirs []string `json:"write_dirs,omitempty"`
	// Hidden may never be read or written, even with OpenFS: the files of
	// the server's secrets (--token-file, --chain-key-file).
	Hidden []string `json:"hidden,omitempty"`
	// TempDir is the worker's private temporary folder, which it may
	// read and write: the supervisor makes it, and removes it with the
	// worker. Set by the supervisor.
	TempDir string `json:"temp_dir,omitempty"`
	// OpenFS lifts the file system restriction (--allow os), but for
	// /proc and Hidden.
	OpenFS bool `json:"open_fs,omitempty"`
	// OpenNet lets the worker open TCP and UDP sockets, over IPv4 and
	// IPv6, to any address (--allow net). Other sockets stay refused.
	OpenNet bool `json:"open_net,omitempty"`
	// DatabasePorts are the TCP ports of the PostgreSQL databases of
	// service code: without OpenNet, the worker may open TCP sockets and
	// connect them to these ports only (the driver connects from the
	// worker's process).
	DatabasePorts []int `json:"database_ports,omitempty"`
}

// Ready is the message a worker sends on its channel (see [Channel]) once
// it has loaded its packages and serves, or has failed to load them; a
// prepare process sends its outcome as one.
type Ready struct {
	// Failed maps the packages that failed to load to their errors.
	Failed map[string][]LoadError `json:"failed,omitempty"`
	// Loaded lists the packages that loaded and are served.
	Loaded []string `json:"loaded,omitempty"`
	// Warnings say what the worker could not enforce, such as a kernel
	// without Landlock.
	Warnings []string `json:"warnings,omitempty"`
	// Prepared maps the packages a prepare process prepared to their
	// code (an interp.Prepared in JSON; null for a package it only
	// checked).
	Prepared map[string]json.RawMessage `json:"prepared,omitempty"`
}

// A LoadError is one load error of a package: a position, when the error
// has one, and the message.
type LoadError struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	Msg    string `json:"msg"`
}

// LoadErrors turns a load error into LoadErrors, keeping the positions of
// a funcs.ErrorList or funcs.SourceError.
func LoadErrors(err error) []LoadError {
	var out []LoadError
	add := func(e *funcs.SourceError) {
		out = append(out, LoadError{File: e.Pos.Filename, Line: e.Pos.Line, Column: e.Pos.Column, Msg: e.Msg})
	}
	switch e := err.(type) {
	case funcs.ErrorList:
		for _, se := range e {
			add(se)
		}
	case *funcs.SourceError:
		add(e)
	default:
		out = append(out, LoadError{Msg: err.Error()})
	}
	return out
}

// Err turns LoadErrors back into the error the worker saw: a
// funcs.ErrorList when they have positions.
func Err(list []LoadError) error {
	if len(list) == 1 && list[0].File == "" {
		return fmt.Errorf("%s", list[0].Msg)
	}
	var out funcs.ErrorList
	for _, e := range list {
		out = append(out, &funcs.SourceError{Pos: token.Position{Filename: e.File, Line: e.Line, Column: e.Column}, Msg: e.Msg})
	}
	return out
}

// The file descriptors a worker is started with. Every one is one end of
// a Unix socket pair, never a pipe: a pipe can be opened again through
// /proc/self/fd/N, for writing too, and a socket cannot (ENXIO), so
// service code can reach them only through the descriptors themselves.
const (
	// StdinFD carries the Spec, one JSON line, and then nothing: it
	// closes when the server is done with the worker, or dies, and the
	// worker then exits. StdoutFD and StderrFD carry what the process
	// prints, which its server logs as service output (text, labelled
	// with the package, the process id and the stream), never as a
	// record: the Go runtime's report of a fatal error comes there too.
	StdinFD, StdoutFD, StderrFD = 0, 1, 2
	// ChannelFD is the worker's channel to its server, a socket that
	// keeps messages apart (SOCK_SEQPACKET on Linux): the worker's Ready
	// message, then the worker's own log records, each message signed
	// with the Spec's LogKey (see [Channel]). A message without that
	// signature, as service code can write one on the descriptor, is
	// logged as service output.
	ChannelFD = 3
	// ConnFD is the worker's end of its connection to the server (a
	// stream socket), which the protocol's calls cross in both
	// directions. A prepare process has none.
	ConnFD = 4
)
