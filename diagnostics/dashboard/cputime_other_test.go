//go:build !linux

package dashboard

import "time"

// cpuTimes is not measured off Linux.
func cpuTimes() (thread, process time.Duration) { return 0, 0 }
