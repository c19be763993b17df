//go:build unix

// Package filelock takes the advisory file locks that keep two processes
// off what only one may use: a node's segment log, a SQLite database served.
package filelock

import (
	"errors"
	"os"
	"syscall"
)

// TryLock takes an exclusive advisory lock on f without waiting; false when
// another process (or another Log of this one) holds it. The kernel drops
// the lock when the process dies, even by kill -9.
func TryLock(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}
