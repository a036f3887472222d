package dusk

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// Reconnections to a lost scheduler wait between these, doubling, with
// jitter.
const (
	resumeMin = 100 * time.Millisecond
	resumeMax = 5 * time.Second
)

// resume connects again to a scheduler the client lost (it died and was
// started again on its address, or the network failed), for up to the
// reconnect timeout, and gives it what the client's futures still need:
// the graphs behind every held future that is pending or finished, and
// the syncs it waits for. The futures resume where they were. A future
// the client has no task for (one it got from a dataset, a queue or a
// variable) is claimed again: a scheduler that kept its named state
// (scheduler.state-directory) gives it back once a worker brings its
// data; otherwise it fails as Lost, naming the key. Meanwhile what the
// program sends waits in the outgoing batch, after the resubmission.
func (c *Client) resume(cause error) (pb.Scheduler_ClientClient, error) {
	c.mu.Lock()
	c.up = make(chan struct{})
	c.mu.Unlock()
	cause = wire.Explain(cause, "scheduler "+c.target)
	c.log.Warn("lost the scheduler; reconnecting, then re-submitting what the futures need", "for up to", c.reconnect, "err", cause)
	deadline := time.Now().Add(c.reconnect)
	wait := resumeMin
	for {
		stream, err := c.reopen(deadline)
		if err == nil {
			c.awaitHolders(deadline)
			return stream, c.resubmit()
		}
		if c.isClosed() {
			return nil, nil
		}
		if !time.Now().Before(deadline) {
			return nil, fmt.Errorf("the scheduler stayed out of reach for %s (client.reconnect-timeout): %w", c.reconnect, err)
		}
		d := min(time.Duration(float64(wait)*(0.5+rand.Float64())), time.Until(deadline))
		select {
		case <-time.After(d):
		case <-c.runCtx.Done():
			return nil, nil
		}
		wait = min(2*wait, resumeMax)
	}
}

// reopen waits for the scheduler to answer, up to deadline, and opens a
// session.
func (c *Client) reopen(deadline time.Time) (pb.Scheduler_ClientClient, error) {
	ctx, cancel := context.WithDeadline(c.runCtx, deadline)
	defer cancel()
	if _, err := c.sched.Identity(ctx, &pb.IdentityRequest{}, grpc.WaitForReady(true)); err != nil {
		return nil, wire.Explain(err, "scheduler "+c.target)
	}
	return c.open(ctx)
}

// awaitHolders waits, for up to holdersWait (and not past deadline), until
// every worker that held a finished result of the client's futures, and
// still listens, is connected to the scheduler again: workers keep their
// results through the scheduler's restart and register them when they
// connect, and the scheduler recovers only what it was told about.
func (c *Client) awaitHolders(deadline time.Time) {
	c.mu.Lock()
	want := map[string]bool{}
	for _, fs := range c.futures {
		if fs.refs > 0 && fs.status == Finished {
			for _, a := range fs.addrs {
				want[a] = true
			}
		}
	}
	c.mu.Unlock()
	// A holder whose port refuses connections died with its results:
	// waiting for it is in vain. The holders are tried together.
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		dead []string
	)
	for a := range want {
		wg.Go(func() {
			conn, err := net.DialTimeout("tcp", a, time.Second)
			if err != nil {
				mu.Lock()
				dead = append(dead, a)
				mu.Unlock()
				return
			}
			conn.Close()
		})
	}
	wg.Wait()
	for _, a := range dead {
		delete(want, a)
	}
	if len(want) == 0 {
		return
	}
	if limit := time.Now().Add(holdersWait); limit.Before(deadline) {
		deadline = limit
	}
	ctx, cancel := context.WithDeadline(c.runCtx, deadline)
	defer cancel()
	for {
		ws, err := c.Workers(ctx)
		if err == nil {
			back := 0
			for _, w := range ws {
				if want[w.Address] {
					back++
				}
			}
			if back == len(want) {
				return
			}
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return
		}
	}
}

// holdersWait bounds how long a client that reconnected waits for the
// workers that held its results (see awaitHolders).
const holdersWait = 15 * time.Second

// resubmit queues, ahead of anything the program queued meanwhile, what
// the held futures need: the scattered data they hold or depend on,
// declared again (the workers that kept it give it back), the graphs
// behind them, and the syncs the client waits for. The session counts as
// up once the scheduler has applied them.
func (c *Client) resubmit() error {
	c.mu.Lock()
	var wanted []graph.Key
	for k, fs := range c.futures {
		if fs.refs > 0 && (fs.status == Pending || fs.status == Finished) {
			wanted = append(wanted, k)
		}
	}
	slices.Sort(wanted)
	specs, ok, declare, reclaim := c.lineage.resubmission(wanted, func(k graph.Key) bool { return c.futures[k].scattered })
	// Futures with no task here came from named state (a dataset, a
	// queue, a variable): a scheduler that restored it gives them back,
	// another answers that they are lost.
	c.reclaiming = make(map[graph.Key]bool, len(reclaim))
	for _, k := range reclaim {
		c.reclaiming[k] = true
	}
	var msgs []*pb.ClientMsg
	var unheld []string
	if len(declare) > 0 {
		sc := &pb.Scattered{}
		for _, k := range declare {
			sk := &pb.ScatteredKey{Key: string(k)}
			if fs := c.futures[k]; fs != nil && fs.refs > 0 {
				sk.Nbytes, sk.Type = fs.nbytes, fs.typ
			} else {
				unheld = append(unheld, string(k))
			}
			sc.Keys = append(sc.Keys, sk)
		}
		msgs = append(msgs, &pb.ClientMsg{Msg: &pb.ClientMsg_Scattered{Scattered: sc}})
	}
	if len(ok) > 0 || len(reclaim) > 0 {
		msgs = append(msgs, &pb.ClientMsg{Msg: &pb.ClientMsg_UpdateGraph{UpdateGraph: &pb.UpdateGraph{Tasks: specs, Wanted: wire.Keys(ok),
			Reclaim: wire.Keys(reclaim)}}})
	}
	if len(unheld) > 0 {
		// Declared only for the graphs over them, which hold on to them.
		msgs = append(msgs, &pb.ClientMsg{Msg: &pb.ClientMsg_Release{Release: &pb.ReleaseKeys{Keys: unheld}}})
	}
	for id := range c.syncs {
		msgs = append(msgs, &pb.ClientMsg{Msg: &pb.ClientMsg_Sync{Sync: &pb.Sync{Id: id}}})
	}
	c.syncID++
	id := c.syncID
	resumed := make(chan struct{})
	if c.syncs == nil {
		c.syncs = map[uint64]chan struct{}{}
	}
	c.syncs[id] = resumed
	msgs = append(msgs, &pb.ClientMsg{Msg: &pb.ClientMsg_Sync{Sync: &pb.Sync{Id: id}}})
	up := c.up
	c.mu.Unlock()
	if !c.out.Edit(func(b *pb.ClientBatch) {
		c.mu.Lock()
		c.interruptCoords(b)
		c.mu.Unlock()
		b.Msgs = append(msgs, b.Msgs...)
	}) {
		return errors.New("dusk: the client is closed")
	}
	go func() {
		select {
		case <-resumed:
			c.log.Info("reconnected to the scheduler", "futures resumed", len(ok), "scattered declared again", len(declare),
				"claimed again", len(reclaim), "tasks sent again", len(specs))
			close(up)
		case <-c.done:
		}
	}()
	return nil
}

// waitUp waits until the client has a session with the scheduler, which
// knows the client's graphs (see resume).
func (c *Client) waitUp(ctx context.Context) error {
	c.mu.Lock()
	up := c.up
	c.mu.Unlock()
	select {
	case <-up:
		return nil
	case <-c.done:
		return c.connErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// LostError is a future whose result the cluster lost and cannot compute
// again: its scheduler restarted, and no task of the key was submitted by
// this client (a future made some other way).
type LostError struct {
	Key Key
}

func (e *LostError) Error() string {
	return fmt.Sprintf("dusk: %s is lost: the scheduler restarted, and this client has no task that computes it; submit it again", e.Key)
}
