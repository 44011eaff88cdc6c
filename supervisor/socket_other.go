//go:build unix && !linux

package supervisor

import "syscall"

// packetType is the type of the worker's message sockets: not every Unix
// has SOCK_SEQPACKET for Unix sockets; a connected pair of datagram
// sockets also keeps each message whole and apart, in order.
const packetType = syscall.SOCK_DGRAM

// socketpairCloexec makes a pair of connected Unix sockets of type typ,
// closed on exec (under syscall.ForkLock, where socketpair(2) cannot do it
// at once).
func socketpairCloexec(typ int) ([2]int, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, typ, 0)
	if err != nil {
		return fds, err
	}
	syscall.CloseOnExec(fds[0])
	syscall.CloseOnExec(fds[1])
	return fds, nil
}
