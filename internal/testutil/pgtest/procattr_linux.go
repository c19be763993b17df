package pgtest

import "syscall"

// procAttr runs the server as cred (nil: as ourselves) and asks the kernel
// to stop it if the test binary dies without cleaning up (a panic or a
// go test -timeout), so no server outlives its tests.
func procAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
}
