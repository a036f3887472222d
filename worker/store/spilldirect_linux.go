//go:build linux

package store

import (
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// openDirect opens a file for direct I/O (O_DIRECT). A file system that
// refuses it answers EINVAL.
func openDirect(path string, flag int, perm os.FileMode) (*os.File, error) {
	return os.OpenFile(path, flag|syscall.O_DIRECT, perm)
}

// probeDirect returns the block to which direct I/O in dir must be
// aligned (at least a page, 4096 bytes), or 0 when dir's file system
// refuses direct I/O. It opens a probe file with O_DIRECT and asks the
// kernel for its alignment (statx, Linux 6.1 and later); where the kernel
// does not say, a refusal shows later as EINVAL on a write, and the
// directory turns to the page cache then.
func probeDirect(dir string) int {
	path := filepath.Join(dir, ".direct-probe")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|syscall.O_DIRECT, 0o600)
	if err != nil {
		return 0
	}
	defer os.Remove(path)
	defer f.Close()
	align := 4096
	var st unix.Statx_t
	if err := unix.Statx(int(f.Fd()), "", unix.AT_EMPTY_PATH, unix.STATX_DIOALIGN, &st); err == nil && st.Mask&unix.STATX_DIOALIGN != 0 {
		if st.Dio_offset_align == 0 || st.Dio_mem_align == 0 {
			return 0 // the file system does no direct I/O on this file
		}
		align = max(align, int(st.Dio_offset_align), int(st.Dio_mem_align))
	}
	return align
}
