package freeport

import (
	"net"
	"strconv"
	"strings"
	"testing"
)

func TestAddr(t *testing.T) {
	high := ephemeralLow()
	seen := map[string]bool{}
	for range 20 {
		addr, err := Addr()
		if err != nil {
			t.Fatal(err)
		}
		port, err := strconv.Atoi(strings.TrimPrefix(addr, "127.0.0.1:"))
		if err != nil || port < lowest || port >= high {
			t.Fatalf("Addr = %q, want 127.0.0.1:PORT with %d <= PORT < %d", addr, lowest, high)
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("Addr = %s, which cannot be listened on: %v", addr, err)
		}
		ln.Close()
		seen[addr] = true
	}
	if len(seen) < 2 {
		t.Errorf("Addr returned the same port 20 times")
	}
}
