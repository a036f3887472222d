package scheduler

import (
	"context"
	"errors"
	"time"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/scheduler/state"
)

// Diagnostics never read the live state: every tick the scheduler's own
// goroutine takes a Snapshot (its cost grows with workers and task
// prefixes, not tasks) and publishes it; the task graph is copied only on
// a reader's request, bounded by the reader's limit.

// graphRequest asks the ticker for the task graph if it has at most limit
// tasks.
type graphRequest struct {
	limit int
	reply chan *event.Graph
}

// Snapshot returns the last published snapshot of the scheduler's tasks
// and workers (at most a tick old). It never waits for the scheduler.
func (s *Server) Snapshot() *event.Snapshot { return s.snap.Load() }

// Graph returns the scheduler's task graph, copied by the scheduler's own
// goroutine, if it has at most limit tasks; otherwise only its size.
func (s *Server) Graph(ctx context.Context, limit int) (*event.Graph, error) {
	req := graphRequest{limit: limit, reply: make(chan *event.Graph, 1)}
	select {
	case s.graphReqs <- req:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.ctx.Done():
		return nil, errors.New("dusk: the scheduler is closed")
	}
	select {
	case g := <-req.reply:
		return g, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// tick lets time pass in the state and publishes a fresh snapshot.
func (s *Server) tick(now time.Time) {
	if s.ctx.Err() != nil {
		return
	}
	s.stMu.Lock()
	defer s.stMu.Unlock()
	s.st.Handle(&state.Tick{At: state.At{Now: now}})
	s.flush()
	s.snap.Store(s.st.Snapshot(now))
}

// buildGraph copies the task graph if it has at most limit tasks; it runs
// on the ticker's goroutine.
func (s *Server) buildGraph(limit int) *event.Graph {
	s.stMu.Lock()
	defer s.stMu.Unlock()
	return s.st.Graph(limit)
}
