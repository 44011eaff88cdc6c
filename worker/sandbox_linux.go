package worker

import (
	"fmt"

	"github.com/landlock-lsm/go-landlock/landlock"
	llsys "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"

	"github.com/microfn/microfn/supervisor"
)

// confine restricts the worker process with Landlock before any service
// code runs: it may read only the served folder and what Go reads at run
// time, write only its private temporary folder, and connect only to the
// TCP ports of microfn's servers; --allow os and --allow net lift the
// file system and network parts. It also sets no_new_privs. On a kernel
// without Landlock (or with an older version of it) it returns warnings
// saying what is not enforced.
func confine(spec supervisor.Spec) ([]string, error) {
	sb := spec.Sandbox
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return nil, fmt.Errorf("set no_new_privs: %w", err)
	}
	if sb.Off || (sb.OpenFS && sb.OpenNet) {
		return nil, nil
	}
	abi, err := llsys.LandlockGetABIVersion()
	if err != nil || abi < 1 {
		return []string{"this kernel has no Landlock: the file system and network access of service code are not restricted by the operating system, only by the interpreter's sandbox"}, nil
	}
	var warnings []string
	var fsRules []landlock.Rule
	if !sb.OpenFS {
		fsRules = append(fsRules,
			landlock.RODirs(sb.ReadDirs...).IgnoreIfMissing(),
			landlock.ROFiles(sb.ReadFiles...).IgnoreIfMissing(),
			landlock.RWFiles("/dev/null").IgnoreIfMissing(),
		)
		if sb.TempDir != "" {
			fsRules = append(fsRules, landlock.RWDirs(sb.TempDir))
		}
	}
	var netRules []landlock.Rule
	if !sb.OpenNet {
		for _, p := range sb.ConnectPorts {
			if p > 0 && p < 1<<16 {
				netRules = append(netRules, landlock.ConnectTCP(uint16(p)))
			}
		}
		if abi < 4 {
			warnings = append(warnings, fmt.Sprintf("this kernel's Landlock (version %d) cannot restrict the network: service code may connect anywhere its packages let it", abi))
		}
	}
	// Version 7 of the ABI at most: later versions also restrict
	// connecting to Unix sockets by path, which the worker needs for its
	// server's socket.
	cfg := landlock.V7.BestEffort()
	switch {
	case sb.OpenFS:
		err = cfg.RestrictNet(netRules...)
	case sb.OpenNet:
		err = cfg.RestrictPaths(fsRules...)
	default:
		err = cfg.Restrict(append(fsRules, netRules...)...)
	}
	if err != nil {
		return warnings, fmt.Errorf("landlock: %w", err)
	}
	return warnings, nil
}
