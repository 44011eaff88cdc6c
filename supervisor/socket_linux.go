package supervisor

import "syscall"

// packetType is the type of the worker's message sockets: SOCK_SEQPACKET
// keeps each message whole and apart, in order.
const packetType = syscall.SOCK_SEQPACKET
