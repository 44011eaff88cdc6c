package server

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// runDirPrefix starts the names of the servers' private directories in
// the temporary directory; runLock is the file each server holds locked
// in its own for as long as it runs.
const (
	runDirPrefix = "microfn-"
	runLock      = "server.lock"
)

// makeRunDir makes the private directory of the workers' temporary
// folders. It first removes the directories of servers that ended
// without removing theirs (killed).
func (s *Server) makeRunDir() error {
	removeStaleRunDirs(os.TempDir(), s.cfg.logger)
	dir, lock, err := makeRunDir(os.TempDir())
	if err != nil {
		return fmt.Errorf("make the workers' directory: %w", err)
	}
	s.runDir, s.runLock = dir, lock
	return nil
}

// makeRunDir makes a server's private directory in tmp, holding its lock
// file locked (flock: the kernel releases the lock when the process
// ends, however it ends). The directory gets its name only once locked,
// so that no other server takes it for a dead one's.
func makeRunDir(tmp string) (string, *os.File, error) {
	staging, err := os.MkdirTemp(tmp, "."+runDirPrefix)
	if err != nil {
		return "", nil, err
	}
	lock, err := os.OpenFile(filepath.Join(staging, runLock), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	dir := filepath.Join(tmp, strings.TrimPrefix(filepath.Base(staging), "."))
	if err == nil {
		err = os.Rename(staging, dir)
	}
	if err != nil {
		if lock != nil {
			lock.Close()
		}
		os.RemoveAll(staging)
		return "", nil, err
	}
	return dir, lock, nil
}

// removeStaleRunDirs removes the private directories in tmp of servers
// of this user that no longer run: their lock can be taken. A directory
// without a lock file (made by an older microfn) is left alone.
func removeStaleRunDirs(tmp string, logger *slog.Logger) {
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), runDirPrefix) {
			continue
		}
		dir := filepath.Join(tmp, e.Name())
		if info, err := e.Info(); err != nil || !ownedByMe(info) {
			continue
		}
		lock, err := os.Open(filepath.Join(dir, runLock))
		if err != nil {
			continue
		}
		if syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			if err := os.RemoveAll(dir); err == nil {
				logger.Info("removed the directory of a server that ended without removing it", "dir", dir)
			}
		}
		lock.Close()
	}
}

// ownedByMe reports whether this process's user owns the file of info.
func ownedByMe(info os.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}
