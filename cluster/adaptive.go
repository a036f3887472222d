package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dusk-go/dusk/scheduler/state"
)

// Scaler is what an adaptive loop asks of the scheduler: its
// recommendation, and the graceful retirement of workers.
// *scheduler.Server is one.
type Scaler interface {
	Scaling(ctx context.Context, targetDuration time.Duration) (state.Scaling, error)
	RetireWorkers(ctx context.Context, ids ...string) error
}

// Launcher starts workers for a cluster; the scheduler retires them.
type Launcher interface {
	// Launched returns how many workers were started and count for the
	// cluster's size: still starting, or joined and not leaving (retired
	// or gone from the scheduler, their processes may take a while to
	// end).
	Launched(ctx context.Context) (int, error)
	// Launch starts n more workers.
	Launch(ctx context.Context, n int) error
}

// AdaptOptions configures Adapt.
type AdaptOptions struct {
	// Minimum and Maximum bound the number of workers.
	Minimum, Maximum int
	// Interval is how often the recommendation is asked for (default 1s).
	Interval time.Duration
	// TargetDuration is how long the work in the cluster should take with
	// the workers wanted (default 5s, as Dask's).
	TargetDuration time.Duration
	// WaitCount is how many recommendations in a row must ask for fewer
	// workers before any is retired (default 3), so that a pause between
	// two bursts does not tear the cluster down.
	WaitCount int
	// Logger receives a line per change.
	Logger *slog.Logger
}

func (o *AdaptOptions) defaults() error {
	if o.Minimum < 0 || o.Maximum < o.Minimum || o.Maximum == 0 {
		return fmt.Errorf("dusk: adapt between %d and %d workers: give 0 ≤ minimum ≤ maximum, maximum at least 1", o.Minimum, o.Maximum)
	}
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.TargetDuration <= 0 {
		o.TargetDuration = 5 * time.Second
	}
	if o.WaitCount <= 0 {
		o.WaitCount = 3
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return nil
}

// Adapt keeps the cluster of l between o.Minimum and o.Maximum workers
// until ctx ends: every o.Interval it asks the scheduler how many workers
// the work wants, launches more at once when it wants more, and retires
// the idle workers the scheduler names when it has wanted fewer
// o.WaitCount times in a row (their data is handed to the others first,
// so nothing is computed again). It returns ctx's error, or o's if o is
// not valid.
func Adapt(ctx context.Context, s Scaler, l Launcher, o AdaptOptions) error {
	if err := o.defaults(); err != nil {
		return err
	}
	log := o.Logger.With("component", "adaptive")
	t := time.NewTicker(o.Interval)
	defer t.Stop()
	fewer := 0
	for {
		if err := adaptOnce(ctx, s, l, &o, &fewer, log); err != nil && !errors.Is(err, context.Canceled) {
			log.Warn("adaptive scaling: asking the scheduler failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// adaptOnce acts on one recommendation; fewer counts the recommendations
// in a row that wanted fewer workers.
func adaptOnce(ctx context.Context, s Scaler, l Launcher, o *AdaptOptions, fewer *int, log *slog.Logger) error {
	rec, err := s.Scaling(ctx, o.TargetDuration)
	if err != nil {
		return err
	}
	have, err := l.Launched(ctx)
	if err != nil {
		return err
	}
	want := min(max(rec.Target, o.Minimum), o.Maximum)
	switch {
	case want > have:
		*fewer = 0
		log.Info("adaptive scaling: more workers", "from", have, "to", want)
		return l.Launch(ctx, want-have)
	case want < have && len(rec.Close) > 0:
		if *fewer++; *fewer < o.WaitCount {
			return nil
		}
		*fewer = 0
		n := min(have-want, len(rec.Close))
		log.Info("adaptive scaling: retiring idle workers", "from", have, "to", have-n, "workers", rec.Close[:n])
		return s.RetireWorkers(ctx, rec.Close[:n]...)
	default:
		*fewer = 0
	}
	return nil
}

// Launched returns how many workers the local cluster started that
// count for its size: still starting, or joined and neither retiring nor
// gone.
func (c *Local) Launched(ctx context.Context) (int, error) {
	ws, err := c.Workers(ctx)
	if err != nil {
		return 0, err
	}
	status := StatusByName(ws)
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for name := range c.live {
		if c.members.Counts(name, status) {
			n++
		}
	}
	return n, nil
}

// Launch starts n more local workers.
func (c *Local) Launch(ctx context.Context, n int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.startWorkers(n)
	return nil
}

// Adapt starts adapting the local cluster's size to its work (see the
// function Adapt), replacing an adaptation under way; it ends when the
// cluster closes or StopAdapting is called.
func (c *Local) Adapt(o AdaptOptions) error {
	if o.Logger == nil {
		o.Logger = c.opts.Logger
	}
	if err := o.defaults(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(c.runCtx)
	c.mu.Lock()
	if c.adapting != nil {
		c.adapting()
	}
	c.adapting = cancel
	c.mu.Unlock()
	go func() { _ = Adapt(ctx, c.Scheduler, c, o) }()
	return nil
}

// StopAdapting stops an adaptation under way; the workers stay as they are.
func (c *Local) StopAdapting() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.adapting != nil {
		c.adapting()
		c.adapting = nil
	}
}

// Scale sets the number of workers to n: it launches more, or retires the
// idle workers holding the least data (their data handed to the others
// first). Busy workers are not retired: the cluster may stay larger than
// n until they are idle and Scale is called again.
func (c *Local) Scale(ctx context.Context, n int) error {
	if n < 0 {
		return fmt.Errorf("dusk: scale to %d workers: give 0 or more", n)
	}
	have, err := c.Launched(ctx)
	if err != nil {
		return err
	}
	if n >= have {
		return c.Launch(ctx, n-have)
	}
	ids, err := c.Scheduler.WorkersToClose(ctx, have-n)
	if err != nil {
		return err
	}
	return c.Scheduler.RetireWorkers(ctx, ids...)
}
