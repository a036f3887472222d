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
	sc.StealInterval = cfg.Duration("scheduler.work-stealing-interval")
	sc.Bandwidth = float64(cfg.Bytes("scheduler.bandwidth"))
	sc.UnknownDuration = cfg.Duration("scheduler.unknown-task-duration")
	sc.AllowedFailures = cfg.Int("scheduler.allowed-failures")
	sc.WorkerTTL = cfg.Duration("scheduler.worker-ttl")
	sc.Record = cfg.Bool("scheduler.events.record")
	return sc
}

// OptionsFromConfig maps the scheduler.* configuration keys to a
// scheduler's options: its scheduling (StateConfig), the events it keeps
// and where its dashboard listens. Security, logging and the version are
// the caller's.
func OptionsFromConfig(cfg *config.Config) Options {
	return Options{
		State:            StateConfig(cfg),
		EventCapacity:    cfg.Int("scheduler.events.capacity"),
		DashboardAddress: cfg.String("scheduler.dashboard-address"),
		ClientTTL:        cfg.Duration("scheduler.client-ttl"),
		StateDirectory:   cfg.String("scheduler.state-directory"),
		GCHeapFloor:      cfg.Bytes("scheduler.gc-heap-floor"),
	}
}
