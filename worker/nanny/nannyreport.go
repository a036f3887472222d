package nanny

import (
	"encoding/binary"
	"io"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
)

// EnvNannyFD names the file descriptor on which a worker process reports
// its memory to its nanny. The nanny uses the reports only where it cannot
// measure the process itself (race builds, see ProcessMemory).
const EnvNannyFD = "DUSK_NANNY_FD"

// Reporter writes a worker process's memory to its nanny: 8 bytes,
// little-endian, per measure. The descriptor is non-blocking: a report the
// nanny has not read yet is dropped rather than waited for.
type Reporter struct{ fd int }

// ReporterFromEnv returns the reporter the nanny set up, or nil.
func ReporterFromEnv() *Reporter {
	s := os.Getenv(EnvNannyFD)
	if s == "" {
		return nil
	}
	fd, err := strconv.Atoi(s)
	if err != nil || fd < 3 {
		return nil
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		return nil
	}
	return &Reporter{fd: fd}
}

// Report sends one measure; a nil Reporter sends nothing.
func (r *Reporter) Report(mem int64) {
	if r == nil {
		return
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(mem))
	_, _ = syscall.Write(r.fd, b[:]) // EAGAIN: the nanny is behind; skip
}

// readReports stores every report read from f in latest until f ends.
func readReports(f io.Reader, latest *atomic.Int64) {
	var b [8]byte
	for {
		if _, err := io.ReadFull(f, b[:]); err != nil {
			return // the process ended (EOF) or the nanny closed f
		}
		latest.Store(int64(binary.LittleEndian.Uint64(b[:])))
	}
}
