package cluster

import "github.com/dusk-go/dusk/wire/pb"

// Members tells which of a launcher's workers count for the cluster's
// size, by name: one still starting (not yet seen by the scheduler), or
// joined and not retiring. One seen once and gone no longer counts: its
// process is ending. Its user holds the lock that guards it; the zero
// value is ready.
type Members struct {
	joined map[string]bool // workers seen connected once
}

// StatusByName indexes the scheduler's workers' statuses by name.
func StatusByName(ws []*pb.WorkerInfo) map[string]string {
	out := make(map[string]string, len(ws))
	for _, w := range ws {
		out[w.GetName()] = w.GetStatus()
	}
	return out
}

// Counts reports whether the worker named name counts, given the
// scheduler's statuses (StatusByName), and remembers it if it joined.
func (m *Members) Counts(name string, status map[string]string) bool {
	st, there := status[name]
	if there {
		if m.joined == nil {
			m.joined = map[string]bool{}
		}
		m.joined[name] = true
		return st != "retiring"
	}
	return !m.joined[name]
}

// Forget drops a worker whose process ended.
func (m *Members) Forget(name string) { delete(m.joined, name) }
