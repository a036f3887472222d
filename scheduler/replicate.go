package scheduler

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dusk-go/dusk/scheduler/state"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// settle is how often Replicate and Rebalance look whether the copies
// they asked for are in place.
const settle = 10 * time.Millisecond

func (v *service) Replicate(ctx context.Context, req *pb.ReplicateRequest) (*pb.ReplicateReply, error) {
	keys := wire.GraphKeys(req.GetKeys())
	n := int(req.GetN())
	if n < 1 {
		return nil, errorf("replicate: n must be at least 1, not %d", n)
	}
	err := v.s.withState(ctx, func(st *state.State) {
		st.Handle(&state.ReplicasRequested{At: state.At{Now: time.Now()}, Keys: keys, N: n})
	})
	if err != nil {
		return nil, err
	}
	tick := time.NewTicker(settle)
	defer tick.Stop()
	for {
		var have map[string]int32
		var short []string
		err := v.s.withState(ctx, func(st *state.State) {
			want := min(n, st.Running())
			have = map[string]int32{}
			for k, c := range st.Replicas(keys) {
				have[string(k)] = int32(c)
				if c < want {
					short = append(short, fmt.Sprintf("%s (%d of %d)", k, c, want))
				}
			}
		})
		if err != nil {
			return nil, err
		}
		if len(short) == 0 {
			return &pb.ReplicateReply{Replicas: have}, nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			sort.Strings(short)
			return nil, errorf("replicate: copies not in place when the caller gave up: %s", strings.Join(short, ", "))
		}
	}
}

func (v *service) Rebalance(ctx context.Context, req *pb.RebalanceRequest) (*pb.RebalanceReply, error) {
	var moved int
	var bytes int64
	err := v.s.withState(ctx, func(st *state.State) {
		st.Handle(&state.RebalanceRequested{At: state.At{Now: time.Now()}, Keys: wire.GraphKeys(req.GetKeys())})
		moved, bytes = st.Moving()
	})
	if err != nil {
		return nil, err
	}
	tick := time.NewTicker(settle)
	defer tick.Stop()
	for {
		var left int
		if err := v.s.withState(ctx, func(st *state.State) { left, _ = st.Moving() }); err != nil {
			return nil, err
		}
		if left == 0 {
			return &pb.RebalanceReply{Moved: int32(moved), Bytes: bytes}, nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return nil, errorf("rebalance: %d of %d moves not done when the caller gave up", left, moved)
		}
	}
}
