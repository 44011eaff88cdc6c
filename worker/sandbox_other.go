//go:build !linux

package worker

import (
	"os"

	"github.com/microfn/microfn/protocol"
)

// confine can only point temporary files at the private folder outside
// Linux: the operating system does not restrict the worker.
func confine(spec protocol.Spec) ([]string, error) {
	if spec.Sandbox.TempDir != "" {
		if err := os.Setenv("TMPDIR", spec.Sandbox.TempDir); err != nil {
			return nil, err
		}
	}
	if spec.Sandbox.Off {
		return nil, nil
	}
	return []string{"the file system and network access of service code are restricted by the interpreter's sandbox only: no Landlock outside Linux"}, nil
}
