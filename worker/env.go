package worker

import (
	"os"

	"github.com/microfn/microfn/protocol"
)

// applyEnv gives the process the environment service code reads: the
// server's --env and --secret, and TMPDIR (the worker's private temporary
// folder), nothing else of what the worker was started with (the
// server's token, say), unless the code is unrestricted. Interpreted
// code reads the interpreter's copy of s.Env (yaegi's), compiled code the
// process's: both see the same.
func applyEnv(s protocol.Settings) {
	if !s.Unrestricted {
		tmp, hasTmp := os.LookupEnv("TMPDIR")
		os.Clearenv()
		if hasTmp {
			_ = os.Setenv("TMPDIR", tmp)
		}
	}
	for k, v := range s.Env {
		_ = os.Setenv(k, v)
	}
}
