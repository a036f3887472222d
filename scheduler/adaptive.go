package scheduler

import (
	"context"
	"time"

	"github.com/dusk-go/dusk/scheduler/state"
	"github.com/dusk-go/dusk/wire/pb"
)

// Scaling returns the core's recommendation for the cluster's size, for
// the work to take about targetDuration (see state.State.Scaling). An
// adaptive launcher carries it out.
func (s *Server) Scaling(ctx context.Context, targetDuration time.Duration) (state.Scaling, error) {
	var out state.Scaling
	err := s.withState(ctx, func(st *state.State) { out = st.Scaling(targetDuration) })
	return out, err
}

// RetireWorkers retires the workers with the given IDs gracefully: they
// get no new tasks, what they run elsewhere goes elsewhere, the data only
// they hold is copied to other workers, and then they are told to close
// (a worker process ends, and its nanny does not start another). IDs of
// workers not connected are ignored.
func (s *Server) RetireWorkers(ctx context.Context, ids ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := time.Now()
	evs := make([]state.Event, len(ids))
	for i, id := range ids {
		evs[i] = &state.WorkerRetiring{At: state.At{Now: now}, ID: id}
	}
	s.submit(evs...)
	return nil
}

// WorkersToClose names up to n idle workers to retire, least data first
// (see state.State.WorkersToClose).
func (s *Server) WorkersToClose(ctx context.Context, n int) ([]string, error) {
	var out []string
	err := s.withState(ctx, func(st *state.State) { out = st.WorkersToClose(n) })
	return out, err
}

func (v *service) Scaling(ctx context.Context, r *pb.ScalingRequest) (*pb.ScalingReply, error) {
	sc, err := v.s.Scaling(ctx, time.Duration(r.GetTargetDurationMs())*time.Millisecond)
	if err != nil {
		return nil, err
	}
	return &pb.ScalingReply{Target: int32(sc.Target), Close: sc.Close}, nil
}

func (v *service) RetireWorkers(ctx context.Context, r *pb.RetireRequest) (*pb.RetireReply, error) {
	if err := v.s.RetireWorkers(ctx, r.GetWorkers()...); err != nil {
		return nil, err
	}
	return &pb.RetireReply{}, nil
}
