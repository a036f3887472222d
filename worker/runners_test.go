package worker

import (
	"runtime"
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
				p.run(func(*runner) { ran[i].Add(1); close(done) })
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
		p.run(func(*runner) { ran[i].Add(1); wg.Done() })
	}
	wg.Wait()
	for i := range ran {
		if n := ran[i].Load(); n != 1 {
			t.Fatalf("task %d ran %d times", i, n)
		}
	}
}

// A job that leaves its runner a next job has it run on the same runner,
// after it returns, and the runner waits for work again after that.
func TestRunnerTakesTheJobItWasLeft(t *testing.T) {
	p := &runners{max: 1}
	var first, second *runner
	done := make(chan struct{})
	var order []int
	p.run(func(r *runner) {
		first = r
		r.next = func(r *runner) {
			second = r
			order = append(order, 2)
			close(done)
		}
		order = append(order, 1)
	})
	<-done
	if first == nil || first != second {
		t.Fatalf("the next job ran on runner %p, the first on %p", second, first)
	}
	if len(order) != 2 || order[0] != 1 || order[1] != 2 {
		t.Fatalf("jobs ran in the order %v, want [1 2]", order)
	}
	again := make(chan *runner)
	for {
		p.mu.Lock()
		n := len(p.idle)
		p.mu.Unlock()
		if n == 1 {
			break
		}
		runtime.Gosched()
	}
	p.run(func(r *runner) { again <- r })
	if r := <-again; r != first {
		t.Fatalf("the waiting runner %p did not take the next task (%p did)", first, r)
	}
	p.close()
}
