package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/microfn/microfn/server"
	"github.com/microfn/microfn/worker"
)

// prebuilt is the application compiled into this executable by microfn
// build DIR, or nil in microfn itself: the build adds a file to this
// package whose init calls usePrebuilt, and nothing changes it after
// init. An application serves its own packages: its commands take no
// DIR, and it neither checks, interprets nor builds code.
var prebuilt *server.Prebuilt

// usePrebuilt makes this executable the application of manifest (a
// server.Prebuilt in JSON) with the compiled code load loads. The file
// microfn build adds calls it from its init.
func usePrebuilt(manifest string, load worker.LoadFunc) {
	var p server.Prebuilt
	if err := json.Unmarshal([]byte(manifest), &p); err != nil {
		fmt.Fprintln(os.Stderr, "microfn: the application's manifest is damaged:", err)
		os.Exit(2)
	}
	p.Load = load
	prebuilt = &p
}

// servedDir returns the folder a command works on and the arguments after
// it: the first argument, or, in an application, the folder it was built
// from (the application serves the packages built into it; it takes no
// DIR). ok is false when a DIR is missing.
func servedDir(pos []string) (dir string, rest []string, ok bool) {
	if prebuilt != nil {
		return prebuilt.Root, pos, true
	}
	if len(pos) == 0 {
		return "", nil, false
	}
	return pos[0], pos[1:], true
}
