//go:build !linux

package supervisor

import "time"

// limitCPU has no way to bound another process's processor time outside
// Linux: the clock's deadline still ends it.
func limitCPU(int, time.Duration) {}
