package state

import "fmt"

// variable is a value shared by name; a future set there keeps its data
// alive until the variable changes.
type variable struct {
	set     bool
	value   Item
	waiters []waiter
	keys    *keyHolder
}

func (s *State) variableOp(req *CoordRequest, w waiter, r *CoordReplied) (then func()) {
	c := s.coordState()
	v := c.variables[req.Name]
	if v == nil {
		if req.Op == VariableDelete {
			return nil
		}
		v = &variable{keys: newKeyHolder("variable/" + req.Name)}
		c.variables[req.Name] = v
	}
	switch req.Op {
	case VariableSet:
		if k := req.Item.Key; k != "" {
			if err := s.hold(v.keys, k); err != nil {
				r.Err = fmt.Sprintf("setting variable %s: %v", req.Name, err)
				return nil
			}
		}
		old := v.value
		v.set, v.value = true, req.Item
		for _, x := range v.waiters {
			s.answered(x.waitID)
			s.emit(&CoordReplied{Client: x.client, ID: x.id, OK: true, Item: v.value})
			if k := v.value.Key; k != "" {
				s.giveKey(x.client, k)
			}
		}
		v.waiters = nil
		if old.Key != "" {
			s.drop(v.keys, old.Key)
		}
	case VariableGet:
		switch {
		case v.set:
			r.Item = v.value
			if k := v.value.Key; k != "" {
				return func() { s.giveKey(w.client, k) }
			}
		case req.Wait:
			v.waiters = append(v.waiters, w)
			s.wait(w.waitID, func() bool { return removeWaiter(&v.waiters, w.waitID) })
			deferReply(r)
		default:
			r.OK = false
		}
	case VariableDelete:
		for _, x := range v.waiters {
			s.answered(x.waitID)
			s.emit(&CoordReplied{Client: x.client, ID: x.id, Err: fmt.Sprintf("variable %s was deleted", req.Name)})
		}
		s.dropAll(v.keys)
		delete(c.variables, req.Name)
	}
	return nil
}
