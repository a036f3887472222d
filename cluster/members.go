package cluster

import "github.com/dusk-go/dusk/wire/pb"

// members tells which of a launcher's workers count for the cluster's
// size, by name: one still starting (not yet seen by the scheduler), or
// joined and not retiring. One seen once and gone no longer counts: its
// process is ending. Its user holds the lock that guards it.
type members struct {
	joined map[string]bool // workers seen connected once
}

// statusByName indexes the scheduler's workers' statuses by name.
func statusByName(ws []*pb.WorkerInfo) map[string]string {
	out := make(map[string]string, len(ws))
	for _, w := range ws {
		out[w.GetName()] = w.GetStatus()
	}
	return out
}

// counts reports whether the worker named name counts, given the
// scheduler's statuses, and remembers it if it joined.
func (m *members) counts(name string, status map[string]string) bool {
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

// forget drops a worker whose process ended.
func (m *members) forget(name string) { delete(m.joined, name) }
