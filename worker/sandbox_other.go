//go:build !linux

package worker

import "github.com/microfn/microfn/protocol"

// confine does nothing outside Linux: the operating system does not
// restrict the worker.
func confine(spec protocol.Spec) ([]string, error) {
	if spec.Sandbox.Off {
		return nil, nil
	}
	return []string{"the file system and network access of service code are restricted by the interpreter's sandbox only: no Landlock outside Linux"}, nil
}
