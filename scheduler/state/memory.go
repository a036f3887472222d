package state

// How a task's data comes into memory: computed by a worker, or placed on
// workers by a client (scattered).

// finishedToMemory records that t finished on the worker it was processing
// on, which now holds its result (the handler of the TaskFinished event set
// its size and type): the clients that want it are told, and its
// dependents may run.
func (s *State) finishedToMemory(t *Task, _ *Worker) {
	w := s.unassignOnly(t) // its speculative followers stay: they run next
	t.err = nil
	t.addHolder(w)
	s.setState(t, Memory)
	for _, c := range t.wantedBy {
		s.emit(&KeyInMemory{Client: c.ID, Key: t.Key, NBytes: t.NBytes, Type: t.TypeName, Workers: w.alone})
	}
	s.visits += uint64(len(t.dependents))
	for _, dt := range t.dependents {
		switch {
		case dt.State == Waiting:
			dt.nWaiting--
			s.recommend(dt, Processing)
		case dt.State == Processing && dt.speculative:
			dt.nWaiting--
			dt.speculative = dt.nWaiting > 0
		}
	}
	s.leaveActive(t)
	if !t.needed() {
		s.releaseUnneeded(t)
	}
	if w.Status == Retiring {
		s.checkRetiring(w)
	} else {
		s.fillWorker(w)
	}
}

// scatteredToMemory records that a client placed t's data on workers (the
// handler of the KeysScattered event added them as holders): the clients
// that want it are told, and tasks waiting for it may run.
func (s *State) scatteredToMemory(t *Task, _ *Worker) {
	t.err = nil
	s.setState(t, Memory)
	for _, c := range t.wantedBy {
		s.emit(&KeyInMemory{Client: c.ID, Key: t.Key, NBytes: t.NBytes, Type: t.TypeName, Workers: t.WhoHas()})
	}
	s.visits += uint64(len(t.dependents))
	for _, dt := range t.dependents {
		if dt.State == Waiting {
			dt.nWaiting--
			if dt.nWaiting == 0 {
				s.recommend(dt, Processing)
			}
		}
	}
}
