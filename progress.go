package dusk

import (
	"context"
	"io"
	"maps"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/dusk-go/dusk/diagnostics/progress"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/wire/pb"
)

// progressInterval is how often progress bars are redrawn.
const progressInterval = 100 * time.Millisecond

// Progress shows a progress bar per task prefix of the futures on standard
// error until every one is finished, erred or cancelled: redrawn in place
// on a terminal, as plain lines otherwise. It returns what Wait returns.
// To follow every task of a Compute or Persist, not only its result, use
// the ShowProgress option.
func Progress[F Waitable](ctx context.Context, fs ...F) error {
	return ProgressTo(ctx, os.Stderr, fs...)
}

// ProgressTo is Progress drawing on w.
func ProgressTo[F Waitable](ctx context.Context, w io.Writer, fs ...F) error {
	bars := progress.New(w)
	counts := map[string]*progress.Counts{}
	var order []string
	pending := make([]F, 0, len(fs))
	for _, f := range fs {
		p := graph.Key(f.Key()).Prefix()
		if counts[p] == nil {
			counts[p] = &progress.Counts{Prefix: p}
			order = append(order, p)
		}
		counts[p].Total++
		pending = append(pending, f)
	}
	list := func() []progress.Counts {
		out := make([]progress.Counts, len(order))
		for i, p := range order {
			out[i] = *counts[p]
		}
		return out
	}
	tick := time.NewTicker(progressInterval)
	defer tick.Stop()
	for {
		still := pending[:0]
		for _, f := range pending {
			select {
			case <-f.Done():
				c := counts[graph.Key(f.Key()).Prefix()]
				if f.Status() == Finished {
					c.Done++
				} else {
					c.Erred++
				}
			default:
				still = append(still, f)
			}
		}
		pending = still
		if len(pending) == 0 {
			bars.Finish(list())
			return Wait(ctx, fs...)
		}
		bars.Update(list())
		select {
		case <-ctx.Done():
			bars.Finish(list())
			return ctx.Err()
		case <-pending[0].Done():
		case <-tick.C:
		}
	}
}

// ShowProgress makes Compute, ComputeAll, Persist and PersistAll draw a
// progress bar per task prefix of the whole graph on standard error while
// it runs (for Persist, until its results are in memory).
func ShowProgress() ComputeOption { return ShowProgressTo(os.Stderr) }

// ShowProgressTo is ShowProgress drawing on w.
func ShowProgressTo(w io.Writer) ComputeOption { return func(o *computeOptions) { o.progress = w } }

// graphProgress follows the tasks of one graph through the scheduler's
// event stream and draws their progress.
type graphProgress struct {
	bars   *progress.Bars
	prefix map[string]string // key -> prefix, for the graph's keys
	order  []string
	counts map[string]*progress.Counts
	seen   map[string]bool // keys counted as done or erred
	stream pb.Scheduler_EventsClient
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once // finish draws the end once
}

// startProgress subscribes to the scheduler's events for the tasks of g;
// the subscription is live when it returns, so the graph may be sent.
func (c *Client) startProgress(w io.Writer, g graph.Graph) (*graphProgress, error) {
	sctx, cancel := context.WithCancel(context.Background())
	stream, err := c.sched.Events(sctx, &pb.EventsRequest{})
	if err != nil {
		cancel()
		return nil, err
	}
	if _, err := stream.Recv(); err != nil { // the subscription is live
		cancel()
		return nil, err
	}
	p := &graphProgress{bars: progress.New(w), prefix: make(map[string]string, len(g)), counts: map[string]*progress.Counts{},
		seen: map[string]bool{}, stream: stream, cancel: cancel, done: make(chan struct{})}
	for _, k := range slices.Sorted(maps.Keys(g)) {
		pre := k.Prefix()
		p.prefix[string(k)] = pre
		if p.counts[pre] == nil {
			p.counts[pre] = &progress.Counts{Prefix: pre}
			p.order = append(p.order, pre)
		}
		p.counts[pre].Total++
	}
	go p.run()
	return p, nil
}

func (p *graphProgress) list() []progress.Counts {
	out := make([]progress.Counts, len(p.order))
	for i, pre := range p.order {
		out[i] = *p.counts[pre]
	}
	return out
}

// run reads events and redraws until the stream ends.
func (p *graphProgress) run() {
	defer close(p.done)
	last := time.Time{}
	for {
		b, err := p.stream.Recv()
		if err != nil {
			return
		}
		for _, e := range b.GetEvents() {
			if e.GetKind() != "transition" {
				continue
			}
			pre, ok := p.prefix[e.GetKey()]
			if !ok || p.seen[e.GetKey()] {
				continue
			}
			switch e.GetTo() {
			case "memory":
				p.counts[pre].Done++
				p.seen[e.GetKey()] = true
			case "erred":
				p.counts[pre].Erred++
				p.seen[e.GetKey()] = true
			}
		}
		if now := time.Now(); now.Sub(last) >= progressInterval {
			last = now
			p.bars.Update(p.list())
		}
	}
}

// finish stops following and draws the end: tasks the scheduler already
// had in memory (from an earlier computation) count as done when ok.
func (p *graphProgress) finish(ok bool) {
	p.once.Do(func() {
		p.cancel()
		<-p.done
		if ok {
			for _, c := range p.counts {
				c.Done = c.Total - c.Erred
			}
		}
		p.bars.Finish(p.list())
	})
}
