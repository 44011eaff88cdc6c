package supervisor

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/microfn/microfn/protocol"
)

// DefaultSpareKeep is how long a spare process waits to be taken before
// [Spares] stops it, unless told otherwise.
const DefaultSpareKeep = 5 * time.Minute

// Spares keeps processes of one executable started and waiting for their
// Spec, so that a worker or a prepare process needed now does not wait
// for a process to start: the system's exec, the Go runtime's start and
// the executable's package initialisation, 10–30 ms for microfn's own
// executable, twice per saved package (its prepare process, then its
// worker). A spare is the very process a [Group] or [Prepare] would
// start, with the same descriptors and environment: it has read nothing
// yet and runs no one's code; it is given its Spec, its name in the logs
// and its limits when it is taken, as a process started then would be.
//
// Spares keeps at most one spare of each kind (a worker for a temporary
// folder's parent and an environment, a prepare process): taking one
// starts the next. A spare not taken within its keep time is stopped, and
// none is started again until one is asked for, so a server nobody edits
// holds no spare. A nil *Spares keeps none. It is safe for concurrent use.
type Spares struct {
	command []string
	keep    time.Duration
	logger  *slog.Logger

	mu     sync.Mutex // guards the fields below
	closed bool
	warmup []byte // the line a prepare spare is given (Warm), if any
	// busy is set from the taking of a prepare spare until Warm: a spare
	// started meanwhile reads ahead only then, not while the work that
	// took the last one runs.
	busy     bool
	waiting  map[spareKey]*spare
	starting map[spareKey]bool
	wg       sync.WaitGroup // spares being started
}

// A spareKey is what a spare is started with, which its taker must want.
type spareKey struct {
	conn bool   // a worker, with its connection; else a prepare process
	dir  string // where its temporary folder is made; "" for none
	env  string // the variables service code is given, NUL-separated
}

// A spare is a started process waiting for its Spec.
type spare struct {
	started
	key    spareKey
	timer  *time.Timer // stops it once its keep time has passed
	warmed bool        // it has been given the warm-up line; guarded by Spares.mu
}

// NewSpares returns spares of the executable command (default: this
// executable), each kept for keep (default [DefaultSpareKeep]) if not
// taken; logger receives what a spare writes before it is taken, which is
// nothing unless it fails to start.
func NewSpares(command []string, keep time.Duration, logger *slog.Logger) (*Spares, error) {
	if len(command) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("spare processes: %w", err)
		}
		command = []string{exe}
	}
	if keep <= 0 {
		keep = DefaultSpareKeep
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Spares{
		command:  slices.Clone(command),
		keep:     keep,
		logger:   logger,
		waiting:  map[spareKey]*spare{},
		starting: map[spareKey]bool{},
	}, nil
}

// take returns the spare of command started as key says, if one waits
// and is alive, and starts another for the next taker whether or not one
// waited. It returns nil for any other executable.
func (s *Spares) take(command []string, key spareKey) *spare {
	if s == nil || !slices.Equal(command, s.command) {
		return nil
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	sp := s.waiting[key]
	delete(s.waiting, key)
	if !key.conn {
		s.busy = true
	}
	s.startLocked(key)
	s.mu.Unlock()
	if sp == nil {
		return nil
	}
	sp.timer.Stop()
	select {
	case <-sp.outputs:
		// It died waiting (the system's out-of-memory killer, say).
		sp.stop()
		return nil
	default:
	}
	return sp
}

// startLocked starts a spare of kind key in the background, unless one
// waits or is being started. The caller holds s.mu.
func (s *Spares) startLocked(key spareKey) {
	if s.waiting[key] != nil || s.starting[key] {
		return
	}
	s.starting[key] = true
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		sp, err := s.start(key)
		s.mu.Lock()
		delete(s.starting, key)
		closed := s.closed
		if err == nil && !closed {
			s.waiting[key] = sp
			sp.timer = time.AfterFunc(s.keep, func() { s.expire(sp) })
			if !s.busy {
				s.warmLocked(sp)
			}
		}
		s.mu.Unlock()
		switch {
		case err != nil:
			s.logger.Warn(fmt.Sprintf("start a spare process: %v (processes are started when needed)", err))
		case closed:
			sp.stop()
		}
	}()
}

// start starts a spare of kind key.
func (s *Spares) start(key spareKey) (*spare, error) {
	st, err := launchKind(s.command, key, outputName{logger: s.logger, label: "a spare process", what: "the worker"})
	if err != nil {
		return nil, err
	}
	return &spare{started: *st, key: key}, nil
}

// Warm sets the warm-up line of the prepare spares (a protocol.Spec
// with Warmup set, naming the export data the prepares so far read),
// which they read ahead while they wait for their Spec, and gives it to
// the one that waits. Call it once the work that took the last prepare
// spare is done (a reload has ended): the read-ahead then does not take
// the processor from it.
func (s *Spares) Warm(spec *protocol.Spec) {
	if s == nil {
		return
	}
	line, err := json.Marshal(spec)
	if err != nil {
		return // plain data: cannot fail
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.warmup = append(line, '\n')
	s.busy = false
	for _, sp := range s.waiting {
		s.warmLocked(sp)
	}
}

// warmLocked gives sp, a waiting spare, the warm-up line if it is a
// prepare process that has none yet. The caller holds s.mu.
func (s *Spares) warmLocked(sp *spare) {
	if sp.key.conn || sp.warmed || s.warmup == nil {
		return
	}
	sp.warmed = true
	// A line far smaller than the socket's buffer: the write does not
	// wait for the process to read it. A spare that cannot take it has
	// died, which taking it finds.
	_, _ = sp.stdin.Write(s.warmup)
}

// PIDs returns the process ids of the spares waiting now, sorted.
func (s *Spares) PIDs() []int {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]int, 0, len(s.waiting))
	for _, sp := range s.waiting {
		out = append(out, sp.cmd.Process.Pid)
	}
	slices.Sort(out)
	return out
}

// expire stops sp if it still waits: nobody took it in time.
func (s *Spares) expire(sp *spare) {
	s.mu.Lock()
	if s.waiting[sp.key] != sp {
		s.mu.Unlock()
		return // taken, or closed
	}
	delete(s.waiting, sp.key)
	s.mu.Unlock()
	sp.stop()
}

// Close stops the spares that wait, and those being started, and waits
// until they have ended. None is started after it.
func (s *Spares) Close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.closed = true
	waiting := s.waiting
	s.waiting = map[spareKey]*spare{}
	s.mu.Unlock()
	for _, sp := range waiting {
		sp.timer.Stop()
		sp.stop()
	}
	s.wg.Wait()
}

// stop kills the spare, waits for it to end and removes its temporary
// folder.
func (sp *spare) stop() {
	sp.abandon()
	if sp.tmp != "" {
		os.RemoveAll(sp.tmp)
	}
}

// A started is a worker or prepare process just started, or a spare just
// taken: the process as launched, the output it writes to, and its
// temporary folder, if it has one.
type started struct {
	*launched
	out *workerOutput
	tmp string
}

// startProcess starts a process of command of the kind key (a worker with
// its temporary folder, or a prepare process) whose output is named name,
// or takes a spare of that kind from spares (if not nil) and names it so.
func startProcess(spares *Spares, command []string, key spareKey, name outputName) (*started, error) {
	if sp := spares.take(command, key); sp != nil {
		sp.out.rename(name)
		return &sp.started, nil
	}
	return launchKind(command, key, name)
}

// launchKind starts a process of command of the kind key whose output is
// named name: its temporary folder (for a worker) is made in key.dir, and
// it is given the variables key.env.
func launchKind(command []string, key spareKey, name outputName) (*started, error) {
	st := &started{}
	if key.dir != "" {
		tmp, err := os.MkdirTemp(key.dir, "tmp-")
		if err != nil {
			return nil, err
		}
		st.tmp = tmp
	}
	var extra []string
	if key.env != "" {
		extra = strings.Split(key.env, "\x00")
	}
	st.out = newWorkerOutput(name.logger, name.ownPackage, name.label, newLogKey())
	st.out.rename(name)
	l, err := launch(exec.Command(command[0], command[1:]...), workerEnv(os.Environ(), extra, st.tmp), st.out, key.conn)
	if err != nil {
		if st.tmp != "" {
			os.RemoveAll(st.tmp)
		}
		return nil, err
	}
	st.launched = l
	return st, nil
}

// keyOf returns the kind of spare a process started with env (the
// variables service code is given) and a temporary folder in dir is (dir
// "" for none); conn is set for a worker.
func keyOf(conn bool, dir string, env []string) spareKey {
	return spareKey{conn: conn, dir: dir, env: strings.Join(env, "\x00")}
}
