package state

// coordEvent is a flag shared by name that clients wait for.
type coordEvent struct {
	set     bool
	waiters []waiter
}

func (s *State) eventOp(req *CoordRequest, w waiter, r *CoordReplied) {
	c := s.coordState()
	ev := c.events[req.Name]
	if ev == nil {
		ev = &coordEvent{}
		c.events[req.Name] = ev
	}
	switch req.Op {
	case EventSet:
		ev.set = true
		for _, x := range ev.waiters {
			s.answered(x.waitID)
			s.emit(&CoordReplied{Client: x.client, ID: x.id, OK: true})
		}
		ev.waiters = nil
	case EventClear:
		ev.set = false
	case EventWait:
		switch {
		case ev.set:
		case req.Wait:
			ev.waiters = append(ev.waiters, w)
			s.wait(w.waitID, func() bool { return removeWaiter(&ev.waiters, w.waitID) })
			deferReply(r)
		default:
			r.OK = false
		}
	}
	if !ev.set && len(ev.waiters) == 0 {
		delete(c.events, req.Name) // a cleared event is the same as none
	}
}
