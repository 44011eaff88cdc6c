package worker

import (
	"encoding/binary"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// TestSocketFilter runs the seccomp filter on system calls, as the kernel
// would (x/net/bpf's VM reads words big-endian, so the test lays them out
// that way): socket(2) is refused but, with --allow net, for TCP and UDP
// over IPv4 and IPv6, and for TCP alone with PostgreSQL databases; socketpair(2), io_uring and another architecture's
// system calls are refused; the rest is allowed.
func TestSocketFilter(t *testing.T) {
	t.Parallel()
	if auditArch == 0 {
		t.Skip("no seccomp filter on this architecture")
	}
	const (
		allow = unix.SECCOMP_RET_ALLOW
		deny  = seccompDeny
	)
	call := func(arch, nr uint32, args ...uint64) []byte {
		b := make([]byte, 64)
		binary.BigEndian.PutUint32(b[offNr:], nr)
		binary.BigEndian.PutUint32(b[offArc:], arch)
		for i, a := range args {
			binary.BigEndian.PutUint32(b[argLow+8*i:], uint32(a))
		}
		return b
	}
	socket := func(domain, typ, proto int) []byte {
		return call(auditArch, unix.SYS_SOCKET, uint64(domain), uint64(typ), uint64(proto))
	}
	tests := []struct {
		name       string
		data       []byte
		withoutNet uint32
		tcpOnly    uint32
		withNet    uint32
	}{
		{"read", call(auditArch, unix.SYS_READ, 0), allow, allow, allow},
		{"recvmsg", call(auditArch, unix.SYS_RECVMSG, 4), allow, allow, allow},
		{"tcp", socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0), deny, allow, allow},
		{"tcp6", socket(unix.AF_INET6, unix.SOCK_STREAM, unix.IPPROTO_TCP), deny, allow, allow},
		{"mptcp", socket(unix.AF_INET, unix.SOCK_STREAM, unix.IPPROTO_MPTCP), deny, deny, allow},
		{"udp", socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0), deny, deny, allow},
		{"udp6", socket(unix.AF_INET6, unix.SOCK_DGRAM, unix.IPPROTO_UDP), deny, deny, allow},
		{"unix", socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0), deny, deny, deny},
		{"unix datagram", socket(unix.AF_UNIX, unix.SOCK_DGRAM, 0), deny, deny, deny},
		{"netlink", socket(unix.AF_NETLINK, unix.SOCK_RAW, 0), deny, deny, deny},
		{"packet", socket(unix.AF_PACKET, unix.SOCK_RAW, 0), deny, deny, deny},
		{"raw", socket(unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP), deny, deny, deny},
		{"ping", socket(unix.AF_INET, unix.SOCK_DGRAM, unix.IPPROTO_ICMP), deny, deny, deny},
		{"seqpacket", socket(unix.AF_INET, unix.SOCK_SEQPACKET, 0), deny, deny, deny},
		{"socketpair", call(auditArch, unix.SYS_SOCKETPAIR, unix.AF_UNIX, unix.SOCK_STREAM), deny, deny, deny},
		{"io_uring", call(auditArch, unix.SYS_IO_URING_SETUP, 8), deny, deny, deny},
		{"another architecture", call(unix.AUDIT_ARCH_I386, unix.SYS_READ), deny, deny, deny},
	}
	if x32Bit != 0 {
		tests = append(tests, struct {
			name                         string
			data                         []byte
			withoutNet, tcpOnly, withNet uint32
		}{"x32", call(auditArch, x32Bit|unix.SYS_READ), deny, deny, deny})
	}
	for _, access := range []socketAccess{socketsNone, socketsTCP, socketsNet} {
		insts, err := socketFilter(access)
		if err != nil {
			t.Fatal(err)
		}
		vm, err := bpf.NewVM(insts)
		if err != nil {
			t.Fatalf("the filter does not assemble: %v", err)
		}
		for _, tc := range tests {
			want := []uint32{tc.withoutNet, tc.tcpOnly, tc.withNet}[access]
			got, err := vm.Run(tc.data)
			if err != nil || uint32(got) != want {
				t.Errorf("%s (sockets %d): %#x %v, want %#x", tc.name, access, got, err, want)
			}
		}
	}
}
