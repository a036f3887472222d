package scheduler

import (
	"math"

	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/scheduler/state"
)

// StateConfig maps the scheduler.* configuration keys to the state
// machine's settings.
func StateConfig(cfg *config.Config) state.Config {
	sc := state.DefaultConfig()
	sc.WorkerSaturation = cfg.Float("scheduler.worker-saturation")
	if sc.WorkerSaturation <= 0 {
		sc.WorkerSaturation = math.Inf(1)
	}
	sc.WorkStealing = cfg.Bool("scheduler.work-stealing")
	sc.Bandwidth = float64(cfg.Bytes("scheduler.bandwidth"))
	sc.UnknownDuration = cfg.Duration("scheduler.unknown-task-duration")
	sc.AllowedFailures = cfg.Int("scheduler.allowed-failures")
	sc.WorkerTTL = cfg.Duration("scheduler.worker-ttl")
	sc.Record = cfg.Bool("scheduler.events.record")
	return sc
}
