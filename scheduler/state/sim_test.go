package state

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dusk-go/dusk/graph"
)

// simCluster plays the workers' side against a State: it remembers what
// each worker was told to run and runs those tasks in a random order,
// while workers join, die, and the clients drop keys.
type simCluster struct {
	h       *harness
	rng     *rand.Rand
	running map[string]map[graph.Key]bool // worker -> tasks it was sent
	// local[w][k] lists the inputs of task k that worker w must compute
	// itself first (k was sent speculatively); done[w] what it finished.
	local    map[string]map[graph.Key][]graph.Key
	done     map[string]map[graph.Key]bool
	nextID   int
	results  map[graph.Key]TaskState // what the client heard last
	stealReq []*Steal
}

func (c *simCluster) absorb(acts []Action) {
	for _, a := range acts {
		switch a := a.(type) {
		case *Compute:
			var local []graph.Key
			for _, d := range a.Deps {
				if len(d.Workers) == 0 {
					if !c.running[a.Worker][d.Key] {
						c.h.t.Fatalf("compute %s with dependency %s held nowhere nor computed there", a.Task.Key, d.Key)
					}
					local = append(local, d.Key)
				}
			}
			c.running[a.Worker][a.Task.Key] = true
			c.local[a.Worker][a.Task.Key] = local
		case *Free:
			for _, k := range a.Keys {
				delete(c.running[a.Worker], k)
				delete(c.done[a.Worker], k)
			}
		case *Steal:
			c.stealReq = append(c.stealReq, a)
		case *KeyInMemory:
			c.results[a.Key] = Memory
		case *KeyErred:
			c.results[a.Key] = Erred
		case *KeyCancelled:
			c.results[a.Key] = Released
		}
	}
}

func (c *simCluster) addWorker() {
	c.nextID++
	id := fmt.Sprintf("w%d", c.nextID)
	c.running[id] = map[graph.Key]bool{}
	c.local[id] = map[graph.Key][]graph.Key{}
	c.done[id] = map[graph.Key]bool{}
	c.absorb(c.h.addWorker(id, 1+c.rng.IntN(3), nil))
}

func (c *simCluster) workers() []string {
	ids := make([]string, 0, len(c.running))
	for id := range c.running {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// step makes one random thing happen; it reports false when nothing is
// left to run.
func (c *simCluster) step(chaos bool) bool {
	ids := c.workers()
	if chaos && c.rng.IntN(200) == 0 && len(ids) > 1 {
		id := ids[c.rng.IntN(len(ids))]
		delete(c.running, id)
		delete(c.local, id)
		delete(c.done, id)
		c.absorb(c.h.handle(&WorkerRemoved{At: c.h.at(), ID: id, Reason: "chaos"}))
		c.addWorker()
		return true
	}
	if len(c.stealReq) > 0 {
		st := c.stealReq[0]
		c.stealReq = c.stealReq[1:]
		ok := c.running[st.Worker][st.Key] && c.rng.IntN(2) == 0
		if ok {
			delete(c.running[st.Worker], st.Key)
		}
		c.absorb(c.h.handle(&StealReplied{At: c.h.at(), Worker: st.Worker, Key: st.Key, Stolen: ok}))
		return true
	}
	if chaos && c.rng.IntN(50) == 0 {
		c.absorb(c.h.handle(&Tick{At: c.h.at()}))
	}
	nrunning := 0
	for _, id := range ids {
		nrunning += len(c.running[id])
	}
	if nrunning == 0 {
		return false
	}
	var cands []struct {
		w string
		k graph.Key
	}
	for _, id := range ids {
	next:
		for k := range c.running[id] {
			for _, d := range c.local[id][k] {
				if !c.done[id][d] {
					continue next // a real worker runs it after its inputs
				}
			}
			cands = append(cands, struct {
				w string
				k graph.Key
			}{id, k})
		}
	}
	slices.SortFunc(cands, func(a, b struct {
		w string
		k graph.Key
	}) int {
		if a.w != b.w {
			if a.w < b.w {
				return -1
			}
			return 1
		}
		if a.k < b.k {
			return -1
		}
		if a.k > b.k {
			return 1
		}
		return 0
	})
	if len(cands) == 0 {
		c.h.t.Fatal("every task sent waits for another")
	}
	x := cands[c.rng.IntN(len(cands))]
	delete(c.running[x.w], x.k)
	c.done[x.w][x.k] = true
	if c.rng.IntN(3) == 0 {
		c.absorb(c.h.start(x.w, x.k))
	}
	if chaos && c.rng.IntN(15) == 0 {
		// A flaky failure: the task is retried (sim tasks have retries).
		delete(c.done[x.w], x.k)
		c.absorb(c.h.fail(x.w, x.k, "flaky"))
		return true
	}
	c.absorb(c.h.finish(x.w, x.k, int64(1+c.rng.IntN(1000))))
	return true
}

// newSim returns a simulated cluster of one to three workers around h.
func newSim(h *harness, rng *rand.Rand) *simCluster {
	sim := &simCluster{h: h, rng: rng, running: map[string]map[graph.Key]bool{}, results: map[graph.Key]TaskState{},
		local: map[string]map[graph.Key][]graph.Key{}, done: map[string]map[graph.Key]bool{}}
	for range 1 + rng.IntN(3) {
		sim.addWorker()
	}
	return sim
}

// randomDAG returns n tasks where each depends on up to 3 earlier ones.
func randomDAG(rng *rand.Rand, prefix string, n int) []*graph.Task {
	var ts []*graph.Task
	for i := range n {
		var deps []string
		for j := 0; j < rng.IntN(4) && i > 0; j++ {
			deps = append(deps, string(ts[rng.IntN(i)].Key))
		}
		tk := spec(fmt.Sprintf("%s%d-%d", prefix, rng.IntN(3), i), deps...)
		tk.Retries = 1000
		ts = append(ts, tk)
	}
	return ts
}

func TestSimulatedClusterCompletesEverything(t *testing.T) {
	for seed := range uint64(40) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			h := newHarness(t, func(c *Config) {
				c.WorkStealing = true
				c.Speculate = seed%2 == 0
				if seed%3 == 0 {
					c.WorkerSaturation = math.Inf(1)
				}
			})
			sim := newSim(h, rng)
			tasks := randomDAG(rng, "t", 60+rng.IntN(100))
			var wanted []graph.Key
			for _, tk := range tasks {
				if rng.IntN(4) == 0 {
					wanted = append(wanted, tk.Key)
				}
			}
			wanted = append(wanted, tasks[len(tasks)-1].Key)
			sim.absorb(h.submit("c", tasks, wanted...))
			for steps := 0; sim.step(true); steps++ {
				if steps > 100000 {
					t.Fatal("no progress")
				}
			}
			for _, k := range wanted {
				if h.state(k) != Memory || sim.results[k] != Memory {
					t.Fatalf("%s is %s (client heard %s); story:\n%s", k, h.state(k), sim.results[k], h.s.Story(k))
				}
			}
			sim.absorb(h.handle(&KeysReleased{At: h.at(), Client: "c", Keys: wanted}))
			if n := h.s.NTasks(); n != 0 {
				t.Fatalf("%d tasks left after releasing everything", n)
			}
		})
	}
}

// TestSimulatedClientsComeAndGo has clients submit overlapping graphs,
// release and cancel keys, and leave, at random moments while workers run,
// fail and die (the harness checks every invariant after every event).
// The clients still there get their keys; once all have left, nothing is
// left on the scheduler.
func TestSimulatedClientsComeAndGo(t *testing.T) {
	for seed := range uint64(60) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 11))
			h := newHarness(t, func(c *Config) {
				c.WorkStealing = seed%4 != 1
				c.Speculate = seed%2 == 0
				if seed%3 == 0 {
					c.WorkerSaturation = math.Inf(1)
				}
			})
			sim := newSim(h, rng)
			tasks := randomDAG(rng, "t", 80+rng.IntN(80))
			// And a wide graph: many roots (queued on the scheduler), a
			// follower each, one total.
			var follow []string
			for i := range 40 {
				load, clean := fmt.Sprintf("load-%d", i), fmt.Sprintf("clean-%d", i)
				tasks = append(tasks, spec(load), spec(clean, load))
				follow = append(follow, clean)
			}
			tasks = append(tasks, spec("total-1", follow...))
			for _, tk := range tasks {
				tk.Retries = 1000
			}
			active := map[string][]graph.Key{}
			nclients := 0
			submit := func() {
				nclients++
				id := fmt.Sprintf("c%d", nclients)
				var wanted []graph.Key
				for _, tk := range tasks {
					if rng.IntN(5) == 0 {
						wanted = append(wanted, tk.Key)
					}
				}
				active[id] = wanted
				sim.absorb(h.submit(id, tasks, wanted...))
			}
			anyClient := func() string {
				ids := slices.Sorted(maps.Keys(active))
				return ids[rng.IntN(len(ids))]
			}
			submit()
			paused := map[string]bool{}
			for step := 0; step < 3000; step++ {
				switch r := rng.IntN(30); {
				case r == 4 && rng.IntN(3) == 0:
					// A worker passes its pause threshold, or comes back
					// under it (workers removed by chaos are skipped).
					ids := sim.workers()
					id := ids[rng.IntN(len(ids))]
					paused[id] = !paused[id]
					sim.absorb(h.handle(&Heartbeat{At: h.at(), Worker: id, Paused: paused[id]}))
				case r == 0 && len(active) < 4:
					submit()
				case r == 1 && len(active) > 0:
					id := anyClient()
					delete(active, id)
					sim.absorb(h.handle(&ClientRemoved{At: h.at(), ID: id}))
				case (r == 2 || r == 3) && len(active) > 0:
					id := anyClient()
					keys := active[id]
					if len(keys) == 0 {
						continue
					}
					n := 1 + rng.IntN(len(keys))
					if r == 2 {
						sim.absorb(h.handle(&KeysReleased{At: h.at(), Client: id, Keys: keys[:n]}))
					} else {
						sim.absorb(h.handle(&KeysCancelled{At: h.at(), Client: id, Keys: keys[:n]}))
					}
					active[id] = keys[n:]
				default:
					sim.step(true)
				}
			}
			for _, id := range sim.workers() {
				if paused[id] {
					sim.absorb(h.handle(&Heartbeat{At: h.at(), Worker: id}))
				}
			}
			for steps := 0; sim.step(true); steps++ {
				if steps > 100000 {
					t.Fatal("no progress")
				}
			}
			for _, id := range slices.Sorted(maps.Keys(active)) {
				for _, k := range active[id] {
					if h.state(k) != Memory {
						t.Fatalf("%s, wanted by %s, is %s; story:\n%s", k, id, h.state(k), h.s.Story(k))
					}
				}
				sim.absorb(h.handle(&ClientRemoved{At: h.at(), ID: id}))
			}
			if n := h.s.NTasks(); n != 0 {
				t.Fatalf("%d tasks left after every client left", n)
			}
		})
	}
}
