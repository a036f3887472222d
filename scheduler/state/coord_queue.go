package state

import "fmt"

// namedQueue is a FIFO queue shared by name, bounded by max items (0:
// unbounded). Items that are futures keep their data alive until taken.
type namedQueue struct {
	max     int
	items   []Item
	head    int // items[head:] are queued
	getters []waiter
	putters []waiter // each with the item it puts
	keys    *keyHolder
}

func (q *namedQueue) len() int { return len(q.items) - q.head }

func (q *namedQueue) push(it Item) { q.items = append(q.items, it) }

func (q *namedQueue) pop() Item {
	it := q.items[q.head]
	q.items[q.head] = Item{}
	q.head++
	if q.head > 32 && q.head*2 >= len(q.items) {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	return it
}

func (q *namedQueue) full() bool { return q.max > 0 && q.len() >= q.max }

func (s *State) queueOp(req *CoordRequest, w waiter, r *CoordReplied) (then func()) {
	c := s.coordState()
	q := c.queues[req.Name]
	if q == nil {
		if req.Op == QueueDelete {
			return nil
		}
		q = &namedQueue{max: req.Max, keys: newKeyHolder("queue/" + req.Name)}
		c.queues[req.Name] = q
	}
	if req.Op != QueueDelete && req.Max != q.max {
		r.Err = fmt.Sprintf("queue %s holds at most %d items (0: no bound), not %d: open it with the same size everywhere", req.Name, q.max, req.Max)
		return nil
	}
	switch req.Op {
	case QueueSize:
		r.Size = q.len()
	case QueuePut:
		if k := req.Item.Key; k != "" {
			if err := s.hold(q.keys, k); err != nil {
				r.Err = fmt.Sprintf("putting into queue %s: %v", req.Name, err)
				return nil
			}
		}
		switch {
		case len(q.getters) > 0:
			g := q.getters[0]
			q.getters = q.getters[1:]
			s.hand(q, g.waitID, req.Item)
		case q.full() && req.Wait:
			q.putters = append(q.putters, w)
			s.wait(w.waitID, func() bool {
				if removeWaiter(&q.putters, w.waitID) {
					if k := w.item.Key; k != "" {
						s.drop(q.keys, k)
					}
					return true
				}
				return false
			})
			deferReply(r)
		case q.full():
			if k := req.Item.Key; k != "" {
				s.drop(q.keys, k)
			}
			r.OK = false
		default:
			q.push(req.Item)
		}
	case QueueGet:
		switch {
		case q.len() > 0:
			it := q.pop()
			r.Item = it
			s.admitPutter(q)
			return func() { s.handed(q, w.client, it) }
		case req.Wait:
			q.getters = append(q.getters, w)
			s.wait(w.waitID, func() bool { return removeWaiter(&q.getters, w.waitID) })
			deferReply(r)
		default:
			r.OK = false
		}
	case QueueDelete:
		for _, g := range q.getters {
			s.answered(g.waitID)
			s.emit(&CoordReplied{Client: g.client, ID: g.id, Err: fmt.Sprintf("queue %s was deleted", req.Name)})
		}
		for _, p := range q.putters {
			s.answered(p.waitID)
			s.emit(&CoordReplied{Client: p.client, ID: p.id, Err: fmt.Sprintf("queue %s was deleted", req.Name)})
		}
		s.dropAll(q.keys)
		delete(c.queues, req.Name)
	}
	return nil
}

// hand gives it to the waiting getter g.
func (s *State) hand(q *namedQueue, g waitID, it Item) {
	s.answered(g)
	s.emit(&CoordReplied{Client: g.client, ID: g.id, OK: true, Item: it})
	s.handed(q, g.client, it)
}

// handed moves the key of an item taken from q, if it is a future, from
// the queue to the client that took it.
func (s *State) handed(q *namedQueue, client string, it Item) {
	if it.Key == "" {
		return
	}
	s.giveKey(client, it.Key)
	s.drop(q.keys, it.Key)
}

// admitPutter moves the first waiting putter's item into q once it has
// room.
func (s *State) admitPutter(q *namedQueue) {
	for len(q.putters) > 0 && !q.full() {
		p := q.putters[0]
		q.putters = q.putters[1:]
		q.push(p.item)
		s.answered(p.waitID)
		s.emit(&CoordReplied{Client: p.client, ID: p.id, OK: true})
	}
}
