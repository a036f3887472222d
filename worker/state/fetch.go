package state

import (
	"slices"

	"github.com/dusk-go/dusk/graph"
)

// acquireKeys fetches copies of keys for the scheduler, and reports those
// already here.
func (s *State) acquireKeys(deps []Dep) {
	var have []graph.KeySize
	for _, dl := range deps {
		d := s.tasks[dl.Key]
		if d != nil && d.State == Memory {
			d.freed = false
			have = append(have, graph.KeySize{Key: d.Key, NBytes: d.NBytes})
			continue
		}
		if d == nil {
			d = newTask(dl.Key)
			d.NBytes, d.acquire = dl.NBytes, true
			s.transition(d, Fetch)
		}
		d.acquire = true
		for _, p := range dl.Peers {
			if p != s.cfg.Address && !slices.Contains(d.peers, p) {
				d.peers = append(d.peers, p)
			}
		}
	}
	if len(have) > 0 {
		s.emit(&Added{Keys: have})
	}
}

// stored takes values that arrived without a fetch (scatter).
func (s *State) stored(keys []graph.KeySize) {
	for _, ks := range keys {
		t := s.tasks[ks.Key]
		if t == nil {
			t = newTask(ks.Key)
		} else if t.State != Fetch && t.State != Flight {
			continue
		}
		t.NBytes = ks.NBytes
		s.transition(t, Memory)
	}
}

// fetched takes the end of a fetch from a peer.
func (s *State) fetched(e *Fetched) {
	asked := s.flights[e.Peer]
	delete(s.flights, e.Peer)
	s.inFlight -= s.flightBytes[e.Peer]
	delete(s.flightBytes, e.Peer)
	var added []graph.KeySize
	var drop []graph.Key
	for _, ks := range e.Got {
		t := s.tasks[ks.Key]
		// A task in flight from this peer is one of those asked (each task
		// in flight is in its peer's flight: validate checks it); testing
		// its peer instead of searching asked keeps a large batch linear.
		if t == nil || t.State != Flight || t.flight != e.Peer {
			if t == nil || t.State != Memory {
				drop = append(drop, ks.Key)
			}
			continue
		}
		if t.freed && len(t.dependents) == 0 && !t.acquire {
			drop = append(drop, ks.Key)
			s.transition(t, Released)
			continue
		}
		t.NBytes = ks.NBytes
		s.transition(t, Memory)
		added = append(added, graph.KeySize{Key: t.Key, NBytes: t.NBytes})
	}
	if len(drop) > 0 {
		s.emit(&Drop{Keys: drop})
	}
	if len(added) > 0 {
		s.emit(&Added{Keys: added})
	}
	for _, t := range asked {
		if t.State != Flight || s.tasks[t.Key] != t {
			continue // arrived, or dropped
		}
		t.peers = slices.DeleteFunc(t.peers, func(p string) bool { return p == e.Peer })
		t.tried = append(t.tried, e.Peer)
		switch {
		case t.freed && len(t.dependents) == 0 && !t.acquire:
			s.transition(t, Released)
		case len(t.peers) > 0:
			s.transition(t, Fetch)
		default:
			s.transition(t, Released) // no peer left to ask: given up on
		}
	}
}

// ensureFetching asks peers for the inputs waiting to be fetched, one
// request per peer at a time, batching keys up to FetchBytes, and all
// requests together up to FlightBytes.
func (s *State) ensureFetching() {
	if s.paused || len(s.toFetch) == 0 {
		return
	}
	pending := s.toFetch[:0]
	batches := map[string][]*Task{}
	var order []string
	bytes := map[string]int64{}
	total := s.inFlight // in flight, and asked for in this round
	for _, t := range s.toFetch {
		if s.tasks[t.Key] != t || t.State != Fetch {
			continue // stale entry
		}
		if len(t.peers) == 0 {
			s.transition(t, Released) // no peer to ask: given up on
			continue
		}
		if s.cfg.FlightBytes > 0 && total > 0 && total+t.NBytes > s.cfg.FlightBytes {
			pending = append(pending, t)
			continue
		}
		peer := ""
		for _, p := range t.peers {
			if _, busy := s.flights[p]; busy {
				continue
			}
			if b, ok := batches[p]; ok && bytes[p]+t.NBytes > s.cfg.FetchBytes && len(b) > 0 {
				continue
			}
			if _, ok := batches[p]; !ok && len(s.flights)+len(batches) >= s.cfg.MaxFetches {
				continue
			}
			peer = p
			break
		}
		if peer == "" {
			pending = append(pending, t)
			continue
		}
		if _, ok := batches[peer]; !ok {
			order = append(order, peer)
		}
		batches[peer] = append(batches[peer], t)
		bytes[peer] += t.NBytes
		total += t.NBytes
	}
	clear(s.toFetch[len(pending):])
	s.toFetch = pending
	for _, p := range order {
		ts := batches[p]
		s.flights[p] = ts
		s.flightBytes[p] = bytes[p]
		s.inFlight += bytes[p]
		keys := make([]graph.Key, len(ts))
		for i, t := range ts {
			t.flight = p
			s.transition(t, Flight)
			keys[i] = t.Key
		}
		s.emit(&FetchFrom{Peer: p, Keys: keys})
	}
}
