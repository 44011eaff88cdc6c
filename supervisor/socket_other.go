//go:build unix && !linux

package supervisor

import "syscall"

// packetType is the type of the worker's message sockets: not every Unix
// has SOCK_SEQPACKET for Unix sockets; a connected pair of datagram
// sockets also keeps each message whole and apart, in order.
const packetType = syscall.SOCK_DGRAM
