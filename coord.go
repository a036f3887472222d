package dusk

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/wire/pb"
)

// Named coordination state (queues, variables, locks, semaphores, events,
// topics, datasets) lives in the scheduler's core: every request is one
// message on the client's stream, ordered with the graphs the client
// sends, and one answer. A request that has to wait waits in the
// scheduler; when the caller's context ends the client cancels it there
// and takes whichever came first, the answer or the cancellation, so an
// item is never taken from a queue for a caller that gave up on it.

// CoordError is a request on a named primitive that the scheduler refused:
// Op is the operation, Name the primitive's name.
type CoordError struct {
	Op, Name string
	Message  string
}

func (e *CoordError) Error() string {
	if e.Name == "" {
		return "dusk: " + e.Op + ": " + e.Message
	}
	return "dusk: " + e.Op + " " + e.Name + ": " + e.Message
}

// ErrCoordInterrupted is returned by a request on a named primitive when
// the connection to the scheduler was lost before it was answered: it may
// or may not have taken effect, and the state of named primitives does not
// survive a restart of the scheduler.
var ErrCoordInterrupted = errors.New("dusk: the connection to the scheduler was lost before the request was answered; it may or may not have taken effect")

// coordCall is a request on a named primitive waiting for its answer.
type coordCall struct {
	take   bool // the answer's keys become futures of the client
	reply  chan *pb.CoordReply
	states []*futureState // with take: the answer's keys, one reference each
	err    error          // set when the session was lost
}

// coord sends m and waits for its answer. With take, the keys the answer
// names (Keys, then Item.Key) come back as future states holding one
// reference each, taken as the answer arrived: the scheduler's reports
// on those keys follow the answer.
func (c *Client) coord(ctx context.Context, m *pb.Coord, take bool) (*pb.CoordReply, []*futureState, error) {
	call := &coordCall{take: take, reply: make(chan *pb.CoordReply, 1)}
	c.mu.Lock()
	if c.coords == nil {
		c.coords = map[uint64]*coordCall{}
	}
	c.coordID++
	m.Id = c.coordID
	c.coords[m.Id] = call
	c.mu.Unlock()
	if err := c.send(&pb.ClientMsg{Msg: &pb.ClientMsg_Coord{Coord: m}}); err != nil {
		c.dropCoord(m.Id)
		return nil, nil, err
	}
	var r *pb.CoordReply
	select {
	case r = <-call.reply:
	case <-c.done:
		return nil, nil, c.coordLost(m.Id)
	case <-ctx.Done():
		// Cancel in the scheduler, and take what comes first: the
		// answer (it crossed the cancellation) or the cancellation.
		if err := c.send(&pb.ClientMsg{Msg: &pb.ClientMsg_CoordCancel{CoordCancel: &pb.CoordCancel{Id: m.Id}}}); err != nil {
			c.dropCoord(m.Id)
			return nil, nil, err
		}
		select {
		case r = <-call.reply:
		case <-c.done:
			return nil, nil, c.coordLost(m.Id)
		}
		if r.GetCancelled() {
			return nil, nil, ctx.Err()
		}
	}
	if r == nil {
		return nil, nil, call.err
	}
	if r.GetError() != "" {
		return nil, nil, &CoordError{Op: m.GetOp(), Name: m.GetName(), Message: r.GetError()}
	}
	return r, call.states, nil
}

func (c *Client) dropCoord(id uint64) {
	c.mu.Lock()
	delete(c.coords, id)
	c.mu.Unlock()
}

func (c *Client) coordLost(id uint64) error {
	c.mu.Lock()
	delete(c.coords, id)
	err := c.connErr
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCoordInterrupted, err)
	}
	return ErrCoordInterrupted
}

// applyCoord delivers an answer; c.mu is held.
func (c *Client) applyCoord(r *pb.CoordReply) {
	call := c.coords[r.GetId()]
	if call == nil {
		return
	}
	delete(c.coords, r.GetId())
	if call.take && r.GetError() == "" && !r.GetCancelled() {
		for _, k := range r.GetKeys() {
			call.states = append(call.states, c.futureLocked(graph.Key(k)))
		}
		if k := r.GetItem().GetKey(); k != "" {
			call.states = append(call.states, c.futureLocked(graph.Key(k)))
		}
	}
	call.reply <- r
}

// interruptCoords fails the requests that wait for an answer from a
// session that was lost, and drops those not sent yet from out (they
// would reach the next session after their callers gave up); c.mu is
// held.
func (c *Client) interruptCoords(b *pb.ClientBatch) {
	for id, call := range c.coords {
		call.err = ErrCoordInterrupted
		close(call.reply)
		delete(c.coords, id)
	}
	if b == nil {
		return
	}
	kept := b.Msgs[:0]
	for _, m := range b.Msgs {
		if m.GetCoord() == nil && m.GetCoordCancel() == nil {
			kept = append(kept, m)
		}
	}
	clear(b.Msgs[len(kept):])
	b.Msgs = kept
}

// futureMaker is *Future[T] (even a nil one): it makes a future of its
// type from a state that holds a reference already.
type futureMaker interface {
	adopt(c *Client, st *futureState) any
	futureKey() graph.Key
}

func (*Future[T]) adopt(c *Client, st *futureState) any { return adoptFuture[T](c, st) }

// adoptFuture makes a future of a state whose reference the future takes
// over.
func adoptFuture[T any](c *Client, st *futureState) *Future[T] {
	f := &Future[T]{c: c, st: st, h: &futureHandle{c: c, key: st.key}}
	runtime.AddCleanup(f, (*futureHandle).release, f.h)
	return f
}

// encodeItem encodes v for a primitive: a future as its key, any other
// value with the codec, labelled with its type.
func encodeItem[T any](v T) (*pb.CoordItem, error) {
	if f, ok := any(v).(futureMaker); ok {
		if reflect.ValueOf(f).IsNil() {
			return nil, errors.New("a nil future")
		}
		return &pb.CoordItem{Key: string(f.futureKey())}, nil
	}
	b, err := codec.Encode(v)
	if err != nil {
		return nil, err
	}
	return &pb.CoordItem{Data: b, Type: reflect.TypeFor[T]().String()}, nil
}

// decodeItem turns an item back into a T: a future from its state, a
// value by decoding it. A value of another type is an error, not a
// conversion.
func decodeItem[T any](c *Client, it *pb.CoordItem, states []*futureState) (T, error) {
	var zero T
	mk, wantFuture := any(zero).(futureMaker)
	if it.GetKey() != "" {
		if !wantFuture || len(states) == 0 {
			for _, st := range states {
				c.release(st.key)
			}
			return zero, fmt.Errorf("it holds a future (%s), not a %s: use a %s of *dusk.Future[...]", it.GetKey(), reflect.TypeFor[T](), "primitive")
		}
		return mk.adopt(c, states[len(states)-1]).(T), nil
	}
	if wantFuture {
		return zero, fmt.Errorf("it holds a %s, not a future", it.GetType())
	}
	if want := reflect.TypeFor[T]().String(); it.GetType() != want {
		return zero, fmt.Errorf("it holds a %s, not a %s", it.GetType(), want)
	}
	var v T
	if err := codec.DecodeInto(it.GetData(), &v); err != nil {
		return zero, err
	}
	return v, nil
}
