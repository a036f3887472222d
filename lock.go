package dusk

import (
	"context"
	"errors"
	"sync"

	"github.com/dusk-go/dusk/wire/pb"
)

// ErrLeaseLost is returned by Release when the scheduler no longer counts
// the lease as held: its holder's connection ended (a dead holder loses
// its leases, which go to the next waiter), or it was released already.
var ErrLeaseLost = errors.New("dusk: the lease is no longer held")

// Semaphore hands out at most a fixed number of leases at a time, by name,
// to every client and task that opens the name (Dask's Semaphore). A lease
// belongs to the connection that took it: when a client (or the worker of
// a task that took it through TaskClient) dies, its leases go to the next
// waiters. Open a semaphore with the same number of leases everywhere.
type Semaphore struct {
	c    *Client
	name string
	max  int
}

// Lease is a lease of a Semaphore, held until Release.
type Lease struct {
	s  *Semaphore
	id uint64
}

// NewSemaphore opens the semaphore named name, of maxLeases leases.
func NewSemaphore(c *Client, name string, maxLeases int) *Semaphore {
	return &Semaphore{c: c, name: "semaphore/" + name, max: maxLeases}
}

// Acquire waits for a lease until ctx ends. Leases go to waiters in the
// order they asked.
func (s *Semaphore) Acquire(ctx context.Context) (*Lease, error) {
	l, _, err := s.acquire(ctx, true)
	return l, err
}

// TryAcquire takes a lease if one is free now.
func (s *Semaphore) TryAcquire(ctx context.Context) (*Lease, bool, error) {
	return s.acquire(ctx, false)
}

func (s *Semaphore) acquire(ctx context.Context, wait bool) (*Lease, bool, error) {
	r, _, err := s.c.coord(ctx, &pb.Coord{Op: "semaphore-acquire", Name: s.name, Max: int64(s.max), Wait: wait}, false)
	if err != nil || !r.GetOk() {
		return nil, false, err
	}
	return &Lease{s: s, id: r.GetLease()}, true, nil
}

// Release gives the lease back. ErrLeaseLost says it was no longer held.
func (l *Lease) Release(ctx context.Context) error {
	_, _, err := l.s.c.coord(ctx, &pb.Coord{Op: "semaphore-release", Name: l.s.name, Max: int64(l.s.max), Lease: l.id}, false)
	var ce *CoordError
	if errors.As(err, &ce) {
		return errors.Join(ErrLeaseLost, err)
	}
	return err
}

// Lock is a mutual exclusion lock by name, shared by every client and task
// that opens the name (Dask's Lock): a semaphore of one lease. A holder
// that dies loses it. A Lock value holds at most one lease: Acquire it
// again only after Release. It is safe for concurrent use.
type Lock struct {
	sem   *Semaphore
	mu    sync.Mutex
	lease *Lease
}

// NewLock opens the lock named name.
func NewLock(c *Client, name string) *Lock {
	return &Lock{sem: &Semaphore{c: c, name: "lock/" + name, max: 1}}
}

// Acquire waits for the lock until ctx ends.
func (l *Lock) Acquire(ctx context.Context) error {
	_, err := l.acquire(ctx, true)
	return err
}

// TryAcquire takes the lock if it is free now.
func (l *Lock) TryAcquire(ctx context.Context) (bool, error) { return l.acquire(ctx, false) }

func (l *Lock) acquire(ctx context.Context, wait bool) (bool, error) {
	l.mu.Lock()
	held := l.lease != nil
	l.mu.Unlock()
	if held {
		return false, errors.New("dusk: lock " + l.sem.name[len("lock/"):] + " is held by this Lock already: Release it first (locks are not reentrant)")
	}
	lease, ok, err := l.sem.acquire(ctx, wait)
	if err != nil || !ok {
		return false, err
	}
	l.mu.Lock()
	l.lease = lease
	l.mu.Unlock()
	return true, nil
}

// Release unlocks. ErrLeaseLost says the lock was no longer held (this
// holder's connection to the scheduler ended meanwhile).
func (l *Lock) Release(ctx context.Context) error {
	l.mu.Lock()
	lease := l.lease
	l.lease = nil
	l.mu.Unlock()
	if lease == nil {
		return errors.New("dusk: lock " + l.sem.name[len("lock/"):] + " is not held by this Lock")
	}
	return lease.Release(ctx)
}
