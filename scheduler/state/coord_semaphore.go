package state

import (
	"fmt"
	"slices"
)

// semaphore hands out at most max leases at a time (a lock is a semaphore
// of one lease). A lease belongs to the client that took it: it goes back
// when the client goes, so a dead holder does not keep it.
type semaphore struct {
	max     int
	leases  map[uint64]string // lease -> holder
	waiters []waiter
}

func (s *State) semaphoreOp(req *CoordRequest, w waiter, r *CoordReplied) {
	c := s.coordState()
	sem := c.sems[req.Name]
	if sem == nil {
		if req.Op == SemaphoreRelease {
			r.Err = fmt.Sprintf("semaphore %s holds no lease %d: it was lost (its holder's connection ended) or released already", req.Name, req.Lease)
			return
		}
		if req.Max < 1 {
			r.Err = fmt.Sprintf("semaphore %s needs at least one lease, not %d", req.Name, req.Max)
			return
		}
		sem = &semaphore{max: req.Max, leases: map[uint64]string{}}
		c.sems[req.Name] = sem
	}
	switch req.Op {
	case SemaphoreAcquire:
		if req.Max != sem.max {
			r.Err = fmt.Sprintf("semaphore %s has %d leases, not %d: open it with the same number everywhere", req.Name, sem.max, req.Max)
			return
		}
		switch {
		case len(sem.leases) < sem.max:
			r.Lease = s.lease(sem, w.client)
		case req.Wait:
			sem.waiters = append(sem.waiters, w)
			s.wait(w.waitID, func() bool { return removeWaiter(&sem.waiters, w.waitID) })
			deferReply(r)
		default:
			r.OK = false
		}
	case SemaphoreRelease:
		if holder, ok := sem.leases[req.Lease]; !ok || holder != w.client {
			r.Err = fmt.Sprintf("semaphore %s holds no lease %d of this client: it was lost (the client's connection ended) or released already", req.Name, req.Lease)
			return
		}
		delete(sem.leases, req.Lease)
		s.grantWaiting(req.Name, sem)
	}
}

func (s *State) lease(sem *semaphore, client string) uint64 {
	c := s.coordState()
	c.nextLease++
	sem.leases[c.nextLease] = client
	return c.nextLease
}

// grantWaiting hands free leases to waiters, oldest first, and drops the
// semaphore once nothing holds or waits for it.
func (s *State) grantWaiting(name string, sem *semaphore) {
	for len(sem.waiters) > 0 && len(sem.leases) < sem.max {
		x := sem.waiters[0]
		sem.waiters = sem.waiters[1:]
		s.answered(x.waitID)
		s.emit(&CoordReplied{Client: x.client, ID: x.id, OK: true, Lease: s.lease(sem, x.client)})
	}
	if len(sem.leases) == 0 && len(sem.waiters) == 0 {
		delete(s.coordState().sems, name)
	}
}

// semaphoreClientGone takes back the leases of a departed client.
func (s *State) semaphoreClientGone(name string, sem *semaphore, client string) {
	var lost []uint64
	for l, h := range sem.leases {
		if h == client {
			lost = append(lost, l)
		}
	}
	if len(lost) == 0 {
		return
	}
	slices.Sort(lost)
	for _, l := range lost {
		delete(sem.leases, l)
	}
	s.grantWaiting(name, sem)
}
