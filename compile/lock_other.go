//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package compile

import "os"

// lockShared does nothing where flock is missing.
func lockShared(f *os.File) error { return nil }

// tryLock reports false where flock is missing: another process may use
// any executable, so none is evicted.
func tryLock(f *os.File) bool { return false }
