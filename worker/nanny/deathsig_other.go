//go:build !linux

package nanny

import "syscall"

// diesWithParent has no kernel help outside Linux: WatchParent alone ends
// an orphaned worker.
func diesWithParent() *syscall.SysProcAttr { return nil }
