//go:build unix

package worker

import (
	"syscall"

	"github.com/microfn/microfn/protocol"
)

// setOSLimits sets the hard limits: the data segment (every heap mapping
// of the Go runtime counts: past it the runtime fails with "out of
// memory"), the size of a file written (past it a write fails with
// EFBIG: Go ignores SIGXFSZ; no file may be larger than all the
// temporary files together) and the open files.
func setOSLimits(l protocol.Limits) error {
	if l.MaxMemory > 0 {
		lim := uint64(l.MaxMemory)
		if err := syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: lim, Max: lim}); err != nil {
			return err
		}
	}
	if fsize := fileSizeLimit(l); fsize > 0 {
		lim := uint64(fsize)
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: lim, Max: lim}); err != nil {
			return err
		}
	}
	if l.MaxOpenFiles > 0 {
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: l.MaxOpenFiles, Max: l.MaxOpenFiles}); err != nil {
			return err
		}
	}
	return nil
}

// fileSizeLimit is the largest file the worker may write: MaxFileSize, and
// no more than MaxTempSize; 0 for no limit.
func fileSizeLimit(l protocol.Limits) int64 {
	switch {
	case l.MaxFileSize > 0 && l.MaxTempSize > 0:
		return min(l.MaxFileSize, l.MaxTempSize)
	case l.MaxFileSize > 0:
		return l.MaxFileSize
	}
	return l.MaxTempSize
}
