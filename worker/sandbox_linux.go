package worker

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/landlock-lsm/go-landlock/landlock"
	llsys "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"

	"github.com/microfn/microfn/protocol"
)

// confine restricts the worker process before any service code runs,
// with the operating system's means, under the interpreter's sandbox:
//
//   - no_new_privs;
//   - Landlock (file system): read only the served folder and what Go
//     reads at run time, write only the private temporary folder; with
//     --allow os, the whole file system but /proc and the server's secret
//     files (Sandbox.Hidden). /proc is never open: the Go runtime reads
//     it only at start, and it holds the process's environment, memory
//     and descriptors, and the host's sockets (/proc/self/net);
//   - Landlock (network): no TCP connect or bind, but with --allow net;
//   - Landlock (scopes): no signal to a process outside the worker, no
//     connection to an abstract Unix socket made outside it; and, as any
//     Landlock domain, no ptrace of (nor /proc/PID/environ, mem, fd of) a
//     process outside it;
//   - seccomp: no socket(2) at all, but with --allow net for TCP and UDP
//     over IPv4 and IPv6 (see socketFilter); the worker's one connection
//     to its server is the socket it was started with (protocol.ConnFD),
//     and it needs no other.
//
// --unrestricted turns all of it but no_new_privs off. Where the kernel
// lacks a part, confine returns warnings saying what is not enforced.
func confine(spec protocol.Spec) ([]string, error) {
	sb := spec.Sandbox
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return nil, fmt.Errorf("set no_new_privs: %w", err)
	}
	if sb.Off {
		return nil, nil
	}
	var warnings []string
	w, err := restrictLandlock(sb)
	if err != nil {
		return nil, err
	}
	warnings = append(warnings, w...)
	access := socketsNone
	switch {
	case sb.OpenNet:
		access = socketsNet
	case len(sb.DatabasePorts) > 0:
		access = socketsTCP
	}
	switch err := installSeccomp(access); {
	case errors.Is(err, errSeccompUnsupported), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EINVAL):
		warnings = append(warnings, "this system cannot filter system calls (seccomp): service code may open sockets of any kind its packages let it (Unix sockets of the host with --allow net/http), within what Landlock enforces")
	case err != nil:
		return warnings, err
	}
	return warnings, nil
}

// restrictLandlock applies the Landlock part of confine.
func restrictLandlock(sb protocol.Sandbox) ([]string, error) {
	abi, err := llsys.LandlockGetABIVersion()
	if err != nil || abi < 1 {
		return []string{"this kernel has no Landlock: the file system access of service code (/proc included) is not restricted by the operating system, only by the interpreter's sandbox, and with --allow os service code may signal the server"}, nil
	}
	var warnings []string
	if abi < 6 {
		warnings = append(warnings, fmt.Sprintf("this kernel's Landlock (version %d) cannot scope signals: with --allow os, service code may signal other processes of the server's user, the server included", abi))
	}
	var rules []landlock.Rule
	hidden := append([]string{"/proc"}, sb.Hidden...)
	if sb.OpenFS {
		rules = append(rules, landlock.PathAccess(llsys.AccessFSReadDir, "/"))
		rules = append(rules, beneathBut("/", hidden, true)...)
	} else {
		for _, d := range sb.ReadDirs {
			rules = append(rules, beneathBut(d, hidden, false)...)
		}
		rules = append(rules,
			landlock.ROFiles(sb.ReadFiles...).IgnoreIfMissing(),
			landlock.RWFiles("/dev/null").IgnoreIfMissing(),
		)
	}
	if sb.TempDir != "" {
		rules = append(rules, landlock.RWDirs(sb.TempDir))
	}
	if !sb.OpenFS {
		rules = append(rules, landlock.RWDirs(sb.WriteDirs...).IgnoreIfMissing())
	}
	// The ABI is capped at version 7: what later versions add (Unix
	// sockets by path, UDP) the seccomp filter covers on every kernel.
	cfg := landlock.V7
	if sb.OpenNet {
		cfg.HandledAccessNet = 0
	} else {
		for _, p := range sb.DatabasePorts {
			if p > 0 && p < 1<<16 {
				rules = append(rules, landlock.ConnectTCP(uint16(p)))
			}
		}
		if len(sb.DatabasePorts) > 0 && abi < 4 {
			warnings = append(warnings, fmt.Sprintf("this kernel's Landlock (version %d) cannot restrict TCP: service code may connect to any address its packages let it, not only its databases", abi))
		}
	}
	if err := cfg.BestEffort().Restrict(rules...); err != nil {
		return warnings, fmt.Errorf("landlock: %w", err)
	}
	return warnings, nil
}

// beneathBut returns the rules that grant the file hierarchy at root,
// read and write if rw, read only otherwise, but for the hidden paths
// within it: the entries of each directory on the way from root to a
// hidden path are granted one by one, so the hidden path itself (and
// anything made later beside it) is not. Paths are compared with their
// symbolic links resolved, as Landlock grants the files they lead to.
func beneathBut(root string, hidden []string, rw bool) []landlock.Rule {
	rule := func(path string, dir bool) landlock.Rule {
		switch {
		case dir && rw:
			return landlock.RWDirs(path).IgnoreIfMissing()
		case dir:
			return landlock.RODirs(path).IgnoreIfMissing()
		case rw:
			return landlock.RWFiles(path).IgnoreIfMissing()
		}
		return landlock.ROFiles(path).IgnoreIfMissing()
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil // missing: nothing to grant
	}
	blocked := map[string]bool{}
	inside := map[string]bool{} // the directories on the way to a hidden path
	for _, h := range hidden {
		for _, p := range []string{filepath.Clean(h), resolved(h)} {
			if p == "" || !filepath.IsAbs(p) || !within(realRoot, p) {
				continue
			}
			if p == realRoot {
				return nil // the whole root is hidden
			}
			blocked[p] = true
			for d := filepath.Dir(p); within(realRoot, d); d = filepath.Dir(d) {
				inside[d] = true
				if d == realRoot {
					break
				}
			}
		}
	}
	if len(blocked) == 0 {
		info, err := os.Stat(realRoot)
		if err != nil {
			return nil
		}
		return []landlock.Rule{rule(root, info.IsDir())}
	}
	var rules []landlock.Rule
	dirs := make([]string, 0, len(inside))
	for d := range inside {
		dirs = append(dirs, d)
	}
	slices.Sort(dirs)
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			p := filepath.Join(d, e.Name())
			real := resolved(p)
			if real == "" || blocked[p] || blocked[real] || inside[p] || inside[real] {
				continue
			}
			info, err := os.Stat(real)
			if err != nil {
				continue
			}
			rules = append(rules, rule(real, info.IsDir()))
		}
	}
	return rules
}

// resolved returns path with its symbolic links resolved, or "" if it
// does not exist.
func resolved(path string) string {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return ""
	}
	return real
}

// within reports whether path is dir or below it.
func within(dir, path string) bool {
	return path == dir || strings.HasPrefix(path, strings.TrimSuffix(dir, "/")+"/")
}
