package cluster

import (
	"context"
	"time"

	"google.golang.org/grpc"

	"github.com/dusk-go/dusk/scheduler/state"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// RemoteScheduler is a scheduler on another machine as a launcher sees
// it: its recommendation for the cluster's size, its workers, and the
// retirement of workers. It is a Scaler.
type RemoteScheduler struct {
	cc *grpc.ClientConn
	c  pb.SchedulerClient
}

// DialScheduler connects to the scheduler at addr with sec (its token,
// and TLS files if it uses TLS).
func DialScheduler(addr string, sec wire.Security) (*RemoteScheduler, error) {
	cc, err := sec.Dial(wire.StripScheme(addr))
	if err != nil {
		return nil, err
	}
	return &RemoteScheduler{cc: cc, c: pb.NewSchedulerClient(cc)}, nil
}

// Scaling returns the scheduler's recommendation (see
// state.State.Scaling).
func (r *RemoteScheduler) Scaling(ctx context.Context, targetDuration time.Duration) (state.Scaling, error) {
	rep, err := r.c.Scaling(ctx, &pb.ScalingRequest{TargetDurationMs: targetDuration.Milliseconds()})
	if err != nil {
		return state.Scaling{}, wire.Explain(err, "scheduler")
	}
	return state.Scaling{Target: int(rep.GetTarget()), Close: rep.GetClose()}, nil
}

// RetireWorkers retires the workers with these IDs gracefully.
func (r *RemoteScheduler) RetireWorkers(ctx context.Context, ids ...string) error {
	_, err := r.c.RetireWorkers(ctx, &pb.RetireRequest{Workers: ids})
	if err != nil {
		return wire.Explain(err, "scheduler")
	}
	return nil
}

// Workers returns the workers connected to the scheduler.
func (r *RemoteScheduler) Workers(ctx context.Context) ([]*pb.WorkerInfo, error) {
	rep, err := r.c.Identity(ctx, &pb.IdentityRequest{})
	if err != nil {
		return nil, wire.Explain(err, "scheduler")
	}
	return rep.GetWorkers(), nil
}

// Statuses returns the status of each of the scheduler's workers by
// name (see StatusByName); a nil r (a launcher not adapting) knows none.
func (r *RemoteScheduler) Statuses(ctx context.Context) (map[string]string, error) {
	if r == nil {
		return nil, nil
	}
	ws, err := r.Workers(ctx)
	if err != nil {
		return nil, err
	}
	return StatusByName(ws), nil
}

// Close closes the connection.
func (r *RemoteScheduler) Close() error { return r.cc.Close() }

// AdaptRemote runs Adapt for l against the scheduler at addr until ctx
// ends. watch, if set, is given the connection to the scheduler while it
// lasts and nil after: a launcher's Launched reads the workers' statuses
// through it.
func AdaptRemote(ctx context.Context, addr string, sec wire.Security, l Launcher, o AdaptOptions, watch func(*RemoteScheduler)) error {
	r, err := DialScheduler(addr, sec)
	if err != nil {
		return err
	}
	defer r.Close()
	if watch != nil {
		watch(r)
		defer watch(nil)
	}
	return Adapt(ctx, r, l, o)
}
