//go:build race

package worker

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// Under the race detector a Go process keeps shadow memory, about twice
// the memory it ever touched, and never gives it back to the OS. Counted
// as the program's own, it would make every memory budget mean something
// else in race builds than in normal ones (a worker would pause for good
// once its heap had peaked). So race builds leave out the detector's
// mappings: ThreadSanitizer's Go layout on 64-bit Linux puts its shadow
// and meta memory between these addresses, above anything Go allocates.
const (
	raceShadowStart = 0x200000000000
	raceShadowEnd   = 0x400000000000
)

// processMemory is the resident set size minus the race detector's shadow
// and meta memory, summed from /proc/PID/smaps.
func processMemory(pid int) (int64, error) {
	f, err := os.Open(procPath(pid, "smaps"))
	if err != nil {
		return 0, fmt.Errorf("dusk: reading the memory of process %d: %w", pid, err)
	}
	defer f.Close()
	var total int64
	counted := true
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		if start, ok := mappingStart(line); ok {
			counted = start < raceShadowStart || start >= raceShadowEnd
			continue
		}
		if counted && bytes.HasPrefix(line, []byte("Rss:")) {
			fs := bytes.Fields(line)
			if len(fs) >= 2 {
				kb, _ := strconv.ParseInt(string(fs[1]), 10, 64)
				total += kb << 10
			}
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("dusk: reading the memory of process %d: %w", pid, err)
	}
	return total, nil
}

// mappingStart parses the start address of a mapping's header line in
// smaps ("7f12a000-7f12b000 r-xp ..."); ok is false for other lines.
func mappingStart(line []byte) (uint64, bool) {
	dash := bytes.IndexByte(line, '-')
	if dash <= 0 || bytes.IndexByte(line[:dash], ':') >= 0 {
		return 0, false
	}
	start, err := strconv.ParseUint(string(line[:dash]), 16, 64)
	if err != nil {
		return 0, false
	}
	return start, true
}
