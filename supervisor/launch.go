package supervisor

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/microfn/microfn/protocol"
)

// RuntimeEnv are the variables of the supervisor's environment a worker
// process is started with as they are: they set the Go runtime
// (GOMAXPROCS, GOGC, GOMEMLIMIT, GOTRACEBACK), its race detector (GORACE)
// and its coverage counters (GOCOVERDIR) as the process starts, and are no
// secret. The worker removes them from its environment before any service
// code runs, unless they are among the variables service code is given
// (see package worker). GODEBUG is not among them: the runtime reads it
// again when it changes, so a worker has it only if service code is given
// it.
var RuntimeEnv = []string{"GOMAXPROCS", "GOGC", "GOMEMLIMIT", "GOTRACEBACK", "GORACE", "GOCOVERDIR"}

// workerEnv is the environment a worker process is started with:
// protocol.EnvWorker, TMPDIR pointing at its private temporary folder tmp
// (if any), the variables of RuntimeEnv the supervisor's environment
// environ has, and extra, the variables service code is given
// (protocol.Settings.Env). Nothing else of the supervisor's environment,
// whose secrets (MICROFN_TOKEN, MICROFN_CHAIN_KEY, …) stay in it.
func workerEnv(environ, extra []string, tmp string) []string {
	env := []string{protocol.EnvWorker + "=1"}
	if tmp != "" {
		env = append(env, "TMPDIR="+tmp)
	}
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if slices.Contains(RuntimeEnv, name) {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// newLogKey returns a new key for the signatures of a process's channel
// (protocol.Spec.LogKey).
func newLogKey() []byte {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return key
}

// A launched is a worker or prepare process just started, with the
// supervisor's ends of its descriptors (see package protocol): its
// standard input, and its connection if it has one. Its output and its
// channel are read into out from the start.
type launched struct {
	cmd   *exec.Cmd
	stdin *os.File
	conn  net.Conn // the connection (protocol.ConnFD), if asked for
	// peers is the socket on which the worker gets its connections to
	// other workers (protocol.PeersFD), with conn.
	peers *net.UnixConn
	// ready gets the process's Ready message once it has come whole.
	ready chan readyMessage
	// outputs is closed once the process's output and channel are read
	// to their end: the process has ended, or closed them.
	outputs chan struct{}
}

// A readyMessage is the Ready message of a process, as it sent it, or
// why it cannot be had.
type readyMessage struct {
	b   []byte
	err error
}

// launch starts cmd as a worker or prepare process, with the environment
// env: its descriptors 0 to 3 are socket pairs (its standard streams and
// its channel), and 4 its connection and 5 its peers' socket if withConn. Every line it prints,
// and every message of its channel, goes to out.
func launch(cmd *exec.Cmd, env []string, out *workerOutput, withConn bool) (*launched, error) {
	types := []int{syscall.SOCK_STREAM, syscall.SOCK_STREAM, syscall.SOCK_STREAM, packetType}
	if withConn {
		types = append(types, syscall.SOCK_STREAM, packetType)
	}
	var mine, theirs []*os.File
	closeAll := func(fs []*os.File) {
		for _, f := range fs {
			if f != nil {
				f.Close()
			}
		}
	}
	for _, typ := range types {
		m, t, err := socketPair(typ)
		if err != nil {
			closeAll(mine)
			closeAll(theirs)
			return nil, err
		}
		mine, theirs = append(mine, m), append(theirs, t)
	}
	cmd.Env = env
	cmd.SysProcAttr = sysProcAttr()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = theirs[protocol.StdinFD], theirs[protocol.StdoutFD], theirs[protocol.StderrFD]
	cmd.ExtraFiles = theirs[protocol.ChannelFD:]
	closeInheritedOnExec()
	err := cmd.Start()
	closeAll(theirs)
	if err != nil {
		closeAll(mine)
		return nil, err
	}
	out.pid = cmd.Process.Pid
	l := &launched{cmd: cmd, stdin: mine[protocol.StdinFD], ready: make(chan readyMessage, 1), outputs: make(chan struct{})}
	channel, err := packetConn(mine[protocol.ChannelFD])
	if err == nil && withConn {
		l.conn, err = fileConn(mine[protocol.ConnFD])
		if err == nil {
			l.peers, err = packetConn(mine[protocol.PeersFD])
		}
		if err != nil {
			channel.Close()
		}
	}
	if err != nil {
		if withConn && l.conn == nil {
			mine[protocol.ConnFD].Close()
		}
		if l.conn != nil {
			l.conn.Close()
		}
		if withConn && l.peers == nil {
			mine[protocol.PeersFD].Close()
		}
		closeAll(mine[:protocol.ChannelFD])
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, err
	}
	var outputs sync.WaitGroup
	outputs.Add(3)
	go func() {
		defer outputs.Done()
		defer channel.Close()
		buf := make([]byte, protocol.MaxChannelMessage)
		for {
			n, err := channel.Read(buf)
			if err != nil {
				return
			}
			if n == 0 {
				continue
			}
			if b, err, complete := out.message(buf[:n]); complete {
				l.ready <- readyMessage{b, err}
			}
		}
	}()
	for i, stream := range []string{"stdout", "stderr"} {
		f := mine[protocol.StdoutFD+i]
		go func() {
			defer outputs.Done()
			defer f.Close()
			readLines(f, func(b []byte) { out.rawLine(stream, b) })
		}()
	}
	go func() {
		outputs.Wait()
		close(l.outputs)
	}()
	return l, nil
}

// abandon kills the process, waits until it has ended and closes the
// supervisor's ends of its descriptors: it is not wanted after all.
func (l *launched) abandon() {
	_ = l.cmd.Process.Kill()
	<-l.outputs
	_ = l.cmd.Wait()
	l.stdin.Close()
	if l.conn != nil {
		l.conn.Close()
	}
	if l.peers != nil {
		l.peers.Close()
	}
}

// readyOf decodes a Ready message.
func readyOf(m readyMessage) (protocol.Ready, error) {
	var r protocol.Ready
	if m.err != nil {
		return r, m.err
	}
	if err := json.Unmarshal(m.b, &r); err != nil {
		return r, fmt.Errorf("not a ready message: %w", err)
	}
	return r, nil
}

// errNoReady is the error of a process that ended without a Ready
// message.
var errNoReady = errors.New("no ready message")
