//go:build !unix

package worker

import "github.com/microfn/microfn/protocol"

// setOSLimits has no hard limits to set outside Unix: the Go runtime's
// soft memory limit and the stack limit still apply.
func setOSLimits(protocol.Limits) error { return nil }
