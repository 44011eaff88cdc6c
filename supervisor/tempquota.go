package supervisor

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/fsnotify/fsnotify"
)

// A TempWatcher keeps account of the temporary folders of many workers
// (see Limits.MaxTempSize) with one inotify instance: the kernel allows a
// user 128 of them by default, so one per worker would stop a server of a
// hundred packages, or a few servers side by side, from starting workers.
// Give one to the groups of a server through Config.TempWatcher.
type TempWatcher struct {
	w    *fsnotify.Watcher
	done chan struct{}

	mu     sync.Mutex            // guards quotas
	quotas map[string]*tempQuota // by the folder they keep account of
}

// NewTempWatcher starts a TempWatcher. Close it when its groups have
// ended.
func NewTempWatcher() (*TempWatcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	tw := &TempWatcher{w: w, done: make(chan struct{}), quotas: map[string]*tempQuota{}}
	go tw.run()
	return tw, nil
}

// Close stops the watcher.
func (tw *TempWatcher) Close() error {
	err := tw.w.Close()
	<-tw.done
	return err
}

// A tempQuota keeps account of the space the files of a worker's private
// temporary folder take, as the kernel reports each write (inotify), and
// calls over once they take more than max bytes: the supervisor then ends
// the worker (see Limits.MaxTempSize).
type tempQuota struct {
	dir  string
	max  int64
	over func(used int64)
	tw   *TempWatcher
	own  bool // tw is the quota's alone: stop closes it

	mu    sync.Mutex       // guards the fields below
	sizes map[string]int64 // the space of each file, by path
	used  int64
	fired bool
}

// watchTemp starts keeping account of dir with a watcher of its own.
func watchTemp(dir string, max int64, over func(used int64)) (*tempQuota, error) {
	tw, err := NewTempWatcher()
	if err != nil {
		return nil, err
	}
	q, err := tw.watch(dir, max, over)
	if err != nil {
		tw.Close()
		return nil, err
	}
	q.own = true
	return q, nil
}

// watch starts keeping account of dir, calling over once its files take
// more than max bytes.
func (tw *TempWatcher) watch(dir string, max int64, over func(used int64)) (*tempQuota, error) {
	q := &tempQuota{dir: filepath.Clean(dir), max: max, over: over, tw: tw, sizes: map[string]int64{}}
	tw.mu.Lock()
	tw.quotas[q.dir] = q
	tw.mu.Unlock()
	if err := tw.w.Add(q.dir); err != nil {
		tw.forget(q)
		return nil, err
	}
	return q, nil
}

// stop ends the accounting.
func (q *tempQuota) stop() {
	q.tw.forget(q)
	if q.own {
		q.tw.Close()
	}
}

// forget stops keeping account of q's folder, and watching it and the
// folders below it (the kernel drops the watch of a folder removed, but
// the folder may still be there).
func (tw *TempWatcher) forget(q *tempQuota) {
	tw.mu.Lock()
	delete(tw.quotas, q.dir)
	tw.mu.Unlock()
	prefix := q.dir + string(filepath.Separator)
	for _, p := range tw.w.WatchList() {
		if p == q.dir || strings.HasPrefix(p, prefix) {
			_ = tw.w.Remove(p)
		}
	}
}

// quotaOf returns the quota whose folder holds path, or nil.
func (tw *TempWatcher) quotaOf(path string) *tempQuota {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	for p := filepath.Clean(path); ; p = filepath.Dir(p) {
		if q := tw.quotas[p]; q != nil {
			return q
		}
		if parent := filepath.Dir(p); parent == p {
			return nil
		}
	}
}

func (tw *TempWatcher) run() {
	defer close(tw.done)
	for {
		select {
		case ev, ok := <-tw.w.Events:
			if !ok {
				return
			}
			if q := tw.quotaOf(ev.Name); q != nil {
				q.event(ev)
			}
		case _, ok := <-tw.w.Errors:
			if !ok {
				return
			}
			// Events were lost (the queue overflowed): count again.
			tw.mu.Lock()
			qs := make([]*tempQuota, 0, len(tw.quotas))
			for _, q := range tw.quotas {
				qs = append(qs, q)
			}
			tw.mu.Unlock()
			for _, q := range qs {
				q.rescan(q.dir)
			}
		}
	}
}

// event accounts for one change in the folder.
func (q *tempQuota) event(ev fsnotify.Event) {
	switch {
	case ev.Has(fsnotify.Create):
		info, err := os.Lstat(ev.Name)
		if err == nil && info.IsDir() {
			// Watched before it is read, so that no write in it is
			// missed.
			if err := q.tw.w.Add(ev.Name); err != nil {
				q.fire(-1)
				return
			}
			q.rescan(ev.Name)
			return
		}
		q.account(ev.Name)
	case ev.Has(fsnotify.Write), ev.Has(fsnotify.Chmod):
		q.account(ev.Name)
	case ev.Has(fsnotify.Remove), ev.Has(fsnotify.Rename):
		q.forget(ev.Name)
	}
}

// account records the space the file at path takes now.
func (q *tempQuota) account(path string) {
	info, err := os.Lstat(path)
	if err != nil {
		q.forget(path)
		return
	}
	if info.IsDir() {
		return
	}
	q.set(path, spaceOf(info))
}

// spaceOf is the space a file takes on disk: its blocks, not its length
// (a sparse file takes little).
func spaceOf(info fs.FileInfo) int64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return int64(st.Blocks) * 512
	}
	return info.Size()
}

// set records the space of path, and calls over past the quota.
func (q *tempQuota) set(path string, size int64) {
	q.mu.Lock()
	q.used += size - q.sizes[path]
	q.sizes[path] = size
	used := q.used
	q.mu.Unlock()
	if used > q.max {
		q.fire(used)
	}
}

// forget drops path, and everything below it, from the account.
func (q *tempQuota) forget(path string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	prefix := path + string(filepath.Separator)
	for p, n := range q.sizes {
		if p == path || strings.HasPrefix(p, prefix) {
			q.used -= n
			delete(q.sizes, p)
		}
	}
}

// rescan counts the files below dir again, watching its directories.
func (q *tempQuota) rescan(dir string) {
	q.forget(dir)
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if path != q.dir {
				_ = q.tw.w.Add(path)
			}
			return nil
		}
		q.account(path)
		return nil
	})
}

// fire calls over once.
func (q *tempQuota) fire(used int64) {
	q.mu.Lock()
	fired := q.fired
	q.fired = true
	q.mu.Unlock()
	if !fired {
		q.over(used)
	}
}
