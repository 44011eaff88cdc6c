package compile

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dustin/go-humanize"
)

// The environment variables that choose the cache of compiled workers
// when the options do not (see [Options]).
const (
	// CacheEnv names the cache's folder.
	CacheEnv = "MICROFN_WORKER_CACHE"
	// CacheSizeEnv is the cache's size budget, such as "2GiB"; "0" is no
	// limit.
	CacheSizeEnv = "MICROFN_WORKER_CACHE_SIZE"
)

// DefaultCacheSize is the size budget of the cache of compiled workers
// when neither the options nor $MICROFN_WORKER_CACHE_SIZE set one: 2 GiB
// holds some 40 executables of 30-70 MB, the versions of the last edits
// of a few projects (a version saved again, such as after an undo, starts
// at once), and is a small share of a laptop's disk.
const DefaultCacheSize int64 = 2 << 30

// staleAfter is how old a build folder no build holds must be to be a
// leftover of a build that was killed: younger, it may be one being made.
const staleAfter = time.Minute

// The names of the cache's entries.
const (
	exePrefix   = "worker-" // a worker executable: worker-HASH
	lockSuffix  = ".lock"   // beside it, the lock its users hold: worker-HASH.lock
	buildPrefix = "build-"  // a worker's build folder
	appPrefix   = "app-"    // an application's build folder (microfn build)
)

// DefaultCacheDir returns the folder of the cache of compiled workers:
// $MICROFN_WORKER_CACHE, else microfn/workers in the user's cache
// directory.
func DefaultCacheDir() (string, error) {
	if dir := os.Getenv(CacheEnv); dir != "" {
		return dir, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("the compiled tier needs a cache directory: %w", err)
	}
	return filepath.Join(dir, "microfn", "workers"), nil
}

// CacheSizeFromEnv returns the size budget $MICROFN_WORKER_CACHE_SIZE
// sets (-1 for "0": no limit), else DefaultCacheSize.
func CacheSizeFromEnv() (int64, error) {
	s := os.Getenv(CacheSizeEnv)
	if s == "" {
		return DefaultCacheSize, nil
	}
	n, err := ParseCacheSize(s)
	if err != nil {
		return 0, fmt.Errorf("$%s: %w", CacheSizeEnv, err)
	}
	return n, nil
}

// ParseCacheSize parses a size budget such as "2GiB" or "500MB"; "0" is
// no limit, returned as -1.
func ParseCacheSize(s string) (int64, error) {
	if strings.TrimSpace(s) == "0" {
		return -1, nil
	}
	n, err := humanize.ParseBytes(s)
	if err != nil {
		return 0, fmt.Errorf("want a size such as 2GiB or 500MB (0: no limit), got %q", s)
	}
	if n > math.MaxInt64 {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return int64(n), nil
}

// A Cache is the folder of compiled worker executables, with a size
// budget. An executable is in use while a [Lease] on it is held, by this
// process or any other sharing the folder (a lock file beside it, locked
// shared by each user); the cache never removes one in use. Past the
// budget, the executables used least recently (built, or leased to start
// workers, until the lease ends) go first. It is safe for concurrent use.
type Cache struct {
	dir    string
	size   int64 // the budget, in bytes; negative: none
	logger *slog.Logger
	mu     sync.Mutex  // one trim at a time in this process
	over   atomic.Bool // the log said the cache cannot fit its budget
}

// OpenCache returns the cache in the folder dir, made if missing, with
// the budget size (bytes; negative: no limit). logger, if not nil, is
// told once when the executables in use alone exceed the budget.
func OpenCache(dir string, size int64, logger *slog.Logger) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("make the compiled workers' cache: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Cache{dir: dir, size: size, logger: logger}, nil
}

// Dir returns the cache's folder.
func (c *Cache) Dir() string { return c.dir }

// Size returns the cache's budget in bytes; negative: no limit.
func (c *Cache) Size() int64 { return c.size }

// A CacheStat is what a cache holds.
type CacheStat struct {
	// Executables counts the worker executables, and Bytes their size.
	Executables int
	Bytes       int64
	// InUse counts those in use (leased by some process), and InUseBytes
	// their size.
	InUse      int
	InUseBytes int64
	// Leftovers counts the build folders of builds under way or killed.
	Leftovers int
}

// Stat reports what the cache holds.
func (c *Cache) Stat() (CacheStat, error) {
	var st CacheStat
	exes, err := c.executables()
	if err != nil {
		return st, err
	}
	for _, e := range exes {
		st.Executables++
		st.Bytes += e.size
		if inUse(filepath.Join(c.dir, e.name)) {
			st.InUse++
			st.InUseBytes += e.size
		}
	}
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return st, fmt.Errorf("read the compiled workers' cache: %w", err)
	}
	for _, e := range entries {
		if isBuildDir(e) {
			st.Leftovers++
		}
	}
	return st, nil
}

// A Trim is what a trim of the cache did.
type Trim struct {
	// Removed counts the executables removed, and Freed their size.
	Removed int
	Freed   int64
	// Kept counts the executables left, and Bytes their size.
	Kept  int
	Bytes int64
	// Skipped counts the executables that would have gone but were in
	// use.
	Skipped int
	// Leftovers counts the stale build folders removed.
	Leftovers int
}

// Trim removes the executables used least recently and in use by no one
// until the cache fits its budget, and the build folders of builds that
// were killed. If the executables in use alone exceed the budget, the
// log says so, once until the cache fits again.
func (c *Cache) Trim() (Trim, error) {
	t, err := c.trim(c.size)
	if err != nil {
		return t, err
	}
	if c.size >= 0 && t.Bytes > c.size {
		if !c.over.Swap(true) {
			c.logger.Warn(fmt.Sprintf("the compiled workers' cache %s holds %s, over its budget of %s (--worker-cache-size): every executable left is in use",
				c.dir, humanize.IBytes(uint64(t.Bytes)), humanize.IBytes(uint64(c.size))))
		}
	} else {
		c.over.Store(false)
	}
	return t, nil
}

// Clean removes every executable no one uses, and the build folders of
// builds that were killed.
func (c *Cache) Clean() (Trim, error) {
	return c.trim(0)
}

// trim removes executables, least recently used first, until they take
// at most limit bytes (negative: no limit), and stale build folders.
func (c *Cache) trim(limit int64) (Trim, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var t Trim
	exes, err := c.executables()
	if err != nil {
		return t, err
	}
	for _, e := range exes {
		t.Bytes += e.size
	}
	t.Kept = len(exes)
	for _, e := range evictionOrder(exes) {
		if limit < 0 || t.Bytes <= limit {
			break
		}
		removed, err := evict(filepath.Join(c.dir, e.name))
		if err != nil {
			return t, err
		}
		if !removed {
			t.Skipped++
			continue
		}
		t.Removed++
		t.Freed += e.size
		t.Kept--
		t.Bytes -= e.size
	}
	n, err := c.removeLeftovers(time.Now())
	t.Leftovers = n
	return t, err
}

// A cacheEntry is a worker executable of the cache.
type cacheEntry struct {
	name string
	size int64
	used time.Time // its last use: its modification time
}

// executables lists the worker executables of the cache.
func (c *Cache) executables() ([]cacheEntry, error) {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return nil, fmt.Errorf("read the compiled workers' cache: %w", err)
	}
	var out []cacheEntry
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, exePrefix) || strings.HasSuffix(name, lockSuffix) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		out = append(out, cacheEntry{name: name, size: info.Size(), used: info.ModTime()})
	}
	return out, nil
}

// evictionOrder returns exes in the order they are evicted: least
// recently used first, by name where they were used at the same time.
func evictionOrder(exes []cacheEntry) []cacheEntry {
	out := slices.Clone(exes)
	slices.SortFunc(out, func(a, b cacheEntry) int {
		if c := a.used.Compare(b.used); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	return out
}

// evict removes the executable exe and its lock file, unless it is in
// use: it reports whether it did.
func evict(exe string) (bool, error) {
	f, ok, err := lockExclusive(exe + lockSuffix)
	if err != nil || !ok {
		return false, err
	}
	defer f.Close()
	if err := os.Remove(exe); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("evict a compiled worker: %w", err)
	}
	os.Remove(exe + lockSuffix)
	return true, nil
}

// inUse reports whether the executable exe is leased by some process.
func inUse(exe string) bool {
	f, err := os.Open(exe + lockSuffix)
	if err != nil {
		return !errors.Is(err, fs.ErrNotExist) // never leased
	}
	defer f.Close()
	return !tryLock(f)
}

// lockExclusive locks the lock file path exclusively without waiting,
// making it if missing: ok is false if another holds it. The caller
// closes f to unlock.
func lockExclusive(path string) (f *os.File, ok bool, err error) {
	f, err = os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf("lock a compiled worker: %w", err)
	}
	if !tryLock(f) || !samePath(f, path) {
		// Locked, or removed by another evictor since opened.
		f.Close()
		return nil, false, nil
	}
	return f, true, nil
}

// samePath reports whether f is still the file at path.
func samePath(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}

// isBuildDir reports whether e is the folder of a build.
func isBuildDir(e fs.DirEntry) bool {
	return e.IsDir() && (strings.HasPrefix(e.Name(), buildPrefix) || strings.HasPrefix(e.Name(), appPrefix))
}

// removeLeftovers removes the build folders that no build holds and that
// were last changed staleAfter before now, and the lock files whose
// executable is gone and that no one holds. It returns how many folders
// it removed.
func (c *Cache) removeLeftovers(now time.Time) (int, error) {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return 0, fmt.Errorf("read the compiled workers' cache: %w", err)
	}
	n := 0
	for _, e := range entries {
		path := filepath.Join(c.dir, e.Name())
		switch {
		case isBuildDir(e):
			info, err := e.Info()
			if err != nil || now.Sub(info.ModTime()) < staleAfter {
				continue
			}
			if removeUnheld(path) {
				n++
			}
		case strings.HasPrefix(e.Name(), exePrefix) && strings.HasSuffix(e.Name(), lockSuffix):
			if _, err := os.Lstat(strings.TrimSuffix(path, lockSuffix)); errors.Is(err, fs.ErrNotExist) {
				if f, ok, _ := lockExclusive(path); ok {
					os.Remove(path)
					f.Close()
				}
			}
		}
	}
	return n, nil
}

// removeUnheld removes the build folder dir unless a build holds it,
// and reports whether it did.
func removeUnheld(dir string) bool {
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close()
	if !tryLock(f) {
		return false
	}
	return os.RemoveAll(dir) == nil
}

// holdDir locks the build folder dir shared, so that no other process
// takes it for a leftover while the build runs; the caller calls the
// returned function to unlock.
func holdDir(dir string) (func(), error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := lockShared(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock the build folder: %w", err)
	}
	return func() { f.Close() }, nil
}

// A Lease keeps a worker executable of the cache from being evicted, by
// this process or any other, until it is released.
type Lease struct {
	exe  string
	f    *os.File
	once sync.Once
}

// Release ends the lease, and records the use of the executable: it was
// in use until now. It may be called more than once, and on nil.
func (l *Lease) Release() {
	if l == nil {
		return
	}
	l.once.Do(func() {
		touch(l.exe) // gone if its build failed
		l.f.Close()
	})
}

// Lease leases the executable exe of the cache, for as long as workers
// may be started from it, and records the use. An error means it is
// gone (evicted) or cannot be locked.
func (c *Cache) Lease(exe string) (*Lease, error) {
	l, err := lease(exe)
	if err != nil {
		return nil, err
	}
	if err := touch(exe); err != nil {
		l.Release()
		return nil, fmt.Errorf("lease %s: %w", filepath.Base(exe), err)
	}
	return l, nil
}

// lease locks the lock file of exe shared, whether exe exists or not
// (a build leases what it is about to make).
func lease(exe string) (*Lease, error) {
	path := exe + lockSuffix
	for range 100 {
		f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("lease a compiled worker: %w", err)
		}
		if err := lockShared(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("lease a compiled worker: %w", err)
		}
		if samePath(f, path) {
			return &Lease{exe: exe, f: f}, nil
		}
		f.Close() // evicted while we waited: lock the new file
	}
	return nil, fmt.Errorf("lease a compiled worker: %s keeps being removed", path)
}

// touch records a use of the executable exe: its modification time.
func touch(exe string) error {
	now := time.Now()
	return os.Chtimes(exe, now, now)
}
