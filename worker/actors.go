package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/registry"
	"github.com/dusk-go/dusk/task"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
	wstate "github.com/dusk-go/dusk/worker/state"
)

// Actors are instances of registered actor types that live on this
// worker (Dask's actors). The store holds a small placeholder under an
// actor's key, so that the scheduler tracks the key like scattered data
// and the store never spills or ships the instance itself; the instance
// lives in the actor table. When the worker drops the key, it drops the
// instance; when the worker closes, every pending call fails as lost.
//
// Each actor has one goroutine, its mailbox, that runs its calls one at a
// time in the order they arrived: the instance needs no locks.

// actorTable holds the worker's actors by key.
type actorTable struct {
	mu     sync.Mutex // protects the fields below
	byKey  map[graph.Key]*actor
	closed bool
	done   chan struct{}  // closed once the worker closed its actors
	wg     sync.WaitGroup // the mailboxes
}

func newActorTable() *actorTable {
	return &actorTable{byKey: make(map[graph.Key]*actor), done: make(chan struct{})}
}

// open makes a closed table usable again, for a worker started again.
func (t *actorTable) open() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		t.closed, t.done = false, make(chan struct{})
	}
}

// closing returns a channel closed once the worker closed its actors.
func (t *actorTable) closing() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.done
}

// actor is one instance and its mailbox.
type actor struct {
	key    graph.Key
	typ    *registry.ActorType
	inst   reflect.Value
	ctx    context.Context // given to its methods; ends when it is dropped
	cancel context.CancelFunc
	wake   chan struct{} // one slot: calls arrived, or it is to stop

	mu    sync.Mutex // protects the fields below
	queue []actorJob
	drain bool // released: run what is queued, then close
	lost  bool // the worker is closing: fail what is queued
}

type actorJob struct {
	call  *pb.ActorCall
	reply func(*pb.ActorResult)
}

func (a *actor) signal() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// stop ends the actor: after the calls already queued (drain), or at once,
// failing them (the worker is closing).
func (a *actor) stop(now bool) {
	a.mu.Lock()
	a.drain = true
	if now {
		a.lost = true
	}
	a.mu.Unlock()
	if now {
		a.cancel()
	}
	a.signal()
}

// next waits for the next call; ok is false when the mailbox is to end,
// with the calls to fail as lost.
func (a *actor) next() (job actorJob, ok bool, failed []actorJob) {
	for {
		a.mu.Lock()
		if a.lost {
			failed, a.queue = a.queue, nil
			a.mu.Unlock()
			return actorJob{}, false, failed
		}
		if len(a.queue) > 0 {
			job = a.queue[0]
			a.queue[0] = actorJob{}
			a.queue = a.queue[1:]
			a.mu.Unlock()
			return job, true, nil
		}
		drain := a.drain
		a.mu.Unlock()
		if drain {
			return actorJob{}, false, nil
		}
		<-a.wake
	}
}

func (a *actor) isLost() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.lost
}

// newActor builds an instance of a registered actor type under key,
// stores its placeholder and starts its mailbox. It returns the
// placeholder's size and type.
func (w *Worker) newActor(ctx context.Context, typeName string, key graph.Key, rawArgs [][]byte) (int64, string, error) {
	t, ok := w.reg.Actor(typeName)
	if !ok {
		return 0, "", fmt.Errorf("worker %s has no actor type %q: register it (dusk.RegisterActor) in the program the workers run", w.addr, typeName)
	}
	args, err := decodeArgs(t.Constructor(), rawArgs)
	if err != nil {
		return 0, "", err
	}
	inst, err := t.New(task.NewContext(ctx, &taskRuntime{w: w}), args)
	if err != nil {
		return 0, "", fmt.Errorf("actor type %s: its constructor: %w", typeName, err)
	}
	actx, cancel := context.WithCancel(task.NewContext(context.Background(), &taskRuntime{w: w}))
	a := &actor{key: key, typ: t, inst: inst, ctx: actx, cancel: cancel, wake: make(chan struct{}, 1)}
	tab := w.actors
	tab.mu.Lock()
	switch {
	case tab.closed:
		tab.mu.Unlock()
		cancel()
		closeInstance(w.log, a)
		return 0, "", fmt.Errorf("worker %s is closing", w.addr)
	case tab.byKey[key] != nil:
		tab.mu.Unlock()
		cancel()
		closeInstance(w.log, a)
		return 0, "", fmt.Errorf("worker %s already holds an actor under key %s", w.addr, key)
	}
	tab.byKey[key] = a
	tab.wg.Add(1)
	tab.mu.Unlock()
	go w.runActor(a)
	nbytes, typ := w.store.Put(key, "actor "+typeName)
	w.handle(&wstate.Stored{Keys: []graph.KeySize{{Key: key, NBytes: nbytes}}})
	w.log.Debug("actor created", "key", key, "type", typeName)
	return nbytes, typ, nil
}

// post queues a call on its actor's mailbox, or answers at once that the
// actor is not here.
func (t *actorTable) post(w *Worker, c *pb.ActorCall, reply func(*pb.ActorResult)) {
	t.mu.Lock()
	a := t.byKey[graph.Key(c.GetKey())]
	closed := t.closed
	t.mu.Unlock()
	if a != nil {
		a.mu.Lock()
		if !a.drain {
			a.queue = append(a.queue, actorJob{call: c, reply: reply})
			a.mu.Unlock()
			a.signal()
			return
		}
		a.mu.Unlock()
	}
	why := fmt.Sprintf("worker %s does not hold actor %s: it was released, or the worker restarted since the actor was created", w.addr, c.GetKey())
	if closed {
		why = fmt.Sprintf("worker %s is closing", w.addr)
	}
	reply(&pb.ActorResult{Id: c.GetId(), Failure: pb.ActorFailure_ACTOR_FAILURE_LOST, Error: why})
}

// release drops the actors among keys (their keys were freed): each runs
// the calls already queued, then its instance is closed.
func (t *actorTable) release(keys []graph.Key) {
	t.mu.Lock()
	var gone []*actor
	for _, k := range keys {
		if a := t.byKey[k]; a != nil {
			gone = append(gone, a)
			delete(t.byKey, k)
		}
	}
	t.mu.Unlock()
	for _, a := range gone {
		a.stop(false)
	}
}

// closeAll ends every actor at once, as the worker closes: pending calls
// fail as lost, running calls see their context end, and instances are
// closed. It waits for the mailboxes up to a bound.
func (t *actorTable) closeAll(log *slog.Logger) {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return
	}
	t.closed = true
	all := make([]*actor, 0, len(t.byKey))
	for _, a := range t.byKey {
		all = append(all, a)
	}
	clear(t.byKey)
	done := t.done
	t.mu.Unlock()
	for _, a := range all {
		a.stop(true)
	}
	ended := make(chan struct{})
	go func() { t.wg.Wait(); close(ended) }()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		log.Warn("actor calls still running 10s after their worker began closing; their results are dropped")
	}
	close(done)
}

// runActor is an actor's mailbox: it runs the calls one at a time, in
// order, then closes the instance.
func (w *Worker) runActor(a *actor) {
	defer w.actors.wg.Done()
	defer a.cancel()
	lost := func(c *pb.ActorCall) *pb.ActorResult {
		return &pb.ActorResult{Id: c.GetId(), Failure: pb.ActorFailure_ACTOR_FAILURE_LOST,
			Error: fmt.Sprintf("worker %s closed with actor %s", w.addr, a.key)}
	}
	for {
		job, ok, failed := a.next()
		for _, j := range failed {
			j.reply(lost(j.call))
		}
		if !ok {
			break
		}
		res := w.callActor(a, job.call)
		if a.isLost() {
			res = lost(job.call) // its worker closed while it ran
		}
		job.reply(res)
	}
	closeInstance(w.log, a)
}

// closeInstance calls the instance's Close method, if it has one.
func closeInstance(log *slog.Logger, a *actor) {
	c, ok := a.inst.Interface().(io.Closer)
	if !ok {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			log.Error("an actor's Close panicked", "key", a.key, "type", a.typ.Name(), "panic", r)
		}
	}()
	if err := c.Close(); err != nil {
		log.Warn("closing an actor failed", "key", a.key, "type", a.typ.Name(), "err", err)
	}
}

// callActor runs one call on the actor's instance.
func (w *Worker) callActor(a *actor, c *pb.ActorCall) *pb.ActorResult {
	res := &pb.ActorResult{Id: c.GetId()}
	m, err := a.typ.Method(c.GetMethod())
	if err != nil {
		res.Failure, res.Error = pb.ActorFailure_ACTOR_FAILURE_BAD_CALL, err.Error()
		return res
	}
	args, err := decodeArgs(m, c.GetArgs())
	if err != nil {
		res.Failure, res.Error = pb.ActorFailure_ACTOR_FAILURE_BAD_CALL, err.Error()
		return res
	}
	v, err := m.Bind(a.inst).Call(a.ctx, args)
	if err != nil {
		var p *registry.PanicError
		if errors.As(err, &p) {
			res.Failure, res.Error, res.Stack = pb.ActorFailure_ACTOR_FAILURE_PANIC, fmt.Sprint(p.Value), p.Stack
		} else {
			res.Failure, res.Error = pb.ActorFailure_ACTOR_FAILURE_ERROR, err.Error()
		}
		return res
	}
	if m.Out() == nil {
		return res
	}
	b, err := codec.Encode(v)
	if err != nil {
		res.Failure, res.Error = pb.ActorFailure_ACTOR_FAILURE_ERROR, fmt.Sprintf("%s: encoding its result: %v", m.Name(), err)
		return res
	}
	res.Result = b
	return res
}

// NewActor builds an actor on this worker (dusk.NewActor).
func (d *dataService) NewActor(ctx context.Context, req *pb.NewActorRequest) (*pb.NewActorReply, error) {
	w := d.w
	reply := &pb.NewActorReply{WorkerId: w.ID()}
	nbytes, typ, err := w.newActor(ctx, req.GetType(), graph.Key(req.GetKey()), req.GetArgs())
	if err != nil {
		reply.Error = err.Error()
		return reply, nil
	}
	reply.Nbytes, reply.Type = nbytes, typ
	return reply, nil
}

// Actor serves one caller's stream of calls: each goes to its actor's
// mailbox, and results go back as they come, batched. The stream ends
// when the caller ends it or the worker closes its actors (after the
// results of the calls they failed).
func (d *dataService) Actor(stream pb.Worker_ActorServer) error {
	w := d.w
	closing := w.actors.closing()
	out := wire.NewBatcher[pb.ActorResultBatch]()
	reply := func(r *pb.ActorResult) {
		out.Edit(func(b *pb.ActorResultBatch) { b.Results = append(b.Results, r) })
	}
	sent := make(chan error, 1)
	go func() { sent <- out.Run(stream.Context(), stream.Send) }()
	received := make(chan error, 1)
	go func() {
		for {
			b, err := stream.Recv()
			if err != nil {
				received <- err
				return
			}
			for _, c := range b.GetCalls() {
				w.actors.post(w, c, reply)
			}
		}
	}()
	var err error
	select {
	case err = <-received:
		if errors.Is(err, io.EOF) {
			err = nil
		}
	case err = <-sent:
		return err
	case <-closing:
	}
	out.Close()
	if serr := <-sent; err == nil {
		err = serr
	}
	return err
}
