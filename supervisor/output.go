package supervisor

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/microfn/microfn/protocol"
)

// maxLine bounds one line of a worker's output: the rest of a longer line
// is dropped, so a worker printing without newlines cannot make the
// supervisor buffer without bound.
const maxLine = 64 << 10

// maxCrashLines bounds the crash output kept for the log: the first lines
// of a fatal error are what matter, and a goroutine dump of a big program
// can be very long.
const maxCrashLines = 400

// holdFor is how long the supervisor holds what looks like the start of
// the Go runtime's fatal error report before it logs it as ordinary
// output: the runtime ends the process right after writing its report, so
// a process still alive after holdFor printed it itself.
const holdFor = 3 * time.Second

// readLines calls line for every line of r, each at most maxLine bytes
// long, until r ends.
func readLines(r io.Reader, line func([]byte)) {
	br := bufio.NewReaderSize(r, 4096)
	var buf []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if len(chunk) > 0 && len(buf) < maxLine {
			buf = append(buf, chunk[:min(len(chunk), maxLine-len(buf))]...)
		}
		if err != nil {
			if len(buf) > 0 {
				line(buf)
			}
			return
		}
		if !isPrefix {
			line(buf)
			buf = buf[:0]
		}
	}
}

// reportStarts start the Go runtime's report of a fatal error or an
// unrecovered panic; "runtime: " lines may come just before it (a stack
// overflow: "runtime: goroutine stack exceeds …", then "fatal error:
// stack overflow").
var reportStarts = []string{"fatal error: ", "panic: ", "fatal: ", "unexpected fault address ",
	"SIGABRT: ", "SIGBUS: ", "SIGFPE: ", "SIGILL: ", "SIGQUIT: ", "SIGSEGV: ", "SIGTRAP: "}

func startsReport(line string) bool {
	for _, m := range reportStarts {
		if strings.HasPrefix(line, m) {
			return true
		}
	}
	return false
}

// escapeControl replaces control characters, so that what service code
// prints cannot forge log lines or terminal escapes.
func escapeControl(r rune) rune {
	if r == '\t' {
		return r
	}
	if r < 0x20 || r == 0x7f {
		return '?'
	}
	return r
}

// workerOutput is what one worker process writes.
//
// Everything on its standard output and error is service output: each
// line is logged as text, escaped, labelled with the package and the
// worker's pid (and the stream), never read as a log record. The worker's
// own log records come on its channel, signed (see protocol.Channel). The crash
// reason comes from how the process ended and from the Go runtime's final
// report on standard error — the last report, which the process's
// output ends with — never from text printed before it.
type workerOutput struct {
	// name is who the process works for; a spare process gets it when
	// it is taken (see Spares), before it is sent its Spec.
	name atomic.Pointer[outputName]
	key  []byte // the signature key of the worker's channel (protocol.Spec.LogKey)
	pid  int

	// ready holds the parts of the Ready message read so far; readyDone
	// is set once it is complete. Only the goroutine reading the channel
	// uses them.
	ready     []byte
	readyDone bool

	mu sync.Mutex // guards the fields below
	// held are lines of standard error not logged yet: "runtime: "
	// lines, which a report may follow, and the report begun at
	// held[reportAt] (reportAt is -1 without one), its first lines.
	held     []string
	reportAt int
	logged   int         // how many lines of held have been logged
	flushed  bool        // the process lived on for holdFor after the report
	timer    *time.Timer // logs the held lines after holdFor
	last     string      // the last line of service output that was not blank
	done     bool        // finish was called
}

// An outputName is who a process works for, as its output is logged.
type outputName struct {
	logger *slog.Logger // labelled with the package, when the group runs one
	// ownPackage is set when logger carries the package: the package
	// attribute of the worker's records is then dropped. Otherwise label
	// labels its output.
	ownPackage bool
	label      string
	// what names the process in the reasons of its end: "the worker" or
	// "the prepare process".
	what string
}

func newWorkerOutput(logger *slog.Logger, ownPackage bool, label string, key []byte) *workerOutput {
	o := &workerOutput{key: key, reportAt: -1}
	o.rename(outputName{logger: logger, ownPackage: ownPackage, label: label, what: "the worker"})
	return o
}

// rename sets who the process works for.
func (o *workerOutput) rename(n outputName) { o.name.Store(&n) }

// rawLine handles one line of the worker's standard output or error.
func (o *workerOutput) rawLine(stream string, b []byte) {
	text := strings.Map(escapeControl, string(b))
	o.mu.Lock()
	defer o.mu.Unlock()
	if strings.TrimSpace(text) != "" {
		o.last = text
	}
	if stream == "stderr" {
		switch {
		case startsReport(text):
			if o.reportAt >= 0 {
				// The process lived on after a report: it was not the
				// runtime's. The "runtime: " lines that end it are this
				// report's.
				tail := len(o.held)
				for tail > o.reportAt+1 && strings.HasPrefix(o.held[tail-1], "runtime: ") {
					tail--
				}
				run := append([]string(nil), o.held[tail:]...)
				o.held = o.held[:tail]
				o.resetLocked()
				o.held = run
			}
			o.reportAt, o.flushed = len(o.held), false
			o.held = append(o.held, text)
			o.holdLocked()
			return
		case o.reportAt < 0 && strings.HasPrefix(text, "runtime: ") && len(o.held) < maxCrashLines:
			o.held = append(o.held, text)
			o.holdLocked()
			return
		case o.reportAt >= 0 && !o.flushed:
			if len(o.held) < maxCrashLines {
				o.held = append(o.held, text)
			}
			o.holdLocked()
			return
		}
		o.resetLocked()
	}
	o.logLine(stream, text)
}

// logLine logs one line of service output.
func (o *workerOutput) logLine(stream, text string) {
	n := o.name.Load()
	if n.ownPackage {
		n.logger.Warn(text, "pid", o.pid, "stream", stream)
		return
	}
	n.logger.Warn(text, "package", n.label, "pid", o.pid, "stream", stream)
}

// holdLocked (re)arms the timer that logs the held lines. The caller
// holds o.mu.
func (o *workerOutput) holdLocked() {
	if o.done {
		return
	}
	if o.timer == nil {
		o.timer = time.AfterFunc(holdFor, o.flush)
		return
	}
	o.timer.Reset(holdFor)
}

// flush logs the held lines: the process lived on after them. They stay
// the last report until more output shows it was not.
func (o *workerOutput) flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked()
	o.flushed = true
}

// flushLocked logs the held lines not yet logged. The caller holds o.mu.
func (o *workerOutput) flushLocked() {
	for _, l := range o.held[min(o.logged, len(o.held)):] {
		o.logLine("stderr", l)
	}
	o.logged = len(o.held)
}

// resetLocked logs the held lines and forgets them. The caller holds
// o.mu.
func (o *workerOutput) resetLocked() {
	o.flushLocked()
	o.held, o.reportAt, o.logged, o.flushed = nil, -1, 0, false
}

// finish is called once the process has exited and its output is read:
// it returns why the process ended and, when it died of a fatal error of
// the Go runtime, the runtime's report; held lines that are not that
// report are logged.
func (o *workerOutput) finish(state *os.ProcessState) (reason, report string) {
	return o.conclude(describeExit(o.name.Load().what, state), runtimeDeath(state))
}

// describeExit says how a process, what, ended.
func describeExit(what string, state *os.ProcessState) string {
	if state == nil {
		return what + " ended"
	}
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return what + " was killed by signal " + ws.Signal().String()
	}
	return what + " exited (" + state.String() + ")"
}

// conclude is finish for a process that ended as how says, of a fatal
// error of the Go runtime if runtimeDied.
func (o *workerOutput) conclude(how string, runtimeDied bool) (reason, report string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.done = true
	if o.timer != nil {
		o.timer.Stop()
	}
	if o.reportAt >= 0 && runtimeDied {
		first := o.held[0]
		for _, p := range []string{"fatal error: ", "runtime: "} {
			first = strings.TrimPrefix(first, p)
		}
		return strings.TrimSpace(first), strings.Join(o.held, "\n")
	}
	o.flushLocked()
	if o.last != "" {
		// No fatal error: the code ended the process (log.Fatal and
		// the like), and the last line it printed says why.
		return how + " after printing: " + strings.TrimSpace(o.last), ""
	}
	return how, ""
}

// runtimeDeath reports whether a process ended as the Go runtime ends one
// on a fatal error or an unrecovered panic: exit status 2, or a signal
// it re-raises (GOTRACEBACK=crash, or a fault outside Go code).
func runtimeDeath(state *os.ProcessState) bool {
	if state == nil {
		return false
	}
	ws, ok := state.Sys().(syscall.WaitStatus)
	if !ok {
		return state.ExitCode() == 2
	}
	if ws.Signaled() {
		switch ws.Signal() {
		case syscall.SIGABRT, syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGFPE, syscall.SIGILL, syscall.SIGTRAP, syscall.SIGQUIT:
			return true
		}
		return false
	}
	return ws.Exited() && ws.ExitStatus() == 2
}

// maxReady bounds the Ready message a process may send in parts: a
// prepare process's carries the prepared code.
const maxReady = 1 << 30

// errReadyTooLarge is the error of a Ready message past maxReady.
var errReadyTooLarge = errors.New("its ready message is larger than 1 GiB")

// message handles one message of the worker's channel: a signed log
// record is logged as the worker's, a signed part of its Ready message is
// kept; anything else is service output. Once the last part of the Ready
// message has come, it returns the message, or why it cannot be had,
// with complete set. It is called from one goroutine, which reads the
// channel.
func (o *workerOutput) message(msg []byte) (ready []byte, err error, complete bool) {
	kind, payload, ok := protocol.VerifyChannelMessage(o.key, msg)
	switch {
	case ok && (kind == protocol.ChannelReadyPart || kind == protocol.ChannelReady):
		if o.readyDone {
			return nil, nil, false // a Ready message is sent once
		}
		if len(o.ready)+len(payload) > maxReady {
			o.readyDone, o.ready = true, nil
			return nil, errReadyTooLarge, true
		}
		o.ready = append(o.ready, payload...)
		if kind == protocol.ChannelReadyPart {
			return nil, nil, false
		}
		o.readyDone = true
		ready, o.ready = o.ready, nil
		return ready, nil, true
	case ok && kind == protocol.ChannelRecord && o.record(payload):
		return nil, nil, false
	}
	// Written by service code, or cut: text, as any output.
	text := strings.Map(escapeControl, string(msg))
	o.mu.Lock()
	if strings.TrimSpace(text) != "" {
		o.last = text
	}
	o.mu.Unlock()
	o.logLine("channel", text)
	return nil, nil, false
}

// record logs a JSON log record of the worker through the supervisor's
// logger, keeping its level, message and attributes in order, and adding
// the worker's pid. It reports false if b is not such a record.
func (o *workerOutput) record(b []byte) bool {
	n := o.name.Load()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	level := slog.LevelInfo
	msg, ok := "", false
	var attrs []any
	stream := false
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return false
		}
		key, _ := kt.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return false
		}
		switch key {
		case slog.TimeKey:
		case slog.LevelKey:
			if str, isStr := v.(string); isStr {
				_ = level.UnmarshalText([]byte(str))
			}
		case slog.MessageKey:
			msg, ok = v.(string)
		case "package":
			if !n.ownPackage {
				attrs = append(attrs, key, v)
			}
		case "pid":
		default:
			if key == "stream" {
				stream = true
			}
			attrs = append(attrs, key, v)
		}
	}
	if !ok {
		return false
	}
	if stream && strings.TrimSpace(msg) != "" {
		// What service code printed, through the interpreter.
		o.mu.Lock()
		o.last = msg
		o.mu.Unlock()
	}
	n.logger.Log(context.Background(), level, msg, append(attrs, "pid", o.pid)...)
	return true
}
