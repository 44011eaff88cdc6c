package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/dustin/go-humanize"

	"github.com/microfn/microfn/compile"
)

const cacheUsage = `Usage:
  microfn cache [flags]        show the cache of compiled workers: its folder, size and budget
  microfn cache clean [flags]  remove every executable of it that no server uses

microfn serve --tier=auto|compiled builds each saved version into a worker
executable, kept in this cache so that a version seen again starts at once.
Past its budget (--worker-cache-size), the executables used least recently go,
after each build; an executable a running server may still start is never
removed.`

// workerCacheFlags registers the flags that choose the cache of compiled
// workers in fs, and returns a function of the build options they set.
func workerCacheFlags(fs *flag.FlagSet) func() (compile.Options, error) {
	dir := fs.String("worker-cache", os.Getenv(compile.CacheEnv), "the `folder` of the compiled workers' cache (default $"+compile.CacheEnv+", else microfn/workers in the user's cache directory)")
	size := os.Getenv(compile.CacheSizeEnv)
	if size == "" {
		size = humanize.IBytes(uint64(compile.DefaultCacheSize))
	}
	sizeFlag := fs.String("worker-cache-size", size, "the most space the compiled workers' cache may take (such as 2GiB; 0: no limit); past it the executables used least recently are removed (default $"+compile.CacheSizeEnv+", else 2GiB)")
	return func() (compile.Options, error) {
		n, err := compile.ParseCacheSize(*sizeFlag)
		if err != nil && *sizeFlag == os.Getenv(compile.CacheSizeEnv) {
			return compile.Options{}, fmt.Errorf("--worker-cache-size (default $%s): %w", compile.CacheSizeEnv, err)
		}
		if err != nil {
			return compile.Options{}, fmt.Errorf("--worker-cache-size: %w", err)
		}
		return compile.Options{Cache: *dir, CacheSize: n}, nil
	}
}

// openWorkerCache opens the cache the build options opts name.
func openWorkerCache(opts compile.Options) (*compile.Cache, error) {
	dir := opts.Cache
	if dir == "" {
		var err error
		if dir, err = compile.DefaultCacheDir(); err != nil {
			return nil, err
		}
	}
	return compile.OpenCache(dir, opts.CacheSize, nil)
}

func cacheCmd(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("microfn cache", cacheUsage, stderr)
	opts := workerCacheFlags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) > 1 || (len(pos) == 1 && pos[0] != "clean") {
		fs.Usage()
		return 2
	}
	o, err := opts()
	if err != nil {
		fmt.Fprintln(stderr, "microfn cache:", err)
		return 2
	}
	c, err := openWorkerCache(o)
	if err != nil {
		fmt.Fprintln(stderr, "microfn cache:", err)
		return 1
	}
	if len(pos) == 1 {
		t, err := c.Clean()
		if err != nil {
			fmt.Fprintln(stderr, "microfn cache clean:", err)
			return 1
		}
		fmt.Fprintf(stdout, "removed %s (%s) and %s from %s; %d in use kept (%s)\n",
			count(t.Removed, "executable"), ibytes(t.Freed), count(t.Leftovers, "leftover build folder"), c.Dir(), t.Kept, ibytes(t.Bytes))
		return 0
	}
	st, err := c.Stat()
	if err != nil {
		fmt.Fprintln(stderr, "microfn cache:", err)
		return 1
	}
	budget := "no limit"
	if c.Size() >= 0 {
		budget = ibytes(c.Size())
	}
	fmt.Fprintf(stdout, "%s\n%s, %s (budget %s); %d in use, %s; %s\n",
		c.Dir(), count(st.Executables, "executable"), ibytes(st.Bytes), budget, st.InUse, ibytes(st.InUseBytes), count(st.Leftovers, "build folder"))
	return 0
}

// count formats n things, such as "1 executable" or "2 executables".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// ibytes formats n bytes in binary units, such as 1.5 GiB.
func ibytes(n int64) string {
	return humanize.IBytes(uint64(max(n, 0)))
}
