package interp

import (
	"slices"

	"github.com/microfn/microfn/interp/sandbox"
)

// Sandbox is the standard library service code may import by default
// (see [sandbox.Packages]): the packages that compute, encode and format
// in memory, and the status codes and other constants of net/http, each
// without the names that reach the file system, the network, the process,
// raw memory or state the host shares with every package. The other
// packages (the rest of os, io/ioutil, path/filepath, net, net/http,
// crypto/tls, database/sql/driver, flag, runtime, debug/*, testing, …)
// need Options.Allow (serve --allow) or Options.Unrestricted.
//
// Options.Allow widens the sandbox: "os" gives back what reaches the file
// system or the process in every package, "net" what opens network
// connections, and any package P the whole of P (but for raw memory, which
// needs Options.Unrestricted).
var Sandbox = sandbox.Packages

// Allowed returns the sorted import paths service code may import with
// these options: package microfn and the standard library the sandbox
// gives.
func Allowed(unrestrictedMode bool, allow ...string) []string {
	paths := append(sandbox.Allowed(unrestrictedMode, allow...), APIPath)
	slices.Sort(paths)
	return slices.Compact(paths)
}
