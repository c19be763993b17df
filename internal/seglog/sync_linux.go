package seglog

import (
	"os"
	"syscall"
)

// datasync flushes f's data: the segment was preallocated and zero-filled,
// so no metadata (size, extents) changes and fdatasync is one device flush.
func datasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
