package dusk

import (
	"context"
	"fmt"
	"iter"

	"github.com/dusk-go/dusk/wire/pb"
)

// Topic is a publish/subscribe channel by name (Dask's Pub and Sub): each
// value published goes to every subscription open at that moment, from
// any client or task. A subscription keeps up to 10,000 values its
// reader has not taken; past that it drops the oldest and says how many
// (Subscription.Dropped). Topics carry values, not futures.
type Topic[T any] struct {
	c    *Client
	name string
}

// NewTopic opens the topic named name.
func NewTopic[T any](c *Client, name string) *Topic[T] { return &Topic[T]{c: c, name: name} }

// Publish sends v to every subscription and returns how many there were.
func (t *Topic[T]) Publish(ctx context.Context, v T) (int, error) {
	it, err := encodeItem(v)
	if err != nil {
		return 0, fmt.Errorf("dusk: publishing on topic %s: %w", t.name, err)
	}
	r, _, err := t.c.coord(ctx, &pb.Coord{Op: "topic-publish", Name: t.name, Item: it}, false)
	if err != nil {
		return 0, err
	}
	return int(r.GetSize()), nil
}

// Subscribe opens a subscription: it receives what is published from now
// on, until Close or until this client's connection ends.
func (t *Topic[T]) Subscribe(ctx context.Context) (*Subscription[T], error) {
	r, _, err := t.c.coord(ctx, &pb.Coord{Op: "topic-subscribe", Name: t.name}, false)
	if err != nil {
		return nil, err
	}
	return &Subscription[T]{t: t, id: r.GetLease()}, nil
}

// Subscription receives a topic's values in the order they were
// published. Read it from one goroutine at a time.
type Subscription[T any] struct {
	t       *Topic[T]
	id      uint64
	dropped int
}

// Next returns the oldest value not taken yet, waiting for one until ctx
// ends.
func (s *Subscription[T]) Next(ctx context.Context) (T, error) {
	var zero T
	r, _, err := s.t.c.coord(ctx, &pb.Coord{Op: "topic-next", Name: s.t.name, Lease: s.id, Wait: true}, false)
	if err != nil {
		return zero, err
	}
	s.dropped += int(r.GetDropped())
	v, err := decodeItem[T](s.t.c, r.GetItem(), nil)
	if err != nil {
		return zero, fmt.Errorf("dusk: reading topic %s: %w", s.t.name, err)
	}
	return v, nil
}

// All returns the values as they come, until ctx ends or an error (the
// last pair yielded).
func (s *Subscription[T]) All(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			v, err := s.Next(ctx)
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}

// Dropped returns how many values the subscription lost to its bound so
// far (counted as Next reads past them).
func (s *Subscription[T]) Dropped() int { return s.dropped }

// Close ends the subscription.
func (s *Subscription[T]) Close(ctx context.Context) error {
	_, _, err := s.t.c.coord(ctx, &pb.Coord{Op: "topic-unsubscribe", Name: s.t.name, Lease: s.id}, false)
	return err
}
