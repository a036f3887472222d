package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/scheduler/state"
)

func prefixStat(t *testing.T, u *Update, name string) PrefixStat {
	t.Helper()
	for _, p := range u.Prefixes {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no prefix %q in %+v", name, u.Prefixes)
	return PrefixStat{}
}

func TestAggregatorFollowsAComputation(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, "w1", "w2")
	a := NewAggregator(f, Options{})
	a.Poll(ctx)
	u := a.Snapshot()
	if len(u.Workers) != 2 || u.Workers[0].Threads != 2 || u.Workers[0].Resources["GPU"] != 1 || u.Workers[0].Limit != 1<<30 {
		t.Fatalf("workers = %+v", u.Workers)
	}

	tasks := append(chain("load", 3), chain("clean", 2)...)
	acts := f.submit(tasks, "load-c", "clean-b")
	a.Poll(ctx)
	if p := prefixStat(t, a.Snapshot(), "load"); p.Total != 3 || p.Waiting+p.Processing != 3 || p.Memory != 0 {
		t.Fatalf("before running: %+v", p)
	}

	if n := f.run(acts, map[graph.Key]bool{"clean-b": true}); n != 5 {
		t.Fatalf("ran %d tasks", n)
	}
	a.Poll(ctx)
	u = a.Snapshot()
	load := prefixStat(t, u, "load")
	// load-a and load-b were freed once their dependents ran; load-c is wanted.
	if load.Memory != 1 || load.Done != 2 || load.Runs != 3 || load.Seconds <= 0 {
		t.Errorf("load: %+v", load)
	}
	if clean := prefixStat(t, u, "clean"); clean.Erred != 1 || clean.Total != 2 {
		t.Errorf("clean: %+v", clean)
	}
	kinds := map[string]int{}
	for _, b := range u.Bars {
		kinds[b.Kind]++
		if b.Stop <= b.Start || b.Worker == "" {
			t.Errorf("bar %+v", b)
		}
	}
	if kinds["task"] != 4 || kinds["error"] != 1 {
		t.Errorf("bars by kind: %v", kinds)
	}

	// The client lets go: everything ends up done and forgotten.
	f.handle(&state.KeysReleased{At: f.at(), Client: "c", Keys: []graph.Key{"load-c", "clean-b"}})
	a.Poll(ctx)
	u = a.Snapshot()
	if load := prefixStat(t, u, "load"); load.Done != 3 || load.Memory != 0 {
		t.Errorf("after release: %+v", load)
	}
	if u.Tasks != 0 {
		t.Errorf("%d tasks left", u.Tasks)
	}
}

func TestAggregatorKeepsTransfersSamplesAndLogs(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, "w1")
	a := NewAggregator(f, Options{})
	a.Poll(ctx)
	now := f.now
	f.ring.Add(event.Event{Kind: event.Transfer, Worker: "w1", Peer: "w2", Key: "x-1", NBytes: 100, Start: now, Stop: now.Add(1e6)})
	f.ring.Add(event.Event{Kind: event.Spill, Worker: "w1", Key: "x-2", NBytes: 50, Start: now, Stop: now.Add(1e6)})
	f.ring.Add(event.Event{Kind: event.Log, Time: now, Key: "WARN", Detail: "worker slow"})
	f.handle(&state.Heartbeat{At: f.at(), Worker: "w1", Managed: 10, Unmanaged: 20, Spilled: 30, Paused: true, Executing: 1, CPU: 0.5})
	a.Poll(ctx)
	u := a.Snapshot()
	if len(u.Bars) != 2 || u.Bars[0].Kind != "transfer" || u.Bars[0].Thread != -1 || u.Bars[1].Kind != "spill" {
		t.Errorf("bars = %+v", u.Bars)
	}
	w := u.Workers[0]
	if w.Managed != 10 || w.Unmanaged != 20 || w.Spilled != 30 || !w.Paused || w.Status != "paused" || w.CPU != 0.5 {
		t.Errorf("worker = %+v", w)
	}
	if len(u.Logs) == 0 || u.Logs[len(u.Logs)-1].Text != "worker slow" {
		t.Errorf("logs = %+v", u.Logs)
	}
	// A restart drops every task at once.
	f.submit(chain("z", 2), "z-b")
	f.handle(&state.Restarted{At: f.at()})
	a.Poll(ctx)
	if u := a.Snapshot(); len(u.Prefixes) != 0 || u.Tasks != 0 {
		t.Errorf("after a restart: %d prefixes, %d tasks", len(u.Prefixes), u.Tasks)
	}
}

func TestPagesShareOneUpdateAndSlowPagesAreDropped(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, "w1")
	a := NewAggregator(f, Options{})
	a.Poll(ctx)
	fast, slow := a.subscribe(10), a.subscribe(1)
	for _, s := range []*subscriber{fast, slow} {
		var u Update
		if err := json.Unmarshal(<-s.ch, &u); err != nil || !u.Reset || len(u.Workers) != 1 {
			t.Fatalf("first message: %+v, %v", u, err)
		}
	}
	f.run(f.submit(chain("p", 1), "p-a"), nil)
	a.Poll(ctx)
	m1, m2 := <-fast.ch, <-slow.ch
	if !bytes.Equal(m1, m2) || &m1[0] != &m2[0] {
		t.Error("pages got different encodings of the same update")
	}
	var u Update
	if err := json.Unmarshal(m1, &u); err != nil || u.Reset || len(u.Bars) != 1 {
		t.Fatalf("update: %+v, %v", u, err)
	}
	// Nothing new: nothing sent.
	a.Poll(ctx)
	if len(fast.ch) != 0 {
		t.Error("an update without news")
	}
	// The slow page stops reading; after its buffer fills it is dropped.
	for i := range 3 {
		f.ring.Add(event.Event{Kind: event.Log, Detail: string(rune('a' + i))})
		a.Poll(ctx)
		<-fast.ch
	}
	if a.Pages() != 1 {
		t.Fatalf("%d pages, want the fast one only", a.Pages())
	}
	n := 0
	for range slow.ch {
		n++
	}
	if n != 2 {
		t.Errorf("slow page got %d more updates before it was dropped, want its buffer (2)", n)
	}
	a.unsubscribe(fast)
	if a.Pages() != 0 {
		t.Error("unsubscribe left the page")
	}
}

func TestBarsPerUpdateAreBounded(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, "w1")
	a := NewAggregator(f, Options{MaxBarsPerUpdate: 3, RecentBars: 4})
	a.Poll(ctx)
	s := a.subscribe(5)
	<-s.ch
	for i := range 10 {
		f.ring.Add(event.Event{Kind: event.TaskRun, Worker: "w1", Key: "t-" + string(rune('a'+i)), Start: f.now, Stop: f.now.Add(1)})
	}
	a.Poll(ctx)
	var u Update
	if err := json.Unmarshal(<-s.ch, &u); err != nil {
		t.Fatal(err)
	}
	if len(u.Bars) != 3 || u.Dropped != 7 {
		t.Errorf("%d bars, %d dropped", len(u.Bars), u.Dropped)
	}
	snap := a.Snapshot()
	if len(snap.Bars) != 4 || snap.Bars[0].Key != "t-g" || snap.Bars[3].Key != "t-j" {
		t.Errorf("snapshot bars = %+v", snap.Bars)
	}
}

func TestAggregatorCountsLostEvents(t *testing.T) {
	ctx := context.Background()
	ring := event.NewRing(4)
	f := newFake(t)
	f.ring = ring
	a := NewAggregator(f, Options{})
	for range 10 {
		ring.Add(event.Event{Kind: event.Log, Detail: "x"})
	}
	a.Poll(ctx)
	if u := a.Snapshot(); u.Lost != 6 || len(u.Logs) != 4 {
		t.Errorf("lost %d, logs %d", u.Lost, len(u.Logs))
	}
}

func TestGraphView(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, "w1")
	a := NewAggregator(f, Options{GraphLimit: 5})
	acts := f.submit(chain("g", 3), "g-c")
	a.Poll(ctx)
	v, err := a.Graph(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.TooBig || len(v.Nodes) != 3 || len(v.Edges) != 2 || v.Nodes[0].Key != "g-a" {
		t.Fatalf("view = %+v", v)
	}
	if v.Nodes[0].Y >= v.Nodes[1].Y || v.Nodes[0].Color == "" {
		t.Errorf("g-a should sit above g-b: %+v", v.Nodes)
	}
	f.run(acts, nil)
	a.Poll(ctx)
	v, _ = a.Graph(ctx) // the layout is cached; states are fresh
	if v.Nodes[2].State != "memory" || v.Nodes[0].State != "released" {
		t.Errorf("states after the run: %+v", v.Nodes)
	}
	big := NewAggregator(newFake(t, "w1"), Options{GraphLimit: 2})
	big.src.(*fakeScheduler).submit(chain("h", 3), "h-c")
	v, _ = big.Graph(ctx)
	if !v.TooBig || v.Tasks != 3 || len(v.Nodes) != 0 {
		t.Errorf("too big a graph: %+v", v)
	}
}

// Events lost to a full ring leave no phantom tasks: the task counts of
// /metrics are the scheduler's snapshot, and the pages' counts are set
// back to it when the aggregator finds it missed events.
func TestNoPhantomTasksAfterLostEvents(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, "w1")
	f.ring = event.NewRing(8)
	a := NewAggregator(f, Options{})
	a.Poll(ctx)
	acts := f.submit(chain("p", 20), "p-t")
	f.run(acts, nil)
	f.handle(&state.KeysReleased{At: f.at(), Client: "c", Keys: []graph.Key{"p-t"}})
	a.Poll(ctx) // most of the transitions were overwritten before this
	if a.Snapshot().Lost == 0 {
		t.Fatal("the test's ring lost no event; it must, to test this")
	}
	for _, ps := range a.Snapshot().Prefixes {
		if ps.Name == "p" && ps.Waiting+ps.Processing+ps.Memory+ps.Erred != 0 {
			t.Errorf("the page counts live tasks of p after all were forgotten: %+v", ps)
		}
	}
	mfs, err := a.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "dusk_scheduler_tasks" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if v := m.GetGauge().GetValue(); v != 0 {
				t.Errorf("dusk_scheduler_tasks %v = %v after every task was forgotten", m.GetLabel(), v)
			}
		}
	}
}

// Tasks come and go in rounds of 1,500, a tenth of each kept across
// rounds: every count matches the scheduler's own, and the graph view's
// states are each task's.
func TestAggregatorFollowsTasksAcrossRounds(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, "w1", "w2")
	a := NewAggregator(f, Options{GraphLimit: 10000})
	indep := func(prefix string, n int) ([]*graph.Task, []graph.Key) {
		var ts []*graph.Task
		var ks []graph.Key
		for i := range n {
			k := graph.Key(fmt.Sprintf("%s-%d", prefix, i))
			ts = append(ts, &graph.Task{Key: k, Func: "f"})
			ks = append(ks, k)
		}
		return ts, ks
	}
	var kept []graph.Key
	for round, prefix := range []string{"r0", "r1", "r2"} {
		ts, ks := indep(prefix, 1500)
		f.run(f.submit(ts, ks...), nil)
		// Release all but every tenth; the kept ones stay in memory.
		var drop []graph.Key
		for i, k := range ks {
			if i%10 == 0 {
				kept = append(kept, k)
			} else {
				drop = append(drop, k)
			}
		}
		f.handle(&state.KeysReleased{At: f.at(), Client: "c", Keys: drop})
		a.Poll(ctx)
		u := a.Snapshot()
		if want := 150 * (round + 1); u.Tasks != want {
			t.Fatalf("round %d: %d tasks, want %d", round, u.Tasks, want)
		}
		p := prefixStat(t, u, prefix)
		if p.Total != 1500 || p.Memory != 150 || p.Done != 1350 {
			t.Fatalf("round %d: %+v", round, p)
		}
		g, err := a.Graph(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The layout is made again at most every two seconds: a later
		// round shows the first round's or its own, with the states of
		// now either way.
		if n := len(g.Nodes); n != len(kept) && (round == 0 || n != 150) {
			t.Fatalf("round %d: graph of %d nodes, want %d (or the first round's 150)", round, n, len(kept))
		}
		for _, n := range g.Nodes {
			if n.State != "memory" {
				t.Fatalf("round %d: node %s in state %q", round, n.Key, n.State)
			}
		}
	}
	f.handle(&state.KeysReleased{At: f.at(), Client: "c", Keys: kept})
	a.Poll(ctx)
	if u := a.Snapshot(); u.Tasks != 0 {
		t.Fatalf("%d tasks left after releasing all", u.Tasks)
	}
}
