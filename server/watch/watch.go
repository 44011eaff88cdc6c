package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

const (
	defaultDebounce = 30 * time.Millisecond
	defaultRescan   = 2 * time.Second
	// maxDelayFactor caps how long continuous events can delay the report
	// of a directory, in multiples of the debounce window.
	maxDelayFactor = 10
)

// Options configures [Watch]. The zero value is ready to use.
type Options struct {
	// Debounce is the quiet window after the last event of a directory
	// before the directory is reported. A directory that keeps receiving
	// events is reported at the latest ten windows after its first
	// unreported event. Zero or negative means 30ms.
	Debounce time.Duration

	// Rescan is the period of a full rescan of the tree that catches
	// anything the notifications missed: a directory created with files
	// already inside, a dropped watch, an overflowed event queue. Zero
	// means 2s; negative disables the periodic rescan (the tree is then
	// still polled every 2s while the root itself is missing).
	Rescan time.Duration

	// Logger receives errors that do not stop watching, such as a
	// directory that cannot be read or watched. Nil discards them.
	Logger *slog.Logger

	// Ready, if not nil, is called once, from the goroutine running Watch,
	// after the initial watches are in place and before the first call of
	// changed. Every change made after Ready is called is reported, so a
	// caller that loads the tree after Ready cannot miss a change.
	Ready func()
}

// Watch watches root and every subdirectory, including ones created later,
// until ctx ends. It calls changed with the sorted, relative, slash-separated
// paths ("." for root) of the directories that changed, at most once per
// quiet window per directory. All calls are made from the goroutine running
// Watch, so they never overlap, and events arriving meanwhile are reported
// by a later call; changed may keep dirs. The initial contents of the tree
// are not reported (see [Options.Ready]).
//
// A directory is reported when a relevant file in it was created, written,
// renamed or removed, when it appeared (together with those of its new
// subdirectories that hold relevant files), and when it disappeared. If the
// root itself disappears every directory is reported, and the tree is
// reported again if the root comes back.
//
// Watch returns nil when ctx ends, and an error when root is not a
// directory or cannot be watched.
func Watch(ctx context.Context, root string, opts Options, changed func(dirs []string)) error {
	if changed == nil {
		return errors.New("watch: nil changed func")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("watch: %s is not a directory", root)
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	defer fsw.Close()

	w := newWatcher(abs, opts, fsw)
	defer w.timer.Stop()
	// Subdirectories that cannot be watched are logged and polled by the
	// rescan; the root must be watchable.
	if err := fsw.Add(abs); err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	if err := w.addTree(".", false); err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	if opts.Ready != nil {
		opts.Ready()
	}
	return w.loop(ctx, changed)
}

// watcher is the state of one call of Watch. It is owned by that goroutine.
type watcher struct {
	root     string // absolute, cleaned
	debounce time.Duration
	maxDelay time.Duration
	rescanP  time.Duration // <= 0: disabled
	log      *slog.Logger
	fs       *fsnotify.Watcher

	dirs    map[string]*dirState // known directories by relative slash path
	pending map[string]*pendingDir

	timer   *time.Timer
	armed   bool
	armedAt time.Time

	ticker   *time.Ticker // periodic rescan, or root polling; nil if none
	rootLost bool
}

// dirState is what is known about a watched directory.
type dirState struct {
	sig     uint64 // signature of its relevant files, see scanDir
	watched bool   // whether the fsnotify watch is in place
}

// pendingDir is a changed directory waiting for its quiet window.
type pendingDir struct {
	first, last time.Time
}

func newWatcher(root string, opts Options, fsw *fsnotify.Watcher) *watcher {
	debounce := opts.Debounce
	if debounce <= 0 {
		debounce = defaultDebounce
	}
	rescan := opts.Rescan
	if rescan == 0 {
		rescan = defaultRescan
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &watcher{
		root:     root,
		debounce: debounce,
		maxDelay: maxDelayFactor * debounce,
		rescanP:  rescan,
		log:      log,
		fs:       fsw,
		dirs:     make(map[string]*dirState),
		pending:  make(map[string]*pendingDir),
		timer:    time.NewTimer(time.Hour),
	}
	w.timer.Stop()
	if rescan > 0 {
		w.ticker = time.NewTicker(rescan)
	}
	return w
}

func (w *watcher) loop(ctx context.Context, changed func([]string)) error {
	defer func() {
		if w.ticker != nil {
			w.ticker.Stop()
		}
	}()
	for {
		var tick <-chan time.Time
		if w.ticker != nil {
			tick = w.ticker.C
		}
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.fs.Events:
			if !ok {
				return errors.New("watch: event stream closed")
			}
			w.handle(ev)
		case err, ok := <-w.fs.Errors:
			if !ok {
				return errors.New("watch: event stream closed")
			}
			w.log.Warn("watch: notification error", "err", err)
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: report everything, and look for
				// directories created meanwhile.
				for d := range w.dirs {
					w.mark(d)
				}
				w.rescan()
			}
		case <-w.timer.C:
			w.armed = false
			w.flush(ctx, changed)
		case <-tick:
			w.rescan()
		}
	}
}

// handle processes one notification.
func (w *watcher) handle(ev fsnotify.Event) {
	rel, ok := w.rel(ev.Name)
	if !ok {
		return
	}
	if rel == "." {
		if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
			w.lostRoot()
		}
		return
	}
	dir, name := path.Dir(rel), path.Base(rel)
	if _, ok := w.dirs[dir]; !ok {
		// A late event from a directory that was dropped already.
		return
	}
	switch {
	case ev.Has(fsnotify.Create):
		fi, err := os.Lstat(ev.Name)
		if err == nil && fi.IsDir() {
			if skipDir(name) {
				return
			}
			if _, known := w.dirs[rel]; known {
				// The path was replaced under us: forget the old watch,
				// which may belong to another inode, before adding again.
				w.dropTree(rel)
			}
			if err := w.addTree(rel, true); err != nil && !errors.Is(err, os.ErrNotExist) {
				w.log.Warn("watch: cannot read directory", "dir", rel, "err", err)
			}
			return
		}
		if relevantFile(name) {
			w.mark(dir)
		}
	case ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename):
		if _, known := w.dirs[rel]; known {
			w.dropTree(rel)
			// Whatever is at the path now (if anything) is new to us: a
			// directory re-created before this event was processed has to
			// be watched afresh.
			if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
				if err := w.addTree(rel, true); err != nil && !errors.Is(err, os.ErrNotExist) {
					w.log.Warn("watch: cannot read directory", "dir", rel, "err", err)
				}
			}
			return
		}
		if relevantFile(name) {
			w.mark(dir)
		}
	case ev.Has(fsnotify.Write) || ev.Has(fsnotify.Chmod):
		if relevantFile(name) {
			w.mark(dir)
		}
	}
}

// rel returns the slash-separated path of name relative to the root.
func (w *watcher) rel(name string) (string, bool) {
	r, err := filepath.Rel(w.root, name)
	if err != nil {
		return "", false
	}
	r = filepath.ToSlash(r)
	if r == ".." || strings.HasPrefix(r, "../") {
		return "", false
	}
	return r, true
}

// abs returns the file system path of the relative directory rel.
func (w *watcher) abs(rel string) string {
	return filepath.Join(w.root, filepath.FromSlash(rel))
}

// addTree watches directory rel and its subdirectories and records their
// state. If report is set, rel is marked as changed, and so is every
// subdirectory holding relevant files. It returns the error of reading rel
// itself, which is then not recorded; other errors are logged, and a
// directory that cannot be watched is recorded for the rescan to poll.
func (w *watcher) addTree(rel string, report bool) error {
	top := true
	stack := []string{rel}
	for len(stack) > 0 {
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		// Watch before reading, so that whatever is created after the
		// read produces an event.
		abs := w.abs(d)
		werr := w.fs.Add(abs)
		sc, err := scanDir(abs)
		if err != nil {
			if werr == nil {
				_ = w.fs.Remove(abs)
			}
			if top {
				return err
			}
			if !errors.Is(err, os.ErrNotExist) {
				w.log.Warn("watch: cannot read directory", "dir", d, "err", err)
			}
			continue
		}
		if werr != nil {
			// Keep the directory: the rescan polls it and retries.
			w.log.Warn("watch: cannot watch directory", "dir", d, "err", werr)
		}
		w.dirs[d] = &dirState{sig: sc.sig, watched: werr == nil}
		if report && (top || sc.files > 0) {
			w.mark(d)
		}
		for _, sub := range sc.subdirs {
			stack = append(stack, path.Join(d, sub))
		}
		top = false
	}
	return nil
}

// dropTree forgets directory rel and every known directory below it,
// removes their watches and marks them as changed.
func (w *watcher) dropTree(rel string) {
	for d := range w.dirs {
		if d == rel || rel == "." || strings.HasPrefix(d, rel+"/") {
			w.drop(d)
		}
	}
}

func (w *watcher) drop(d string) {
	// The watch is usually gone with the directory; a renamed directory
	// keeps it, under its old name, unless removed here.
	_ = w.fs.Remove(w.abs(d))
	delete(w.dirs, d)
	w.mark(d)
}

// lostRoot reports every directory after the root disappeared, and polls
// for the root to come back.
func (w *watcher) lostRoot() {
	w.dropTree(".")
	if !w.rootLost {
		w.log.Warn("watch: root directory disappeared", "root", w.root)
	}
	w.rootLost = true
	if w.ticker == nil {
		w.ticker = time.NewTicker(defaultRescan)
	}
}

// rescan walks the tree and reconciles it with the recorded state: new
// directories are watched and reported, vanished ones are reported, and
// directories whose relevant files differ from the last scan are reported.
func (w *watcher) rescan() {
	if fi, err := os.Stat(w.root); err != nil || !fi.IsDir() {
		w.lostRoot()
		return
	}
	found := make(map[string]scan)
	stack := []string{"."}
	for len(stack) > 0 {
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		sc, err := scanDir(w.abs(d))
		if err != nil {
			if d == "." {
				w.lostRoot()
				return
			}
			if !errors.Is(err, os.ErrNotExist) {
				w.log.Warn("watch: cannot read directory", "dir", d, "err", err)
			}
			continue
		}
		found[d] = sc
		for _, sub := range sc.subdirs {
			stack = append(stack, path.Join(d, sub))
		}
	}

	// Drop vanished directories first: a directory moved within the tree
	// keeps its inode, and watching it under its new name only works once
	// the watch under the old name is gone.
	for d := range w.dirs {
		if _, ok := found[d]; !ok {
			w.drop(d)
		}
	}
	known := make(map[string]bool, len(w.dirs))
	for d := range w.dirs {
		known[d] = true
	}
	if w.rootLost {
		w.rootLost = false
		w.log.Info("watch: root directory is back", "root", w.root)
		if w.rescanP < 0 && w.ticker != nil {
			w.ticker.Stop()
			w.ticker = nil
		}
	}
	dirs := make([]string, 0, len(found))
	for d := range found {
		dirs = append(dirs, d)
	}
	slices.Sort(dirs)
	for _, d := range dirs {
		sc := found[d]
		if st, ok := w.dirs[d]; ok {
			if !st.watched {
				if err := w.fs.Add(w.abs(d)); err == nil {
					st.watched = true
				}
			}
			if st.sig != sc.sig {
				st.sig = sc.sig
				w.mark(d)
			}
			continue
		}
		// New directory: watch it, then read it again, so that nothing
		// created in between is missed.
		abs := w.abs(d)
		werr := w.fs.Add(abs)
		if werr != nil {
			w.log.Warn("watch: cannot watch directory", "dir", d, "err", werr)
		}
		if sc2, err := scanDir(abs); err == nil {
			sc = sc2
		}
		w.dirs[d] = &dirState{sig: sc.sig, watched: werr == nil}
		if sc.files > 0 || d == "." || known[path.Dir(d)] {
			w.mark(d)
		}
	}
}

// mark records an event for directory d and arms the timer for its
// deadline.
func (w *watcher) mark(d string) {
	now := time.Now()
	p := w.pending[d]
	if p == nil {
		p = &pendingDir{first: now}
		w.pending[d] = p
	}
	p.last = now
	w.arm(w.deadline(p))
}

// deadline is when a pending directory is due: after its quiet window, but
// no later than maxDelay after its first event.
func (w *watcher) deadline(p *pendingDir) time.Time {
	t := p.last.Add(w.debounce)
	if limit := p.first.Add(w.maxDelay); limit.Before(t) {
		return limit
	}
	return t
}

func (w *watcher) arm(t time.Time) {
	if w.armed && !t.Before(w.armedAt) {
		return
	}
	w.armed = true
	w.armedAt = t
	w.timer.Reset(time.Until(t))
}

// flush reports the directories whose deadline has passed and re-arms the
// timer for the others.
func (w *watcher) flush(ctx context.Context, changed func([]string)) {
	now := time.Now()
	var due []string
	for d, p := range w.pending {
		if t := w.deadline(p); !t.After(now) {
			due = append(due, d)
			delete(w.pending, d)
		} else {
			w.arm(t)
		}
	}
	if len(due) == 0 || ctx.Err() != nil {
		return
	}
	slices.Sort(due)
	// Record what the caller is about to read, so that the next rescan
	// only reports what changes after this point.
	for _, d := range due {
		if st, ok := w.dirs[d]; ok {
			if sc, err := scanDir(w.abs(d)); err == nil {
				st.sig = sc.sig
			}
		}
	}
	changed(due)
}
