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

// A tempQuota keeps account of the space the files of a worker's private
// temporary folder take, as the kernel reports each write (inotify), and
// calls over once they take more than max bytes: the supervisor then ends
// the worker (see Limits.MaxTempSize).
type tempQuota struct {
	dir  string
	max  int64
	over func(used int64)
	w    *fsnotify.Watcher
	done chan struct{}

	mu    sync.Mutex       // guards the fields below
	sizes map[string]int64 // the space of each file, by path
	used  int64
	fired bool
}

// watchTemp starts keeping account of dir.
func watchTemp(dir string, max int64, over func(used int64)) (*tempQuota, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	if err := w.Add(dir); err != nil {
		w.Close()
		return nil, err
	}
	q := &tempQuota{dir: dir, max: max, over: over, w: w, done: make(chan struct{}), sizes: map[string]int64{}}
	go q.run()
	return q, nil
}

// stop ends the accounting.
func (q *tempQuota) stop() {
	q.w.Close()
	<-q.done
}

func (q *tempQuota) run() {
	defer close(q.done)
	for {
		select {
		case ev, ok := <-q.w.Events:
			if !ok {
				return
			}
			q.event(ev)
		case _, ok := <-q.w.Errors:
			if !ok {
				return
			}
			// Events were lost (the queue overflowed): count again.
			q.rescan(q.dir)
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
			if err := q.w.Add(ev.Name); err != nil {
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
				_ = q.w.Add(path)
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
