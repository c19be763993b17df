//go:build !unix

package filelock

import "os"

// TryLock cannot lock on this platform: one node per data directory.
func TryLock(*os.File) (bool, error) { return true, nil }
