package store

import "sync"

// SharedProcess divides the memory of one process among the workers that
// share it (an in-process local cluster): each reports its own managed
// memory and an equal share of the rest, so that the workers' figures add
// up to the process's instead of each claiming all of it. A Monitor joins
// with ShareProcess.
type SharedProcess struct {
	mu      sync.Mutex
	managed map[*Monitor]int64
}

// NewSharedProcess returns a SharedProcess with no worker yet.
func NewSharedProcess() *SharedProcess {
	return &SharedProcess{managed: map[*Monitor]int64{}}
}

func (p *SharedProcess) join(m *Monitor) {
	p.mu.Lock()
	p.managed[m] = 0
	p.mu.Unlock()
}

func (p *SharedProcess) leave(m *Monitor) {
	p.mu.Lock()
	delete(p.managed, m)
	p.mu.Unlock()
}

// unmanaged records m's managed memory and returns m's share of what the
// process holds beyond all its workers' managed memory. A monitor that is
// not running (not joined) counts for the call without being recorded.
func (p *SharedProcess) unmanaged(m *Monitor, managed, process int64) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.managed)
	if _, ok := p.managed[m]; ok {
		p.managed[m] = managed
	} else {
		n++
	}
	total := managed
	for x, v := range p.managed {
		if x != m {
			total += v
		}
	}
	return max(process-total, 0) / int64(n)
}
