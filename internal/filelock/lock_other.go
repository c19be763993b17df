//go:build !unix

package seglog

import "os"

// tryLock cannot lock on this platform: one node per data directory.
func tryLock(*os.File) (bool, error) { return true, nil }
