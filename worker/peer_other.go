//go:build !unix

package worker

// servePeers does nothing: connections between workers need Unix
// sockets.
func servePeers(*Host) {}
