//go:build !linux

package store

import (
	"errors"
	"os"
)

// openDirect refuses: direct I/O is used on Linux only.
func openDirect(path string, _ int, _ os.FileMode) (*os.File, error) {
	return nil, &os.PathError{Op: "open", Path: path, Err: errors.ErrUnsupported}
}

// probeDirect returns 0: spill files go through the page cache.
func probeDirect(string) int { return 0 }
