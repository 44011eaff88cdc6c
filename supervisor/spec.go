package supervisor

import (
	"encoding/json"
	"fmt"
	"go/token"
	"os"

	"github.com/microfn/microfn/funcs"
)

// EnvWorker is the environment variable that makes an executable a
// worker: a supervisor sets it on the processes it starts. Every program
// that starts a [Group] must call its worker side when it is set (see
// [IsWorker]).
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
	// Key signs the messages of the worker's channel (see [Channel]).
	// Set by the supervisor, a new one for every worker process.
	Key []byte `json:"key"`
	// Limits bound the worker process.
	Limits Limits `json:"limits"`
	// Sandbox is what the operating system lets the worker reach.
	Sandbox Sandbox `json:"sandbox"`
	// Settings are the serving settings of the worker, opaque to the
	// supervisor (the worker's server reads them).
	Settings json.RawMessage `json:"settings,omitempty"`
}

// A PackageSpec is one package of a Spec.
type PackageSpec struct {
	// Rel is the package's directory relative to Root, "." for Root.
	Rel string `json:"rel"`
	// Files are its source files.
	Files []funcs.SourceFile `json:"files"`
	// Prepared is the package checked and rewritten for the interpreter
	// by the supervisor, with the packages it imports from source (an
	// interp.Prepared in JSON), so that the worker only runs it.
	Prepared json.RawMessage `json:"prepared"`
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
// worker never reaches /proc (but its own descriptors' sockets, which no
// one can open), Hidden, nor any socket but its own connections, which
// its supervisor makes (see [Broker]); OpenFS and OpenNet widen the rest.
type Sandbox struct {
	// Off turns the restrictions off (--unrestricted).
	Off bool `json:"off,omitempty"`
	// ReadDirs may be read: the served folder, and what Go reads at run
	// time (time zones, certificates, name resolution).
	ReadDirs []string `json:"read_dirs,omitempty"`
	// ReadFiles may be read, where they exist.
	ReadFiles []string `json:"read_files,omitempty"`
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
}

// Ready is the message a worker sends on its channel (see [Channel]) once
// it has loaded its packages, or has failed to load them.
type Ready struct {
	// Failed maps the packages that failed to load to their errors.
	Failed map[string][]LoadError `json:"failed,omitempty"`
	// Loaded lists the packages that loaded and are served.
	Loaded []string `json:"loaded,omitempty"`
	// Warnings say what the worker could not enforce, such as a kernel
	// without Landlock.
	Warnings []string `json:"warnings,omitempty"`
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
