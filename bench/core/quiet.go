package main

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// quiesce waits, up to limit, until the machine's CPUs were at least
// minIdle idle over one second (what the previous round left running —
// a Dask cluster's processes stopping, the page cache written back —
// would otherwise count against the next round), and returns the idle
// share of the last second it measured (-1 where /proc/stat cannot be
// read). It never fails the benchmark: a machine that stays busy is
// measured busy, and the report says so.
func quiesce(minIdle float64, limit time.Duration) float64 {
	deadline := time.Now().Add(limit)
	for {
		idle := idleOver(time.Second)
		if idle < 0 || idle >= minIdle || time.Now().After(deadline) {
			return idle
		}
	}
}

// idleOver returns the share of CPU time the machine spent idle (idle
// and waiting for I/O) over d, or -1 when /proc/stat cannot be read.
func idleOver(d time.Duration) float64 {
	idle0, total0, ok := cpuTimes()
	if !ok {
		return -1
	}
	time.Sleep(d)
	idle1, total1, ok := cpuTimes()
	if !ok || total1 <= total0 {
		return -1
	}
	return float64(idle1-idle0) / float64(total1-total0)
}

// cpuTimes reads the machine's idle and total CPU time, in clock ticks,
// from the first line of /proc/stat.
func cpuTimes() (idle, total uint64, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return 0, 0, false
	}
	for i, s := range f[1:] {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		total += v
		if i == 3 || i == 4 { // idle, iowait
			idle += v
		}
	}
	return idle, total, true
}

// settleMachine waits, with -dask, for the machine to be quiet before a round
// (see quiesce), and logs what it found.
func settleMachine(cfg config, round string) {
	if cfg.quick {
		return
	}
	start := time.Now()
	idle := quiesce(0.9, time.Minute)
	logf("before %s: CPUs %.0f%% idle over the last second, after %s", round, 100*idle, time.Since(start).Round(time.Second))
}
