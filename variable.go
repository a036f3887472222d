package dusk

import (
	"context"
	"fmt"

	"github.com/dusk-go/dusk/wire/pb"
)

// Variable is a value kept by the scheduler under a name, shared by every
// client and task that opens the name (Dask's Variable). A Variable of
// futures (Variable[*Future[X]]) keeps the data of the future it holds
// alive until it is set to another. It is safe for concurrent use.
type Variable[T any] struct {
	c    *Client
	name string
}

// NewVariable opens the variable named name.
func NewVariable[T any](c *Client, name string) *Variable[T] { return &Variable[T]{c: c, name: name} }

// Name returns the variable's name.
func (v *Variable[T]) Name() string { return v.name }

// Set sets the variable to x, waking the Gets that wait for it.
func (v *Variable[T]) Set(ctx context.Context, x T) error {
	it, err := encodeItem(x)
	if err != nil {
		return fmt.Errorf("dusk: setting variable %s: %w", v.name, err)
	}
	_, _, err = v.c.coord(ctx, &pb.Coord{Op: "variable-set", Name: v.name, Item: it}, false)
	return err
}

// Get returns the variable's value, waiting until it is set or ctx ends.
func (v *Variable[T]) Get(ctx context.Context) (T, error) {
	x, _, err := v.get(ctx, true)
	return x, err
}

// TryGet returns the value if the variable is set.
func (v *Variable[T]) TryGet(ctx context.Context) (T, bool, error) { return v.get(ctx, false) }

func (v *Variable[T]) get(ctx context.Context, wait bool) (T, bool, error) {
	var zero T
	r, states, err := v.c.coord(ctx, &pb.Coord{Op: "variable-get", Name: v.name, Wait: wait}, true)
	if err != nil || !r.GetOk() {
		return zero, false, err
	}
	x, err := decodeItem[T](v.c, r.GetItem(), states)
	if err != nil {
		return zero, false, fmt.Errorf("dusk: getting variable %s: %w", v.name, err)
	}
	return x, true, nil
}

// Delete unsets the variable (releasing a future it held); Gets waiting
// for it fail.
func (v *Variable[T]) Delete(ctx context.Context) error {
	_, _, err := v.c.coord(ctx, &pb.Coord{Op: "variable-delete", Name: v.name}, false)
	return err
}
