//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package compile

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockShared locks f shared (flock), waiting for an exclusive lock to
// end.
func lockShared(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_SH)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// tryLock locks f exclusively without waiting, and reports whether it
// did.
func tryLock(f *os.File) bool {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if !errors.Is(err, unix.EINTR) {
			return err == nil
		}
	}
}
