package state

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk/graph"
)

// Tiny root tasks go to the workers in runs of neighbours, so that the
// inputs of one sum of a tree are on one worker: a tree sum of fan-in 8
// over 4,000 leaves on 2 workers of 1 thread, each task taking a
// microsecond. Dealt out one by one in turn (as before runs), every sum's
// inputs were split between the two workers.
func TestTinyRootTasksGoInRuns(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.addWorker("w2", 1, nil)
	const leaves, fanIn = 4000, 8
	var tasks []*graph.Task
	var sums []*graph.Task
	var wanted []graph.Key
	for i := range leaves {
		tasks = append(tasks, spec(fmt.Sprintf("inc-%d", i)))
	}
	for i := 0; i < leaves; i += fanIn {
		var deps []string
		for j := i; j < i+fanIn; j++ {
			deps = append(deps, fmt.Sprintf("inc-%d", j))
		}
		s := spec(fmt.Sprintf("sum-%d", i/fanIn), deps...)
		sums = append(sums, s)
		wanted = append(wanted, s.Key)
	}
	// Each worker runs what it was sent in order; one task finishes at a
	// time, the workers in turn.
	queues := map[string][]graph.Key{}
	take := func(acts []Action) {
		for _, c := range ofType[*Compute](acts) {
			queues[c.Worker] = append(queues[c.Worker], c.Task.Key)
		}
	}
	ranOn := map[graph.Key]string{}
	drain := func() {
		for step := 0; ; step++ {
			w := []string{"w1", "w2"}[step%2]
			if len(queues[w]) == 0 {
				w = []string{"w2", "w1"}[step%2]
			}
			if len(queues[w]) == 0 {
				return
			}
			k := queues[w][0]
			queues[w] = queues[w][1:]
			ranOn[k] = w
			start := h.at().Now
			take(h.handle(&TaskFinished{At: At{Now: start}, Worker: w, Key: k, NBytes: 8, Type: "int", Start: start, Stop: start.Add(time.Microsecond)}))
		}
	}
	// A first graph of the same kind of task: its durations are known
	// when the tree arrives, as in a session's second computation.
	var warm []*graph.Task
	var warmKeys []graph.Key
	for i := range 100 {
		warm = append(warm, spec(fmt.Sprintf("inc-warm%d", i)))
		warmKeys = append(warmKeys, warm[i].Key)
	}
	take(h.submit("c", warm, warmKeys...))
	drain()
	take(h.submit("c", append(tasks, sums...), wanted...))
	drain()
	for _, s := range sums {
		h.wantState(s.Key, Memory)
	}
	split := 0
	for _, s := range sums {
		on := map[string]bool{}
		for _, d := range s.Deps() {
			on[ranOn[d]] = true
		}
		if len(on) > 1 {
			split++
		}
	}
	// A run ends inside a sum now and then.
	if split > len(sums)/10 {
		var b strings.Builder
		for i := range 40 {
			b.WriteString(ranOn[graph.Key(fmt.Sprintf("inc-%d", i))])
			b.WriteByte(' ')
		}
		t.Fatalf("%d of %d sums have inputs on both workers; the first leaves ran on %s", split, len(sums), b.String())
	}
}
