package sim

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/dusk-go/dusk/graph"
)

// Workload is a task graph and what each task costs.
type Workload struct {
	Name   string
	Tasks  []*graph.Task // in an order where inputs come before their users
	Wanted []graph.Key   // the keys the client holds futures of
	// Cost gives a task's run time and the size of its result; it must
	// give the same answer for the same key every time.
	Cost func(graph.Key) (time.Duration, int64)
	// CriticalPath is the longest chain of run times; Work their sum.
	CriticalPath, Work time.Duration
}

// cost is a run time and a result size that vary by key around a mean
// (±25%), the same for a key in every run.
type cost struct {
	dur   time.Duration
	bytes int64
}

func newCost(dur time.Duration, bytes int64) cost { return cost{dur: dur, bytes: bytes} }

func (c cost) of(k graph.Key) (time.Duration, int64) {
	h := uint64(14695981039346656037) // FNV-1a
	for i := 0; i < len(k); i++ {
		h = (h ^ uint64(k[i])) * 1099511628211
	}
	f := 0.75 + float64(h%1024)/2048 // 0.75 to 1.25
	return time.Duration(float64(c.dur) * f), int64(float64(c.bytes) * f)
}

func key(prefix string, i int) graph.Key { return graph.Key(prefix + "-" + strconv.Itoa(i)) }

func task(k graph.Key, deps ...graph.Key) *graph.Task {
	t := &graph.Task{Key: k, Func: "sim"}
	if len(deps) > 0 {
		t.Args = make([]graph.Arg, len(deps))
		for i, d := range deps {
			t.Args[i] = graph.Ref(d)
		}
	}
	return t
}

// Map is n independent tasks of about dur each, with results of about
// bytes, all wanted (Dask's client.map).
func Map(n int, dur time.Duration, bytes int64) *Workload {
	c := newCost(dur, bytes)
	w := &Workload{Name: fmt.Sprintf("map n=%d", n), Cost: c.of}
	w.Tasks = make([]*graph.Task, n)
	w.Wanted = make([]graph.Key, n)
	for i := range n {
		k := key("map", i)
		w.Tasks[i], w.Wanted[i] = task(k), k
		d, _ := c.of(k)
		w.Work += d
		w.CriticalPath = max(w.CriticalPath, d)
	}
	return w
}

// Tree is a reduction of fan-in fanIn over n leaves: each level combines
// fanIn results of the one below until one is left, the one wanted.
func Tree(n, fanIn int, dur time.Duration, bytes int64) *Workload {
	c := newCost(dur, bytes)
	w := &Workload{Name: fmt.Sprintf("tree n=%d fan-in=%d", n, fanIn), Cost: c.of}
	level := make([]graph.Key, n)
	path := make([]time.Duration, n) // the longest chain ending at each
	for i := range n {
		level[i] = key("leaf", i)
		w.Tasks = append(w.Tasks, task(level[i]))
		d, _ := c.of(level[i])
		path[i], w.Work = d, w.Work+d
	}
	for depth := 1; len(level) > 1; depth++ {
		var next []graph.Key
		var nextPath []time.Duration
		prefix := "combine" + strconv.Itoa(depth)
		for i := 0; i < len(level); i += fanIn {
			j := min(i+fanIn, len(level))
			k := key(prefix, len(next))
			w.Tasks = append(w.Tasks, task(k, level[i:j]...))
			d, _ := c.of(k)
			longest := time.Duration(0)
			for _, p := range path[i:j] {
				longest = max(longest, p)
			}
			next, nextPath, w.Work = append(next, k), append(nextPath, longest+d), w.Work+d
		}
		level, path = next, nextPath
	}
	w.Wanted, w.CriticalPath = level, path[0]
	return w
}

// Shuffle is the task graph of Dask's tasks-based shuffle of p = g^stages
// partitions: each stage regroups the partitions by one base-g digit of
// their number, every task of a stage depending on the g tasks of the
// stage before that share its other digits. The last stage is wanted.
func Shuffle(g, stages int, dur time.Duration, bytes int64) *Workload {
	c := newCost(dur, bytes)
	p := 1
	for range stages {
		p *= g
	}
	w := &Workload{Name: fmt.Sprintf("shuffle p=%d (%d stages of groups of %d)", p, stages, g), Cost: c.of}
	prev := make([]graph.Key, p)
	path := make([]time.Duration, p)
	for i := range p {
		prev[i] = key("split0", i)
		w.Tasks = append(w.Tasks, task(prev[i]))
		d, _ := c.of(prev[i])
		path[i], w.Work = d, w.Work+d
	}
	stride := 1
	deps := make([]graph.Key, g)
	for s := 1; s <= stages; s++ {
		cur := make([]graph.Key, p)
		curPath := make([]time.Duration, p)
		prefix := "split" + strconv.Itoa(s)
		for i := range p {
			digit := (i / stride) % g
			base := i - digit*stride
			longest := time.Duration(0)
			for j := range g {
				deps[j] = prev[base+j*stride]
				longest = max(longest, path[base+j*stride])
			}
			cur[i] = key(prefix, i)
			w.Tasks = append(w.Tasks, task(cur[i], deps...))
			d, _ := c.of(cur[i])
			curPath[i], w.Work = longest+d, w.Work+d
		}
		prev, path = cur, curPath
		stride *= g
	}
	w.Wanted = prev
	for _, d := range path {
		w.CriticalPath = max(w.CriticalPath, d)
	}
	return w
}

// RandomDAG is n tasks, each depending on up to maxDeps tasks chosen at
// random among the window before it (none for the first); the tasks no
// other task uses are wanted.
func RandomDAG(n, maxDeps, window int, dur time.Duration, bytes int64, seed uint64) *Workload {
	c := newCost(dur, bytes)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	w := &Workload{Name: fmt.Sprintf("random DAG n=%d (up to %d inputs from the last %d)", n, maxDeps, window), Cost: c.of}
	path := make([]time.Duration, n)
	used := make([]bool, n)
	keys := make([]graph.Key, n)
	for i := range n {
		keys[i] = key("node", i)
		var deps []graph.Key
		longest := time.Duration(0)
		if i > 0 {
			for range rng.IntN(maxDeps + 1) {
				j := i - 1 - rng.IntN(min(window, i))
				if !containsKey(deps, keys[j]) {
					deps = append(deps, keys[j])
					used[j] = true
					longest = max(longest, path[j])
				}
			}
		}
		w.Tasks = append(w.Tasks, task(keys[i], deps...))
		d, _ := c.of(keys[i])
		path[i], w.Work = longest+d, w.Work+d
		w.CriticalPath = max(w.CriticalPath, path[i])
	}
	for i, u := range used {
		if !u {
			w.Wanted = append(w.Wanted, keys[i])
		}
	}
	return w
}

func containsKey(ks []graph.Key, k graph.Key) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}
