package watch

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

const (
	// testDebounce is long enough that the steps of one save, done back to
	// back, fall into one quiet window even on a loaded machine.
	testDebounce = 100 * time.Millisecond
	// quietWindow is how long a test waits to be sure no (further) report
	// comes.
	quietWindow = 300 * time.Millisecond
	// waitLimit bounds every wait for an expected report.
	waitLimit = 5 * time.Second
)

// recorder collects the calls of the changed callback.
type recorder struct {
	mu     sync.Mutex
	calls  [][]string
	notify chan struct{}
	onCall func(dirs []string) // optional, called before recording
}

func newRecorder() *recorder {
	return &recorder{notify: make(chan struct{}, 1)}
}

func (r *recorder) changed(dirs []string) {
	if r.onCall != nil {
		r.onCall(dirs)
	}
	r.mu.Lock()
	r.calls = append(r.calls, slices.Clone(dirs))
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// n returns the number of calls so far, to pass as since.
func (r *recorder) n() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

// count returns how many calls after the first since reported dir.
func (r *recorder) count(since int, dir string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := 0
	for _, call := range r.calls[since:] {
		if slices.Contains(call, dir) {
			c++
		}
	}
	return c
}

func (r *recorder) since(since int) [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls[since:])
}

// waitFor waits until every one of dirs was reported after call since.
func (r *recorder) waitFor(t *testing.T, since int, dirs ...string) {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for {
		missing := slices.DeleteFunc(slices.Clone(dirs), func(d string) bool { return r.count(since, d) > 0 })
		if len(missing) == 0 {
			return
		}
		select {
		case <-r.notify:
		case <-deadline.C:
			t.Fatalf("%v not reported within %v; calls: %q", missing, waitLimit, r.since(since))
		}
	}
}

// quiet fails if any call happens after call since within quietWindow.
func (r *recorder) quiet(t *testing.T, since int) {
	t.Helper()
	window := time.NewTimer(quietWindow)
	defer window.Stop()
	for {
		if r.n() > since {
			t.Fatalf("unexpected report: %q", r.since(since))
		}
		select {
		case <-r.notify:
		case <-window.C:
			if r.n() > since {
				t.Fatalf("unexpected report: %q", r.since(since))
			}
			return
		}
	}
}

// once runs act and checks that each of dirs is reported exactly once and
// that nothing else is reported.
func (r *recorder) once(t *testing.T, act func(), dirs ...string) {
	t.Helper()
	since := r.n()
	act()
	r.waitFor(t, since, dirs...)
	r.quiet(t, r.n())
	calls := r.since(since)
	for _, d := range dirs {
		if c := r.count(since, d); c != 1 {
			t.Errorf("%q reported %d times, want once; calls: %q", d, c, calls)
		}
	}
	for _, call := range calls {
		for _, d := range call {
			if !slices.Contains(dirs, d) {
				t.Errorf("unexpected %q reported; calls: %q", d, calls)
			}
		}
	}
}

// start runs Watch on root until the test ends and returns once its
// watches are in place.
func start(t *testing.T, root string, opts Options, r *recorder) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	opts.Ready = func() { close(ready) }
	done := make(chan error, 1)
	go func() { done <- Watch(ctx, root, opts, r.changed) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Watch: %v", err)
			}
		case <-time.After(waitLimit):
			t.Errorf("Watch did not return after cancel")
		}
	})
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("Watch returned early: %v", err)
	case <-time.After(waitLimit):
		t.Fatal("Watch not ready")
	}
}

func write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestWatch(t *testing.T) {
	eventsOnly := Options{Debounce: testDebounce, Rescan: -1}
	tests := []struct {
		name  string
		files map[string]string // created before Watch starts
		opts  Options
		run   func(t *testing.T, root string, r *recorder)
	}{
		{
			name:  "write in place",
			files: map[string]string{"a.go": "package a\n"},
			opts:  eventsOnly,
			run: func(t *testing.T, root string, r *recorder) {
				for i := range 2 {
					r.once(t, func() {
						write(t, filepath.Join(root, "a.go"), "package a\n\nvar X = "+string(rune('1'+i))+"\n")
					}, ".")
				}
			},
		},
		{
			name:  "write temp then rename",
			files: map[string]string{"a.go": "package a\n"},
			opts:  eventsOnly,
			run: func(t *testing.T, root string, r *recorder) {
				for i := range 3 {
					r.once(t, func() {
						tmp := filepath.Join(root, "a.go.tmp")
						write(t, tmp, "package a\n\nvar X = "+string(rune('1'+i))+"\n")
						check(t, os.Rename(tmp, filepath.Join(root, "a.go")))
					}, ".")
				}
			},
		},
		{
			name:  "truncate then write",
			files: map[string]string{"a.go": "package a\n"},
			opts:  eventsOnly,
			run: func(t *testing.T, root string, r *recorder) {
				const content = "package a\n\nvar X = 1\n"
				name := filepath.Join(root, "a.go")
				// The report must come after the file is complete.
				var mu sync.Mutex
				var seen []string
				r.onCall = func([]string) {
					b, _ := os.ReadFile(name)
					mu.Lock()
					seen = append(seen, string(b))
					mu.Unlock()
				}
				r.once(t, func() {
					f, err := os.OpenFile(name, os.O_WRONLY|os.O_TRUNC, 0)
					check(t, err)
					_, err = f.WriteString(content[:10])
					check(t, err)
					time.Sleep(10 * time.Millisecond) // a slow writer, well inside the window
					_, err = f.WriteString(content[10:])
					check(t, err)
					check(t, f.Close())
				}, ".")
				mu.Lock()
				defer mu.Unlock()
				for _, s := range seen {
					if s != content {
						t.Errorf("reported while the file held %q", s)
					}
				}
			},
		},
		{
			name:  "vim save",
			files: map[string]string{"a.go": "package a\n"},
			opts:  eventsOnly,
			run: func(t *testing.T, root string, r *recorder) {
				j := func(name string) string { return filepath.Join(root, name) }
				for i := range 2 {
					r.once(t, func() {
						write(t, j("4913"), "")
						check(t, os.Remove(j("4913")))
						check(t, os.Rename(j("a.go"), j("a.go~")))
						write(t, j("a.go"), "package a\n\nvar X = "+string(rune('1'+i))+"\n")
						check(t, os.Chmod(j("a.go"), 0o600))
						check(t, os.Remove(j("a.go~")))
					}, ".")
				}
			},
		},
		{
			name: "irrelevant files",
			files: map[string]string{
				"a.go":              "package a\n",
				"testdata/x.go":     "package x\n",
				"vendor/v/v.go":     "package v\n",
				".git/HEAD":         "ref\n",
				"_skip/s.go":        "package s\n",
				"sub/.cache/c.go":   "package c\n",
				"sub/sub.go":        "package sub\n",
				"sub/testdata/t.go": "package t\n",
			},
			opts: Options{Debounce: testDebounce, Rescan: 50 * time.Millisecond},
			run: func(t *testing.T, root string, r *recorder) {
				since := r.n()
				for _, name := range []string{
					"notes.txt", "a_test.go", ".hidden.go", "_under.go", "a.go~", "4913",
					".a.go.swp", "#a.go#", "a.go.tmp", "go", "x.go.orig",
					"testdata/x.go", "testdata/y.go", "vendor/v/v.go", ".git/HEAD",
					"_skip/s.go", "sub/.cache/c.go", "sub/testdata/t.go", "sub/sub_test.go",
					"sub/vendor/x.go", ".newhidden/h.go", "_newskip/n.go",
				} {
					write(t, filepath.Join(root, name), "package x\n")
				}
				check(t, os.Remove(filepath.Join(root, "notes.txt")))
				check(t, os.Rename(filepath.Join(root, "a.go~"), filepath.Join(root, "b.go~")))
				check(t, os.Remove(filepath.Join(root, "sub/testdata/t.go")))
				r.quiet(t, since)
			},
		},
		{
			name: "new directory with files",
			opts: eventsOnly,
			run: func(t *testing.T, root string, r *recorder) {
				since := r.n()
				write(t, filepath.Join(root, "new/a.go"), "package a\n")
				write(t, filepath.Join(root, "new/sub/deeper/b.go"), "package b\n")
				r.waitFor(t, since, "new", "new/sub/deeper")
				r.quiet(t, r.n())
				r.once(t, func() { write(t, filepath.Join(root, "new/sub/deeper/b.go"), "package b\n\nvar B int\n") }, "new/sub/deeper")
				r.once(t, func() { write(t, filepath.Join(root, "new/a.go"), "package a\n\nvar A int\n") }, "new")
				r.once(t, func() { write(t, filepath.Join(root, "new/sub/c.go"), "package c\n") }, "new/sub")
			},
		},
		{
			name: "directory moved into the tree",
			opts: eventsOnly,
			run: func(t *testing.T, root string, r *recorder) {
				outside := t.TempDir()
				write(t, filepath.Join(outside, "pkg/a.go"), "package a\n")
				write(t, filepath.Join(outside, "pkg/inner/b.go"), "package b\n")
				check(t, os.MkdirAll(filepath.Join(outside, "pkg/inner/empty"), 0o755))
				since := r.n()
				check(t, os.Rename(filepath.Join(outside, "pkg"), filepath.Join(root, "pkg")))
				r.waitFor(t, since, "pkg", "pkg/inner")
				r.quiet(t, r.n())
				r.once(t, func() { write(t, filepath.Join(root, "pkg/inner/b.go"), "package b\n\nvar B int\n") }, "pkg/inner")
				r.once(t, func() { write(t, filepath.Join(root, "pkg/inner/empty/e.go"), "package e\n") }, "pkg/inner/empty")
			},
		},
		{
			name: "directory moved within the tree",
			files: map[string]string{
				"a/x.go":     "package x\n",
				"a/sub/y.go": "package y\n",
			},
			opts: eventsOnly,
			run: func(t *testing.T, root string, r *recorder) {
				since := r.n()
				check(t, os.Rename(filepath.Join(root, "a"), filepath.Join(root, "b")))
				r.waitFor(t, since, "a", "a/sub", "b", "b/sub")
				r.quiet(t, r.n())
				// The watches must follow the new names.
				r.once(t, func() { write(t, filepath.Join(root, "b/x.go"), "package x\n\nvar X int\n") }, "b")
				r.once(t, func() { write(t, filepath.Join(root, "b/sub/y.go"), "package y\n\nvar Y int\n") }, "b/sub")
				// And the old name can be used again.
				r.once(t, func() { check(t, os.Mkdir(filepath.Join(root, "a"), 0o755)) }, "a")
				r.once(t, func() { write(t, filepath.Join(root, "a/z.go"), "package z\n") }, "a")
			},
		},
		{
			name: "directory removed",
			files: map[string]string{
				"a.go":            "package a\n",
				"gone/g.go":       "package g\n",
				"gone/sub/s.go":   "package s\n",
				"gone/sub/x/x.go": "package x\n",
			},
			opts: eventsOnly,
			run: func(t *testing.T, root string, r *recorder) {
				since := r.n()
				check(t, os.RemoveAll(filepath.Join(root, "gone")))
				r.waitFor(t, since, "gone", "gone/sub", "gone/sub/x")
				r.quiet(t, r.n())
				// Re-created under the same name: watched afresh.
				r.once(t, func() { check(t, os.Mkdir(filepath.Join(root, "gone"), 0o755)) }, "gone")
				r.once(t, func() { write(t, filepath.Join(root, "gone/g.go"), "package g\n") }, "gone")
			},
		},
		{
			name:  "file deleted",
			files: map[string]string{"a.go": "package a\n", "b.go": "package a\n", "sub/c.go": "package c\n"},
			opts:  eventsOnly,
			run: func(t *testing.T, root string, r *recorder) {
				r.once(t, func() { check(t, os.Remove(filepath.Join(root, "b.go"))) }, ".")
				r.once(t, func() { check(t, os.Remove(filepath.Join(root, "sub/c.go"))) }, "sub")
			},
		},
		{
			name:  "file renamed away",
			files: map[string]string{"a.go": "package a\n"},
			opts:  eventsOnly,
			run: func(t *testing.T, root string, r *recorder) {
				r.once(t, func() { check(t, os.Rename(filepath.Join(root, "a.go"), filepath.Join(root, "a.go.bak"))) }, ".")
			},
		},
		{
			name:  "two directories in one burst",
			files: map[string]string{"a/x.go": "package x\n", "b/y.go": "package y\n", "c/z.go": "package z\n"},
			opts:  eventsOnly,
			run: func(t *testing.T, root string, r *recorder) {
				r.once(t, func() {
					write(t, filepath.Join(root, "a/x.go"), "package x\n\nvar X int\n")
					write(t, filepath.Join(root, "b/y.go"), "package y\n\nvar Y int\n")
				}, "a", "b")
			},
		},
		{
			name:  "continuous writes are still reported",
			files: map[string]string{"a.go": "package a\n"},
			opts:  Options{Debounce: 20 * time.Millisecond, Rescan: -1},
			run: func(t *testing.T, root string, r *recorder) {
				since := r.n()
				name := filepath.Join(root, "a.go")
				tick := time.NewTicker(5 * time.Millisecond)
				defer tick.Stop()
				deadline := time.After(waitLimit)
				for i := 0; r.count(since, ".") == 0; i++ {
					select {
					case <-tick.C:
						write(t, name, strings.Repeat("/", i%100)+"package a\n")
					case <-deadline:
						t.Fatalf("not reported within %v of continuous writes", waitLimit)
					}
				}
			},
		},
		{
			name:  "root removed and re-created",
			files: map[string]string{"a.go": "package a\n", "sub/b.go": "package b\n"},
			opts:  Options{Debounce: testDebounce, Rescan: 50 * time.Millisecond},
			run: func(t *testing.T, root string, r *recorder) {
				since := r.n()
				check(t, os.RemoveAll(root))
				r.waitFor(t, since, ".", "sub")
				since = r.n()
				write(t, filepath.Join(root, "sub/b.go"), "package b\n")
				write(t, filepath.Join(root, "a.go"), "package a\n")
				r.waitFor(t, since, ".", "sub")
				r.quiet(t, r.n())
				r.once(t, func() { write(t, filepath.Join(root, "sub/b.go"), "package b\n\nvar B int\n") }, "sub")
			},
		},
		{
			name:  "rescan alone does not report",
			files: map[string]string{"a.go": "package a\n", "sub/b.go": "package b\n"},
			opts:  Options{Debounce: testDebounce, Rescan: 20 * time.Millisecond},
			run: func(t *testing.T, root string, r *recorder) {
				r.quiet(t, r.n())
				// A change reported by its events is not reported again by
				// the following rescans.
				r.once(t, func() { write(t, filepath.Join(root, "sub/b.go"), "package b\n\nvar B int\n") }, "sub")
			},
		},
	}
	// The cases spend their time waiting for quiet windows, not computing:
	// run them all at once rather than -parallel (GOMAXPROCS) at a time.
	var wg sync.WaitGroup
	for _, tt := range tests {
		wg.Go(func() {
			t.Run(tt.name, func(t *testing.T) {
				root := t.TempDir()
				for name, content := range tt.files {
					write(t, filepath.Join(root, name), content)
				}
				r := newRecorder()
				start(t, root, tt.opts, r)
				tt.run(t, root, r)
			})
		})
	}
	wg.Wait()
}

func TestWatchCancel(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, filepath.Join(root, "a.go"), "package a\n")
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	calls := make(chan []string, 10)
	go func() {
		done <- Watch(ctx, root, Options{Ready: func() { close(ready) }}, func(dirs []string) { calls <- dirs })
	}()
	select {
	case <-ready:
	case <-time.After(waitLimit):
		t.Fatal("Watch not ready")
	}
	// A pending change is dropped, not reported after cancel.
	write(t, filepath.Join(root, "a.go"), "package a\n\nvar A int\n")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Watch after cancel: %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Watch did not return promptly after cancel")
	}
	// Either nothing or a single call made before Watch returned.
	if len(calls) > 1 {
		t.Errorf("%d calls after cancel", len(calls))
	}
}

func TestWatchBadRoot(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "file.go")
	write(t, file, "package a\n")
	for _, root := range []string{filepath.Join(dir, "missing"), file} {
		err := Watch(context.Background(), root, Options{}, func([]string) { t.Error("changed called") })
		if err == nil {
			t.Errorf("Watch(%q) = nil, want error", root)
		}
	}
}

// TestRescan checks that the rescan finds what the notifications missed.
func TestRescan(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, filepath.Join(root, "a.go"), "package a\n")
	write(t, filepath.Join(root, "keep/k.go"), "package k\n")
	write(t, filepath.Join(root, "gone/g.go"), "package g\n")
	write(t, filepath.Join(root, "quiet/q.go"), "package q\n")
	fsw, err := fsnotify.NewWatcher()
	check(t, err)
	defer fsw.Close()
	w := newWatcher(root, Options{Rescan: -1}, fsw)
	check(t, w.addTree(".", false))
	if len(w.pending) != 0 {
		t.Fatalf("initial scan marked %v", w.pending)
	}

	// Blind the watcher, then change the tree behind its back.
	for d := range w.dirs {
		check(t, fsw.Remove(w.abs(d)))
	}
	write(t, filepath.Join(root, "a.go"), "package a\n\nvar A int\n")
	write(t, filepath.Join(root, "keep/notes.txt"), "irrelevant\n")
	check(t, os.RemoveAll(filepath.Join(root, "gone")))
	write(t, filepath.Join(root, "new/n.go"), "package n\n")
	write(t, filepath.Join(root, "new/sub/s.go"), "package s\n")
	check(t, os.MkdirAll(filepath.Join(root, "new/sub/empty"), 0o755))
	check(t, os.MkdirAll(filepath.Join(root, ".hidden/h"), 0o755))
	write(t, filepath.Join(root, ".hidden/h/h.go"), "package h\n")

	w.rescan()
	var got []string
	for d := range w.pending {
		got = append(got, d)
	}
	slices.Sort(got)
	want := []string{".", "gone", "new", "new/sub"}
	if !slices.Equal(got, want) {
		t.Errorf("rescan marked %q, want %q", got, want)
	}
	for _, d := range []string{".", "keep", "quiet", "new", "new/sub", "new/sub/empty"} {
		if st := w.dirs[d]; st == nil || !st.watched {
			t.Errorf("%q not watched after rescan", d)
		}
	}
	if _, ok := w.dirs["gone"]; ok {
		t.Error(`"gone" still known after rescan`)
	}

	// A second rescan finds nothing new.
	clear(w.pending)
	w.rescan()
	if len(w.pending) != 0 {
		t.Errorf("second rescan marked %v", w.pending)
	}
}

func TestScanDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"a.go", "b.go", "a_test.go", ".h.go", "_u.go", "x.txt", "a.go~"} {
		write(t, filepath.Join(dir, name), "package a\n")
	}
	for _, name := range []string{"sub", "testdata", "vendor", ".git", "_old", "dir.go"} {
		check(t, os.Mkdir(filepath.Join(dir, name), 0o755))
	}
	check(t, os.Symlink("sub", filepath.Join(dir, "link")))
	check(t, os.Symlink("a.go", filepath.Join(dir, "l.go")))
	check(t, os.Symlink("missing.go", filepath.Join(dir, "dangling.go")))
	sc, err := scanDir(dir)
	check(t, err)
	if sc.files != 3 { // a.go, b.go, l.go
		t.Errorf("files = %d, want 3", sc.files)
	}
	if want := []string{"dir.go", "sub"}; !slices.Equal(sc.subdirs, want) {
		t.Errorf("subdirs = %q, want %q", sc.subdirs, want)
	}

	// The signature changes with the relevant files only.
	same := func() bool {
		t.Helper()
		sc2, err := scanDir(dir)
		check(t, err)
		return sc2.sig == sc.sig
	}
	write(t, filepath.Join(dir, "x.txt"), "changed\n")
	write(t, filepath.Join(dir, "a_test.go"), "package a // changed\n")
	if !same() {
		t.Error("signature changed by irrelevant files")
	}
	write(t, filepath.Join(dir, "b.go"), "package a // changed\n")
	if same() {
		t.Error("signature unchanged after a size change")
	}
	sc, _ = scanDir(dir)
	check(t, os.Rename(filepath.Join(dir, "b.go"), filepath.Join(dir, "c.go")))
	if same() {
		t.Error("signature unchanged after a rename")
	}
	sc, _ = scanDir(dir)
	old := time.Now().Add(-time.Hour)
	check(t, os.Chtimes(filepath.Join(dir, "c.go"), old, old))
	if same() {
		t.Error("signature unchanged after an mtime change")
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"a.go": true, "a_linux.go": true, "x.pb.go": true,
		"a_test.go": false, ".a.go": false, "_a.go": false, ".go": false,
		"a.go~": false, "4913": false, ".a.go.swp": false, "#a.go#": false,
		"a.go.tmp": false, "go": false, "a.GO": false,
	} {
		if got := relevantFile(name); got != want {
			t.Errorf("relevantFile(%q) = %v, want %v", name, got, want)
		}
	}
	for name, want := range map[string]bool{
		"pkg": false, "testdata": true, "vendor": true, ".git": true, "_old": true,
		"testdata2": false, "vendored": false,
	} {
		if got := skipDir(name); got != want {
			t.Errorf("skipDir(%q) = %v, want %v", name, got, want)
		}
	}
}
