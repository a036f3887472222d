package store

import (
	"fmt"

	"github.com/dusk-go/dusk/config"
)

// Thresholds are the fractions of a worker's memory limit at which it acts,
// as in Dask. A fraction of 0 disables its action.
//
//   - Target: when the bytes of the values it holds (managed memory) pass
//     it, the worker writes the least recently used values to disk until
//     they are below it again.
//   - Spill: when the memory of the whole process passes it, the worker
//     spills the same way until the process is back below Target.
//   - Pause: when the process passes it, the worker stops starting tasks
//     and fetching data, and resumes once below it.
//   - Terminate: when the process passes it, the nanny kills the worker and
//     starts a fresh one.
type Thresholds struct {
	Target, Spill, Pause, Terminate float64
}

// DefaultThresholds returns Dask's defaults: 0.60, 0.70, 0.80, 0.95.
func DefaultThresholds() Thresholds {
	return Thresholds{Target: 0.60, Spill: 0.70, Pause: 0.80, Terminate: 0.95}
}

// ThresholdsFromConfig reads worker.memory.target, .spill, .pause and
// .terminate.
func ThresholdsFromConfig(c *config.Config) Thresholds {
	return Thresholds{
		Target:    c.Float("worker.memory.target"),
		Spill:     c.Float("worker.memory.spill"),
		Pause:     c.Float("worker.memory.pause"),
		Terminate: c.Float("worker.memory.terminate"),
	}
}

// Validate checks that every fraction is in [0, 1] and that the enabled
// ones rise in the order Target, Spill, Pause, Terminate.
func (t Thresholds) Validate() error {
	names := [...]string{"target", "spill", "pause", "terminate"}
	vals := [...]float64{t.Target, t.Spill, t.Pause, t.Terminate}
	prev, prevName := 0.0, ""
	for i, v := range vals {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("dusk: memory threshold %s = %g is not a fraction between 0 and 1", names[i], v)
		}
		if v == 0 {
			continue
		}
		if v < prev {
			return fmt.Errorf("dusk: memory threshold %s = %g is below %s = %g; they must rise in the order target, spill, pause, terminate", names[i], v, prevName, prev)
		}
		prev, prevName = v, names[i]
	}
	return nil
}

// bytes returns fraction f of limit, or 0 (disabled) when either is 0.
// TargetBytes is the target threshold in bytes of limit (0: none).
func (t Thresholds) TargetBytes(limit int64) int64 { return bytesOf(t.Target, limit) }

func bytesOf(f float64, limit int64) int64 {
	if f <= 0 || limit <= 0 {
		return 0
	}
	return int64(f * float64(limit))
}

// spillGoal is the process memory a worker spills down to once it passed
// Spill: Target, or Spill itself when Target is disabled.
func (t Thresholds) spillGoal(limit int64) int64 {
	if t.Target > 0 {
		return bytesOf(t.Target, limit)
	}
	return bytesOf(t.Spill, limit)
}

// GoMemoryLimit is the soft limit a worker process gives Go's garbage
// collector (GOMEMLIMIT) for a memory limit: the Spill fraction of it, or
// the first enabled fraction above, or the limit itself. The collector then
// works harder as the process nears the point where the worker spills, so
// that garbage is gone before the worker measures itself, and long before
// the nanny would kill it.
func (t Thresholds) GoMemoryLimit(limit int64) int64 {
	if limit <= 0 {
		return 0
	}
	for _, f := range []float64{t.Spill, t.Pause, t.Terminate} {
		if f > 0 {
			return bytesOf(f, limit)
		}
	}
	return limit
}
