package state

// A worker's tasks (those it processes, those whose data it holds) are kept
// in slices, each task knowing its place in them, so that adding, removing
// and counting are O(1) with no hashing: with a million tasks the core's
// maps were most of its cost, each probe a cache miss (issue 18).

// shrinkSlice returns s, or a copy of it in a smaller array once it holds
// under a quarter of its capacity (and the capacity is worth giving back),
// so that a worker that held a million tasks once does not keep the array.
func shrinkSlice(s []*Task) []*Task {
	if cap(s) < 1024 || len(s) > cap(s)/4 {
		return s
	}
	return append(make([]*Task, 0, 2*len(s)), s...)
}

// addProcessing puts t in w's processing list.
func (w *Worker) addProcessing(t *Task) {
	t.procAt = int32(len(w.processing))
	w.processing = append(w.processing, t)
}

// removeProcessing takes t out of w's processing list.
func (w *Worker) removeProcessing(t *Task) {
	i, last := t.procAt, len(w.processing)-1
	moved := w.processing[last]
	w.processing[i] = moved
	moved.procAt = i
	w.processing[last] = nil
	w.processing = shrinkSlice(w.processing[:last])
	t.procAt = -1
}

// processes reports whether t is in w's processing list.
func (w *Worker) processes(t *Task) bool {
	return t.procAt >= 0 && int(t.procAt) < len(w.processing) && w.processing[t.procAt] == t
}

// addHeld puts t in w's list of held data; it returns t's place there.
func (w *Worker) addHeld(t *Task) int32 {
	w.has = append(w.has, t)
	return int32(len(w.has) - 1)
}

// removeHeld takes the task at place i out of w's list of held data, and
// tells the task that took its place.
func (w *Worker) removeHeld(i int32) {
	last := len(w.has) - 1
	moved := w.has[last]
	w.has[i] = moved
	w.has[last] = nil
	w.has = shrinkSlice(w.has[:last])
	if int(i) < len(w.has) {
		moved.setHeldAt(w, i)
	}
}
