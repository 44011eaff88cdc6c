package server_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/microfn/microfn/server"
)

func TestZZChainProfile(t *testing.T) {
	n := 1000
	dir := t.TempDir()
	w := func(name, src string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(src), 0o644)
	}
	w("go.mod", "module example.com/chain\n\ngo 1.22\n")
	w("c0/c.go", "package c0\n\nfunc F() int { return 1 }\n")
	for k := 1; k < n; k++ {
		w(fmt.Sprintf("c%d/c.go", k), fmt.Sprintf("package c%d\n\nimport \"example.com/chain/c%d\"\n\nfunc F() int { return c%d.F() + 1 }\n", k, k-1, k-1))
	}
	w("top/top.go", fmt.Sprintf("package top\n\nimport \"example.com/chain/c%d\"\n\n//microfn:service\nfunc V() int { return c%d.F() }\n", n-1, n-1))
	iso := server.Isolation(os.Getenv("ZZ_ISO"))
	start := time.Now()
	srv, err := server.New(dir, server.WithIsolation(iso), server.WithWatch(false), server.WithAddr("127.0.0.1:0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ready in %s", time.Since(start))
	srv.Close()
}
