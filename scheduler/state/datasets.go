package state

import (
	"fmt"
	"slices"

	"github.com/dusk-go/dusk/graph"
)

// dataset is a named set of keys (futures, or a persisted collection's
// pieces, described by meta) that stays alive while it is published, for
// any client to take.
type dataset struct {
	keys   []graph.Key
	meta   []byte
	holder *keyHolder
}

func (s *State) datasetOp(req *CoordRequest, r *CoordReplied) (then func()) {
	c := s.coordState()
	d := c.datasets[req.Name]
	switch req.Op {
	case DatasetPublish:
		if d != nil && !req.Override {
			r.Err = fmt.Sprintf("a dataset named %s is published already: unpublish it first, or publish with dusk.Override()", req.Name)
			return nil
		}
		for _, k := range req.Keys {
			if s.tasks[k] == nil && !s.awaited(k) {
				r.Err = fmt.Sprintf("publishing %s: key %s is not known to the scheduler: its future was released, or its graph was not sent yet", req.Name, k)
				return nil
			}
		}
		nd := &dataset{keys: slices.Clone(req.Keys), meta: req.Meta, holder: newKeyHolder("dataset/" + req.Name)}
		if d != nil {
			// The new holder is a fresh pseudo-client only if the old one
			// is gone: both would have the same ID.
			nd.holder = d.holder
		}
		for _, k := range nd.keys {
			if err := s.hold(nd.holder, k); err != nil {
				r.Err = err.Error()
				return nil
			}
		}
		if d != nil {
			for _, k := range d.keys {
				s.drop(nd.holder, k)
			}
		}
		c.datasets[req.Name] = nd
	case DatasetGet:
		if d == nil {
			r.Err = fmt.Sprintf("no dataset is published as %s (published: %v)", req.Name, sortedNames(c.datasets))
			return nil
		}
		r.Keys, r.Meta = slices.Clone(d.keys), d.meta
		client := r.Client
		return func() {
			for _, k := range d.keys {
				s.giveKey(client, k)
			}
		}
	case DatasetUnpublish:
		if d == nil {
			r.Err = fmt.Sprintf("no dataset is published as %s", req.Name)
			return nil
		}
		delete(c.datasets, req.Name)
		s.dropAll(d.holder)
	case DatasetList:
		r.Names = sortedNames(c.datasets)
	}
	return nil
}
