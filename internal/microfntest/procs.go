package microfntest

import (
	"os"
	"strconv"
	"strings"
)

// ProcessAlive reports whether the process pid runs: it exists and is not
// a zombie. It reads /proc, so it reports false where there is none.
func ProcessAlive(pid int) bool {
	state, _, ok := procStat(strconv.Itoa(pid))
	return ok && state != "Z"
}

// ChildProcesses returns the pids of this process's children still
// running (read from /proc).
func ChildProcesses() []int {
	entries, _ := os.ReadDir("/proc")
	self := strconv.Itoa(os.Getpid())
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if state, ppid, ok := procStat(e.Name()); ok && state != "Z" && ppid == self {
			out = append(out, pid)
		}
	}
	return out
}

// procStat returns the state and parent pid of the process pid from
// /proc/PID/stat ("pid (comm) state ppid …"; comm may hold spaces).
func procStat(pid string) (state, ppid string, ok bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return "", "", false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", "", false
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 2 {
		return "", "", false
	}
	return fields[0], fields[1], true
}
