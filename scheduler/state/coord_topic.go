package state

import (
	"fmt"
	"slices"
)

// topic is a pub/sub channel by name: every message published goes to
// every subscription open at the time, each of which keeps up to
// TopicBuffer messages for its client to take.
type topic struct {
	subs map[uint64]*subscription
}

type subscription struct {
	client  string
	msgs    []Item
	dropped int
	waiter  *waiter // a TopicNext waiting for a message
}

func (s *State) topicOp(req *CoordRequest, w waiter, r *CoordReplied) {
	c := s.coordState()
	tp := c.topics[req.Name]
	if tp == nil {
		tp = &topic{subs: map[uint64]*subscription{}}
		c.topics[req.Name] = tp
	}
	defer func() {
		if len(tp.subs) == 0 {
			delete(c.topics, req.Name)
		}
	}()
	switch req.Op {
	case TopicSubscribe:
		c.nextLease++
		tp.subs[c.nextLease] = &subscription{client: w.client}
		r.Lease = c.nextLease
	case TopicPublish:
		if req.Item.Key != "" {
			r.Err = fmt.Sprintf("topic %s carries values, not futures: put futures in a Queue or a Variable", req.Name)
			return
		}
		ids := make([]uint64, 0, len(tp.subs))
		for id := range tp.subs {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			sub := tp.subs[id]
			if x := sub.waiter; x != nil {
				sub.waiter = nil
				s.answered(x.waitID)
				s.emit(&CoordReplied{Client: x.client, ID: x.id, OK: true, Item: req.Item, Dropped: sub.dropped})
				sub.dropped = 0
				continue
			}
			if len(sub.msgs) >= TopicBuffer {
				sub.msgs[0] = Item{}
				sub.msgs = sub.msgs[1:]
				sub.dropped++
			}
			sub.msgs = append(sub.msgs, req.Item)
		}
		r.Size = len(ids)
	case TopicNext, TopicUnsubscribe:
		sub := tp.subs[req.Lease]
		if sub == nil || sub.client != w.client {
			r.Err = fmt.Sprintf("topic %s has no subscription %d of this client: it ended (Close, or the client's connection ended)", req.Name, req.Lease)
			return
		}
		if req.Op == TopicUnsubscribe {
			s.endSubscription(req.Name, tp, req.Lease)
			return
		}
		switch {
		case len(sub.msgs) > 0:
			r.Item, r.Dropped = sub.msgs[0], sub.dropped
			sub.msgs[0] = Item{}
			sub.msgs, sub.dropped = sub.msgs[1:], 0
		case sub.waiter != nil:
			r.Err = fmt.Sprintf("subscription %d of topic %s is read by another call already: read it from one goroutine", req.Lease, req.Name)
		case req.Wait:
			sub.waiter = &w
			s.wait(w.waitID, func() bool {
				if sub.waiter != nil && sub.waiter.waitID == w.waitID {
					sub.waiter = nil
					return true
				}
				return false
			})
			deferReply(r)
		default:
			r.OK = false
		}
	}
}

// endSubscription drops subscription id, answering a read that waits on
// it.
func (s *State) endSubscription(name string, tp *topic, id uint64) {
	sub := tp.subs[id]
	delete(tp.subs, id)
	if x := sub.waiter; x != nil {
		s.answered(x.waitID)
		s.emit(&CoordReplied{Client: x.client, ID: x.id, Err: fmt.Sprintf("subscription %d of topic %s ended", id, name)})
	}
}

// topicClientGone ends a departed client's subscriptions.
func (s *State) topicClientGone(name string, tp *topic, client string) {
	var ids []uint64
	for id, sub := range tp.subs {
		if sub.client == client {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		s.endSubscription(name, tp, id)
	}
	if len(tp.subs) == 0 {
		delete(s.coord.topics, name)
	}
}
