package dusk

import (
	"context"
	"fmt"

	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// Replicate makes the data of each future (or key) held by n workers (all
// running workers when there are fewer), copying it worker to worker, and
// returns once the copies are in place, or with ctx's end. Tasks then read
// it where they run, and it survives the loss of all but one holder.
// Keys not in memory are left out.
func (c *Client) Replicate(ctx context.Context, n int, fs ...Keyer) error {
	req := &pb.ReplicateRequest{N: int32(n)}
	for _, f := range fs {
		req.Keys = append(req.Keys, string(f.Key()))
	}
	if _, err := c.sched.Replicate(ctx, req); err != nil {
		return fmt.Errorf("dusk: replicate: %w", wire.Explain(err, "scheduler "+c.target))
	}
	return nil
}

// Rebalanced is what Rebalance moved.
type Rebalanced struct {
	Keys  int
	Bytes int64
}

// Rebalance evens out the workers' memory: the data of the futures (or
// keys; every key in memory when none are given) moves from workers above
// the mean to workers below it, largest first, each key once, never the
// last copy and never a copy a task running there needs. It returns once
// the moves are done.
func (c *Client) Rebalance(ctx context.Context, fs ...Keyer) (Rebalanced, error) {
	req := &pb.RebalanceRequest{}
	for _, f := range fs {
		req.Keys = append(req.Keys, string(f.Key()))
	}
	r, err := c.sched.Rebalance(ctx, req)
	if err != nil {
		return Rebalanced{}, fmt.Errorf("dusk: rebalance: %w", wire.Explain(err, "scheduler "+c.target))
	}
	return Rebalanced{Keys: int(r.GetMoved()), Bytes: r.GetBytes()}, nil
}
