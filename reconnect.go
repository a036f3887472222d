package dusk

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
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
// the syncs it waits for. The futures resume where they were; one whose
// result cannot be recomputed (scattered data, or a task over it) fails
// as Lost, naming the key. Meanwhile what the program sends waits in the
// outgoing batch, after the resubmission.
func (c *Client) resume(cause error) (pb.Scheduler_ClientClient, error) {
	c.mu.Lock()
	c.up = make(chan struct{})
	c.mu.Unlock()
	cause = wire.Explain(cause, "scheduler "+c.addr)
	c.log.Warn("lost the scheduler; reconnecting, then re-submitting what the futures need", "for up to", c.reconnect, "err", cause)
	deadline := time.Now().Add(c.reconnect)
	wait := resumeMin
	for {
		stream, err := c.reopen(deadline)
		if err == nil {
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
		return nil, wire.Explain(err, "scheduler "+c.addr)
	}
	return c.open(ctx)
}

// resubmit queues, ahead of anything the program queued meanwhile, the
// graphs the held futures need and a sync; the session counts as up once
// the scheduler has applied them.
func (c *Client) resubmit() error {
	c.mu.Lock()
	var wanted []graph.Key
	for k, fs := range c.futures {
		if fs.refs > 0 && (fs.status == Pending || fs.status == Finished) {
			wanted = append(wanted, k)
		}
	}
	specs, ok, lost := c.lineage.resubmission(wanted)
	for k, why := range lost {
		err := &LostError{Key: Key(k), Cause: Key(why)}
		c.futures[k].finish(Lost, err)
	}
	msgs := make([]*pb.ClientMsg, 0, 2+len(c.syncs))
	if len(ok) > 0 {
		msgs = append(msgs, &pb.ClientMsg{Msg: &pb.ClientMsg_UpdateGraph{UpdateGraph: &pb.UpdateGraph{Tasks: specs, Wanted: wire.Keys(ok)}}})
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
	if !c.out.Edit(func(b *pb.ClientBatch) { b.Msgs = append(msgs, b.Msgs...) }) {
		return errors.New("dusk: the client is closed")
	}
	go func() {
		select {
		case <-resumed:
			c.log.Info("reconnected to the scheduler", "futures resumed", len(ok), "lost", len(lost), "tasks sent again", len(specs))
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
// again: its scheduler restarted, and the key (or Cause, a key it depends
// on) was scattered data or a task whose graph the client no longer had.
type LostError struct {
	Key   Key
	Cause Key
}

func (e *LostError) Error() string {
	if e.Cause == e.Key || e.Cause == "" {
		return fmt.Sprintf("dusk: %s is lost: the scheduler restarted and %s cannot be computed again (scattered data, or its graph was released); scatter or submit it again", e.Key, e.Key)
	}
	return fmt.Sprintf("dusk: %s is lost: the scheduler restarted and %s, which it depends on, cannot be computed again (scattered data, or its graph was released); scatter or submit it again", e.Key, e.Cause)
}
