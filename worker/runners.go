package worker

import "sync"

// runners are the goroutines that run tasks. A goroutine that finishes a
// task waits, up to max of them, for the next one instead of ending: a
// fresh goroutine per task grew its stack again for every task (the
// argument decoding and the reflective call need more than a new
// goroutine's stack), a twentieth of a tiny task's cost. Handing a task
// to a waiting runner never blocks.
type runners struct {
	mu     sync.Mutex
	idle   []*runner
	max    int
	closed bool
}

// runner is one goroutine; jobs holds at most the one task it was handed.
// A job may leave the runner its next job in next (only the runner's own
// goroutine touches it): the runner takes it when the job returns.
type runner struct {
	jobs chan func(*runner)
	next func(*runner)
}

// run runs job on a waiting runner, or on a new one.
func (p *runners) run(job func(*runner)) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		r := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		r.jobs <- job // it was idle: its buffer is empty
		return
	}
	p.mu.Unlock()
	go p.loop(&runner{jobs: make(chan func(*runner), 1)}, job)
}

func (p *runners) loop(r *runner, job func(*runner)) {
	for {
		job(r)
		if job = r.next; job != nil {
			r.next = nil
			continue
		}
		p.mu.Lock()
		if p.closed || len(p.idle) >= p.max {
			p.mu.Unlock()
			return
		}
		p.idle = append(p.idle, r)
		p.mu.Unlock()
		var ok bool
		if job, ok = <-r.jobs; !ok {
			return
		}
	}
}

// open lets runners wait for tasks again (a worker started again after
// it stopped).
func (p *runners) open() {
	p.mu.Lock()
	p.closed = false
	p.mu.Unlock()
}

// close ends the waiting runners; those running end after their task.
// Later tasks each get a goroutine of their own until open.
func (p *runners) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, r := range p.idle {
		close(r.jobs)
	}
	p.idle = nil
}
