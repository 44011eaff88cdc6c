package worker

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// errSeccompUnsupported is the error of installSeccomp where microfn has
// no filter for the architecture.
var errSeccompUnsupported = errors.New("no seccomp filter for this architecture")

// The offsets of struct seccomp_data, which a seccomp filter reads: the
// system call's number, the architecture, and its arguments (the low 32
// bits of argument i at argLow+8*i on a little-endian machine; every
// argument checked is a C int, of which the kernel reads those bits).
const (
	offNr  = 0
	offArc = 4
	argLow = 16
)

// seccompDeny is the filter's answer to a refused system call: it fails
// with EPERM ("operation not permitted").
const seccompDeny = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)

// socketAccess is which sockets a worker may create.
type socketAccess int

const (
	// socketsNone: no socket at all.
	socketsNone socketAccess = iota
	// socketsTCP: TCP over IPv4 and IPv6 only (a worker whose service
	// code has PostgreSQL databases; Landlock limits the ports).
	socketsTCP
	// socketsNet: TCP and UDP over IPv4 and IPv6 (--allow net).
	socketsNet
)

// socketFilter returns the seccomp filter of a worker: it refuses
// socket(2) but what access lets in — TCP and UDP over IPv4 and IPv6
// (socketsNet), TCP alone (socketsTCP), never a Unix, raw, packet or
// netlink socket —, and socketpair(2) and
// io_uring (whose operations create sockets without socket(2)); it
// allows every other system call. A system call of another architecture's
// calling convention (x32, or 32-bit on a 64-bit kernel) is refused.
func socketFilter(access socketAccess) ([]bpf.Instruction, error) {
	if auditArch == 0 {
		return nil, errSeccompUnsupported
	}
	deny := bpf.RetConstant{Val: seccompDeny}
	allow := bpf.RetConstant{Val: unix.SECCOMP_RET_ALLOW}
	prog := []bpf.Instruction{
		bpf.LoadAbsolute{Off: offArc, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: auditArch, SkipTrue: 1},
		deny,
		bpf.LoadAbsolute{Off: offNr, Size: 4},
	}
	if x32Bit != 0 {
		prog = append(prog, bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: x32Bit, SkipFalse: 1}, deny)
	}
	for _, nr := range []uint32{unix.SYS_SOCKETPAIR, unix.SYS_IO_URING_SETUP, unix.SYS_IO_URING_ENTER, unix.SYS_IO_URING_REGISTER} {
		prog = append(prog, bpf.JumpIf{Cond: bpf.JumpEqual, Val: nr, SkipFalse: 1}, deny)
	}
	prog = append(prog,
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.SYS_SOCKET, SkipTrue: 1},
		allow,
	)
	switch access {
	case socketsNone:
		return append(prog, deny), nil
	case socketsTCP:
		return append(prog,
			bpf.LoadAbsolute{Off: argLow, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.AF_INET, SkipTrue: 2},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.AF_INET6, SkipTrue: 1},
			deny,
			bpf.LoadAbsolute{Off: argLow + 8, Size: 4},
			bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: ^uint32(unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC)},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.SOCK_STREAM, SkipTrue: 1},
			deny,
			bpf.LoadAbsolute{Off: argLow + 16, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0, SkipTrue: 2},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.IPPROTO_TCP, SkipTrue: 1},
			deny,
			allow,
		), nil
	}
	return append(prog,
		// socket(domain, type, protocol)
		bpf.LoadAbsolute{Off: argLow, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.AF_INET, SkipTrue: 2},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.AF_INET6, SkipTrue: 1},
		deny,
		bpf.LoadAbsolute{Off: argLow + 8, Size: 4},
		bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: ^uint32(unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC)},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.SOCK_STREAM, SkipTrue: 2},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.SOCK_DGRAM, SkipTrue: 1},
		deny,
		bpf.LoadAbsolute{Off: argLow + 16, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0, SkipTrue: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.IPPROTO_TCP, SkipTrue: 3},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.IPPROTO_UDP, SkipTrue: 2},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.IPPROTO_MPTCP, SkipTrue: 1},
		deny,
		allow,
	), nil
}

// installSeccomp installs the worker's seccomp filter (see socketFilter)
// on every thread of the process. The process must have no_new_privs set.
func installSeccomp(access socketAccess) error {
	insts, err := socketFilter(access)
	if err != nil {
		return err
	}
	raw, err := bpf.Assemble(insts)
	if err != nil {
		return fmt.Errorf("assemble the seccomp filter: %w", err)
	}
	filter := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		filter[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	_, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&prog)))
	if errno != 0 {
		return fmt.Errorf("install the seccomp filter: %w", errno)
	}
	return nil
}
