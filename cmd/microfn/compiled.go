package main

import (
	yaegi "github.com/traefik/yaegi/interp"

	"github.com/microfn/microfn/server"
)

// compiledIn are the symbol tables of the Go packages compiled into this
// executable by microfn build --with. The build adds a file to this
// package whose init appends to it; the plain microfn has none, and
// nothing changes it after init.
var compiledIn []yaegi.Exports

// executableOptions are the server options of the executable itself,
// which every server and worker it runs gets.
func executableOptions() []server.Option {
	if len(compiledIn) == 0 {
		return nil
	}
	return []server.Option{server.WithCompiled(compiledIn...)}
}
