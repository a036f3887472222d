package store

import "time"

// recentWindow is how long unmanaged memory counts as recent: memory that
// appeared within it is often garbage or a task's working memory on its
// way out, rather than a leak (Dask's recent-to-old-time).
const recentWindow = 30 * time.Second

// windowMin tracks the least of the values seen over the last span of
// time, in amortized constant time per value (a monotonic deque).
type windowMin struct {
	span time.Duration
	q    []timedValue // increasing values, oldest first
}

type timedValue struct {
	at time.Time
	v  int64
}

// add records v at time at and returns the least value recorded within
// span of at (v itself included).
func (m *windowMin) add(at time.Time, v int64) int64 {
	for len(m.q) > 0 && m.q[len(m.q)-1].v >= v {
		m.q = m.q[:len(m.q)-1]
	}
	m.q = append(m.q, timedValue{at, v})
	drop := 0
	for drop < len(m.q)-1 && at.Sub(m.q[drop].at) > m.span {
		drop++
	}
	if drop > 0 {
		m.q = append(m.q[:0], m.q[drop:]...)
	}
	return m.q[0].v
}
