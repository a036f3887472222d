package nanny

import "syscall"

// diesWithParent makes the kernel kill a child process when the process
// that started it dies.
func diesWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
