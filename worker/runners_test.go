package worker

import (
	"sync"
	"sync/atomic"
	"testing"
)

// Every task handed to the runners runs once, whether a waiting runner or
// a new goroutine takes it, before and after they are closed; closing
// leaves no runner waiting.
func TestRunnersRunEveryTaskOnce(t *testing.T) {
	p := &runners{max: 3}
	var ran [2000]atomic.Int32
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := g; i < 1000; i += 8 {
				done := make(chan struct{})
				p.run(func() { ran[i].Add(1); close(done) })
				<-done
			}
		})
	}
	wg.Wait()
	p.mu.Lock()
	if len(p.idle) > p.max {
		t.Errorf("%d runners wait, at most %d may", len(p.idle), p.max)
	}
	p.mu.Unlock()
	p.close()
	p.mu.Lock()
	if len(p.idle) != 0 {
		t.Errorf("%d runners still wait after close", len(p.idle))
	}
	p.mu.Unlock()
	for i := 1000; i < 2000; i++ {
		wg.Add(1)
		p.run(func() { ran[i].Add(1); wg.Done() })
	}
	wg.Wait()
	for i := range ran {
		if n := ran[i].Load(); n != 1 {
			t.Fatalf("task %d ran %d times", i, n)
		}
	}
}
