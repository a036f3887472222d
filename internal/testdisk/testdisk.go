//go:build linux

// Package testdisk gives tests a real, small file system to fill up.
package testdisk

import (
	"fmt"
	"os"
	"syscall"
	"testing"
)

// Small mounts a tmpfs of size bytes for the test and returns its path;
// it is unmounted when the test ends. It skips the test where mounting is
// not allowed (not root), unless DUSK_REQUIRE_MOUNT is set.
func Small(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
		if os.Getenv("DUSK_REQUIRE_MOUNT") != "" {
			t.Fatalf("mounting a %d-byte tmpfs at %s: %v", size, dir, err)
		}
		t.Skipf("cannot mount a tmpfs here (%v): run as root to test a really full disk", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmounting %s: %v", dir, err)
		}
	})
	return dir
}
