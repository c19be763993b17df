package main

import (
	"os"
	"syscall"
)

// fdatasync flushes f's data (not its metadata), like a WAL commit does.
func fdatasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
