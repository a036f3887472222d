package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"sync"
	"time"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// Recording gathers what a report needs while work runs: the scheduler's
// events (over its Events stream) and a CPU profile of every worker
// process (over the workers' Profile streams). Start one with Record and
// end it with Stop.
type Recording struct {
	sched  pb.SchedulerClient
	cancel context.CancelFunc
	start  time.Time
	recvd  chan struct{} // closed when the event stream ends

	mu     sync.Mutex // protects the fields below
	events []event.Event
	next   uint64 // the ring's sequence number after the last batch
	err    error  // why the event stream ended early
	moved  chan struct{}

	profiles []profileStream
	notes    []string
}

type profileStream struct {
	worker string
	stream pb.Worker_ProfileClient
}

// Dialer returns a client of the worker at addr.
type Dialer func(addr string) (pb.WorkerClient, error)

// Record starts a recording. With dial nil, workers are not profiled.
// The recording has begun when Record returns: every event after that
// reaches it.
func Record(ctx context.Context, sched pb.SchedulerClient, dial Dialer) (*Recording, error) {
	return record(ctx, sched, dial, false)
}

// Recent returns what the scheduler still holds of the past: the events
// in its ring (the last scheduler.events.capacity of them) and the
// cluster's description, without profiles. The advisor reads a live
// cluster this way.
func Recent(ctx context.Context, sched pb.SchedulerClient) (Input, error) {
	r, err := record(ctx, sched, nil, true)
	if err != nil {
		return Input{}, err
	}
	in, err := r.Stop(ctx)
	if err != nil {
		return in, err
	}
	in.Start = time.Time{} // from the first event held
	if len(in.Events) > 0 {
		in.Start = in.Events[0].Time
	}
	return in, nil
}

func record(ctx context.Context, sched pb.SchedulerClient, dial Dialer, history bool) (*Recording, error) {
	rctx, cancel := context.WithCancel(context.Background())
	r := &Recording{sched: sched, cancel: cancel, recvd: make(chan struct{}), moved: make(chan struct{})}
	stream, err := sched.Events(rctx, &pb.EventsRequest{History: history})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("report: subscribing to the scheduler's events: %w", err)
	}
	// The first batch confirms the subscription.
	first := make(chan error, 1)
	go func() {
		b, err := stream.Recv()
		if err == nil {
			r.add(b)
		}
		first <- err
		if err != nil {
			close(r.recvd)
			return
		}
		r.receive(stream)
	}()
	select {
	case err := <-first:
		if err != nil {
			cancel()
			return nil, fmt.Errorf("report: subscribing to the scheduler's events: %w", err)
		}
	case <-ctx.Done():
		cancel()
		return nil, ctx.Err()
	}
	r.start = time.Now()
	if dial != nil {
		r.startProfiles(ctx, rctx, dial)
	}
	return r, nil
}

func (r *Recording) receive(stream pb.Scheduler_EventsClient) {
	defer close(r.recvd)
	for {
		b, err := stream.Recv()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				r.mu.Lock()
				r.err = err
				r.mu.Unlock()
			}
			return
		}
		r.add(b)
	}
}

func (r *Recording) add(b *pb.EventBatch) {
	evs := wire.EventsFromPB(b.GetEvents())
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, evs...)
	r.next = max(r.next, b.GetNext())
	close(r.moved)
	r.moved = make(chan struct{})
}

// startProfiles opens a Profile stream to every worker. Workers that share
// a process (a local cluster's in-process workers) share one profile: the
// first answers, the others say why not, in the notes.
func (r *Recording) startProfiles(ctx, rctx context.Context, dial Dialer) {
	id, err := r.sched.Identity(ctx, &pb.IdentityRequest{})
	if err != nil {
		r.notes = append(r.notes, "no profiles: cannot list the workers: "+err.Error())
		return
	}
	for _, w := range id.GetWorkers() {
		wc, err := dial(w.GetAddress())
		if err != nil {
			r.notes = append(r.notes, fmt.Sprintf("%s: cannot connect: %v", w.GetAddress(), err))
			continue
		}
		ps, err := wc.Profile(rctx)
		if err == nil {
			// The worker labels its tasks once it sent the header.
			_, err = ps.Header()
		}
		if err != nil {
			r.notes = append(r.notes, fmt.Sprintf("%s: cannot profile: %v", w.GetAddress(), err))
			continue
		}
		r.profiles = append(r.profiles, profileStream{worker: w.GetAddress(), stream: ps})
	}
}

// Stop ends the recording and returns what it gathered: events up to the
// moment of the call (it waits until the scheduler's stream has caught
// up), the workers' profiles and the cluster's description.
func (r *Recording) Stop(ctx context.Context) (Input, error) {
	defer r.cancel()
	stop := time.Now()
	in := Input{Start: r.start, Stop: stop}
	var raws [][]byte
	notes := append([]string(nil), r.notes...)
	for _, p := range r.profiles {
		reply, err := p.stream.CloseAndRecv()
		switch {
		case err != nil:
			notes = append(notes, fmt.Sprintf("%s: profile lost: %v", p.worker, err))
		case reply.GetError() != "":
			notes = append(notes, fmt.Sprintf("%s: %s (workers in one process share its profile)", p.worker, reply.GetError()))
		default:
			raws = append(raws, reply.GetPprof())
		}
	}
	in.Profiles, in.ProfileNotes = raws, notes
	id, err := r.sched.Identity(ctx, &pb.IdentityRequest{})
	if err != nil {
		return in, fmt.Errorf("report: describing the cluster: %w", err)
	}
	in.Scheduler = id.GetAddress()
	in.Versions = map[string]string{"dusk scheduler": id.GetVersion()}
	for _, w := range id.GetWorkers() {
		in.Workers = append(in.Workers, Worker{ID: w.GetId(), Address: w.GetAddress(), Name: w.GetName(),
			Threads: int(w.GetNthreads()), MemoryLimit: w.GetMemoryLimit(), Resources: maps.Clone(w.GetResources())})
	}
	// Wait until the stream has delivered every event recorded before the
	// Identity call.
	for {
		r.mu.Lock()
		caught, moved, serr := r.next >= id.GetEvents(), r.moved, r.err
		r.mu.Unlock()
		if caught {
			break
		}
		if serr != nil {
			return in, fmt.Errorf("report: the scheduler's event stream ended: %w", serr)
		}
		select {
		case <-moved:
		case <-r.recvd:
			r.mu.Lock()
			caught = r.next >= id.GetEvents()
			r.mu.Unlock()
			if !caught {
				return in, errors.New("report: the scheduler's event stream ended early")
			}
		case <-ctx.Done():
			return in, fmt.Errorf("report: waiting for the last events: %w", ctx.Err())
		}
	}
	r.mu.Lock()
	in.Events = append(in.Events, r.events...)
	r.mu.Unlock()
	return in, nil
}
