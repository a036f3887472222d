//go:build linux

package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/internal/testdisk"
)

// TestSpillOntoARealFullDisk spills onto a 1 MiB file system until the
// kernel answers ENOSPC, with direct I/O (where the file system takes it)
// and through the page cache: the error names the directory and matches
// ErrSpillFull, the value that did not fit stays in memory, the values
// that did fit read back intact, and no partial file is left.
func TestSpillOntoARealFullDisk(t *testing.T) {
	for _, m := range spillModes {
		t.Run(m.name, func(t *testing.T) { spillOntoAFullDisk(t, m.direct) })
	}
}

func spillOntoAFullDisk(t *testing.T, direct bool) {
	mnt := testdisk.Small(t, 1<<20)
	d, err := NewSpillDir(filepath.Join(mnt, "spill"), 0)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case !direct:
		d.align.Store(0)
	case !d.DirectIO():
		t.Skipf("the file system of %s refuses direct I/O", d.Dir())
	default:
		d.directAbove = 0
	}
	s := NewStore()
	s.SpillTo(d, 0)
	const n, size = 8, 300 << 10 // 2.4 MiB of incompressible values
	want := map[graph.Key][]byte{}
	for i := range n {
		k := graph.Key(fmt.Sprintf("v%d", i))
		want[k] = randomBytes(uint64(i+1), size)
		s.Put(k, want[k])
	}
	var spillErr error
	spilled := 0
	for range n {
		freed, err := s.Spill(1)
		if err != nil {
			spillErr = err
			break
		}
		if freed == 0 {
			break
		}
		spilled++
	}
	if spillErr == nil {
		t.Fatalf("spilled %d values of %d bytes onto a 1 MiB disk without an error", spilled, size)
	}
	if spilled == 0 || spilled >= 4 {
		t.Fatalf("%d values of %d bytes fit on a 1 MiB disk before the error, want 1 to 3", spilled, size)
	}
	if !errors.Is(spillErr, ErrSpillFull) || !errors.Is(spillErr, syscall.ENOSPC) {
		t.Fatalf("error %v does not match ErrSpillFull and ENOSPC", spillErr)
	}
	if !strings.Contains(spillErr.Error(), d.Dir()) {
		t.Fatalf("error %q does not name the directory %s", spillErr, d.Dir())
	}
	if got := len(files(t, d)); got != spilled {
		t.Fatalf("%d files in the spill directory after %d spills: a failed spill left a file", got, spilled)
	}
	if direct {
		for _, v := range fileVersions(t, d) {
			if v != spillVersion2 {
				t.Fatalf("a file of version %d on the direct path", v)
			}
		}
	}
	onDiskNow := 0
	for k, v := range want {
		if onDisk(s, k) {
			onDiskNow++
		}
		mustValue(t, s, k, v)
	}
	if onDiskNow != spilled {
		t.Fatalf("%d values on disk, want %d", onDiskNow, spilled)
	}
}
