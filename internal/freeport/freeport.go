// Package freeport finds free loopback ports for processes that must be
// told their address before they start (test servers, benchmark peers).
//
// The usual trick, listening on port 0 and closing the listener, races:
// until the process binds the port, the kernel may hand the same port to
// any other socket, since it came from the ephemeral range the kernel uses
// for port 0 and for outgoing connections. Addr picks below that range, so
// only another explicit choice can collide, and it checks the port is free
// at the time.
package freeport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
)

// lowest is the lowest port Addr picks.
const lowest = 10000

// Addr returns "127.0.0.1:PORT" for a port that is free now and outside
// the kernel's ephemeral range.
func Addr() (string, error) {
	high := ephemeralLow()
	for range 100 {
		port := lowest + rand.IntN(high-lowest)
		addr := "127.0.0.1:" + strconv.Itoa(port)
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		if err := ln.Close(); err != nil {
			return "", fmt.Errorf("free port: close %s: %w", addr, err)
		}
		return addr, nil
	}
	return "", fmt.Errorf("free port: no free port among 100 tries in %d-%d", lowest, high-1)
}

// ephemeralLow returns the first port of the kernel's ephemeral range, or
// the usual Linux default where the range cannot be read.
func ephemeralLow() int {
	const linuxDefault = 32768
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return linuxDefault
	}
	fields := strings.Fields(string(b))
	if len(fields) != 2 {
		return linuxDefault
	}
	low, err := strconv.Atoi(fields[0])
	if err != nil || low <= lowest+1000 {
		return linuxDefault
	}
	return low
}
