package supervisor

import "syscall"

// packetType is the type of the worker's message sockets: SOCK_SEQPACKET
// keeps each message whole and apart, in order.
const packetType = syscall.SOCK_SEQPACKET

// socketpairCloexec makes a pair of connected Unix sockets of type typ,
// closed on exec.
func socketpairCloexec(typ int) ([2]int, error) {
	return syscall.Socketpair(syscall.AF_UNIX, typ|syscall.SOCK_CLOEXEC, 0)
}
