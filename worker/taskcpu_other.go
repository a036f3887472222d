//go:build !linux

package worker

import "time"

// threadTimes is known on Linux only: elsewhere task runs are not
// measured.
func threadTimes() (cpu, wait time.Duration, ok bool) { return 0, 0, false }
