package dusk

import (
	"context"

	"github.com/dusk-go/dusk/wire/pb"
)

// Event is a flag kept by the scheduler under a name, that clients and
// tasks set, clear and wait for (Dask's Event).
type Event struct {
	c    *Client
	name string
}

// NewEvent opens the event named name; it starts cleared.
func NewEvent(c *Client, name string) *Event { return &Event{c: c, name: name} }

func (e *Event) do(ctx context.Context, op string, wait bool) (bool, error) {
	r, _, err := e.c.coord(ctx, &pb.Coord{Op: op, Name: e.name, Wait: wait}, false)
	if err != nil {
		return false, err
	}
	return r.GetOk(), nil
}

// Set sets the event, waking every waiter.
func (e *Event) Set(ctx context.Context) error { _, err := e.do(ctx, "event-set", false); return err }

// Clear clears it.
func (e *Event) Clear(ctx context.Context) error {
	_, err := e.do(ctx, "event-clear", false)
	return err
}

// Wait returns once the event is set, or ctx's error.
func (e *Event) Wait(ctx context.Context) error { _, err := e.do(ctx, "event-wait", true); return err }

// IsSet reports whether the event is set now.
func (e *Event) IsSet(ctx context.Context) (bool, error) { return e.do(ctx, "event-wait", false) }
