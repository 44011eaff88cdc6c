// Package syscall provide wrapper of standard library syscall package for native import in Yaegi.
package syscall

import (
	"reflect"

	"github.com/traefik/yaegi/stdlib"
)

// Symbols holds the symbol tables of package syscall, each built on first
// use (see [stdlib.Table]).
var Symbols = &stdlib.Table{}

func init() {
	Symbols.Add("github.com/traefik/yaegi/stdlib/syscall/syscall", func() map[string]reflect.Value {
		return map[string]reflect.Value{"Symbols": reflect.ValueOf(Symbols)}
	}, nil)
}

//go:generate ../../internal/cmd/extract/extract -lazy -exclude=^Exec,Exit,ForkExec,Kill,Ptrace,Reboot,Shutdown,StartProcess,Syscall syscall
