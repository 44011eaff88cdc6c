package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// The process tree of a server: with --isolate=package, microfn runs its
// service code in worker processes, children of the server's process, so
// what the server costs is the sum over the tree. These helpers read
// /proc (Linux); elsewhere they report nothing.

// procStat is what /proc/PID/stat says of one process.
type procStat struct {
	pid, ppid int
	// cpu is the process's own user+system time; waited is the CPU time
	// of its children that ended and were waited for (cutime+cstime).
	cpu, waited time.Duration
}

const userHZ = 100 // the unit of /proc/PID/stat times on Linux

// readStat reads /proc/PID/stat.
func readStat(pid int) (procStat, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, false
	}
	return parseStat(string(data))
}

// parseStat reads the fields after the command name, which is in
// parentheses and may hold spaces: state is field 3, ppid 4, utime 14,
// stime 15, cutime 16 and cstime 17.
func parseStat(s string) (procStat, bool) {
	i := strings.IndexByte(s, ' ')
	j := strings.LastIndexByte(s, ')')
	if i < 0 || j < 0 {
		return procStat{}, false
	}
	pid, err := strconv.Atoi(s[:i])
	if err != nil {
		return procStat{}, false
	}
	f := strings.Fields(s[j+1:])
	if len(f) < 15 {
		return procStat{}, false
	}
	n := func(k int) int64 { v, _ := strconv.ParseInt(f[k], 10, 64); return v }
	tick := func(v int64) time.Duration { return time.Duration(v) * time.Second / userHZ }
	return procStat{
		pid:    pid,
		ppid:   int(n(1)),
		cpu:    tick(n(11) + n(12)),
		waited: tick(n(13) + n(14)),
	}, true
}

// descendants returns the process ids of every descendant of root, from
// the parent ids of all processes in /proc (this kernel may lack
// /proc/PID/task/TID/children).
func descendants(root int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	kids := map[int][]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == root {
			continue
		}
		st, ok := readStat(pid)
		if !ok {
			continue
		}
		kids[st.ppid] = append(kids[st.ppid], pid)
	}
	var out []int
	queue := []int{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, k := range kids[p] {
			out = append(out, k)
			queue = append(queue, k)
		}
	}
	return out
}

// treeCPU is the CPU time used so far by the tree of root: the root
// itself, its children that ended (and were waited for: a worker the
// server replaced or that crashed), and the descendants still running.
type treeCPU struct {
	root     time.Duration // root's own CPU
	children time.Duration // every descendant's, ended or running
}

func (t treeCPU) total() time.Duration { return t.root + t.children }

func (t treeCPU) sub(u treeCPU) treeCPU {
	return treeCPU{root: t.root - u.root, children: t.children - u.children}
}

// readTreeCPU returns the CPU time of the tree of root, ok false if root
// cannot be read.
func readTreeCPU(root int) (treeCPU, bool) {
	st, ok := readStat(root)
	if !ok {
		return treeCPU{}, false
	}
	t := treeCPU{root: st.cpu, children: st.waited}
	for _, pid := range descendants(root) {
		if d, ok := readStat(pid); ok {
			t.children += d.cpu + d.waited
		}
	}
	return t, true
}

// memSample is the memory of a process tree, in KiB.
type memSample struct {
	procs int
	rss   int64 // sum of VmRSS
	pss   int64 // sum of Pss (smaps_rollup), 0 if unknown
	// Of the root process alone.
	rootRSS, rootPSS, rootAnon, rootFile int64
	// anon and file are the tree's resident anonymous and file-backed
	// memory (RssAnon, RssFile): the file pages are mostly the
	// executable, which the workers share with the server.
	anon, file int64
}

// readTreeMem samples the memory of the tree of root.
func readTreeMem(root int) memSample {
	var m memSample
	pssOK := true
	for i, pid := range append([]int{root}, descendants(root)...) {
		st := readKiBFields(fmt.Sprintf("/proc/%d/status", pid), "VmRSS:", "RssAnon:", "RssFile:", "RssShmem:")
		if st["VmRSS:"] == 0 {
			continue
		}
		m.procs++
		m.rss += st["VmRSS:"]
		m.anon += st["RssAnon:"]
		m.file += st["RssFile:"] + st["RssShmem:"]
		pss, ok := readKiBFields(fmt.Sprintf("/proc/%d/smaps_rollup", pid), "Pss:")["Pss:"]
		pssOK = pssOK && ok
		m.pss += pss
		if i == 0 {
			m.rootRSS, m.rootPSS = st["VmRSS:"], pss
			m.rootAnon, m.rootFile = st["RssAnon:"], st["RssFile:"]+st["RssShmem:"]
		}
	}
	if !pssOK {
		// No smaps_rollup for some process: a partial sum would mislead.
		m.pss, m.rootPSS = 0, 0
	}
	return m
}

// readKiBFields reads "Key:  123 kB" lines of a /proc file.
func readKiBFields(path string, keys ...string) map[string]int64 {
	out := map[string]int64{}
	data, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		for _, k := range keys {
			if rest, ok := strings.CutPrefix(line, k); ok {
				if f := strings.Fields(rest); len(f) > 0 {
					n, _ := strconv.ParseInt(f[0], 10, 64)
					out[k] = n
				}
			}
		}
	}
	return out
}
