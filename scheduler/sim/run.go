package sim

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"runtime/metrics"
	"strconv"
	"time"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/scheduler/state"
)

// Cluster describes the virtual workers.
type Cluster struct {
	Workers     int
	Threads     int           // per worker
	MemoryLimit int64         // per worker, as reported to the core
	Bandwidth   float64       // bytes per second a worker fetches at
	Latency     time.Duration // added to every fetch from a peer
	// State is the core's configuration; zero means state.DefaultConfig.
	State *state.Config
	// Heartbeat is how often each worker reports to the core (0: 500 ms,
	// worker.heartbeat-interval's default); the reports are staggered.
	Heartbeat time.Duration
	// Stream makes the client release each result as soon as it is in
	// memory (a consumer of AsCompleted) instead of holding all of them
	// to the end (Gather): the scheduler then holds only what is live.
	Stream bool
}

// Result is what a run measured.
type Result struct {
	Tasks            int           // tasks run (a task stolen and run elsewhere counts once)
	Decisions        int           // the core's orders to workers: computes and steals
	CoreTime         time.Duration // wall time inside the core (one goroutine: its CPU time, GC included)
	Events           int           // events the core handled
	PeakHeap         uint64        // the process's peak heap of live objects, sampled
	Makespan         time.Duration // virtual time from the graph's submission to its last result
	Bound            time.Duration // no schedule can be shorter: max(critical path, work / threads)
	Transfers        int           // inputs fetched from another worker
	Moved            int64         // their bytes
	PeakWorkerMemory int64         // the most result bytes one worker held at once
}

// DecisionsPerSecond is the core's decisions per second of its own time.
func (r *Result) DecisionsPerSecond() float64 { return float64(r.Decisions) / r.CoreTime.Seconds() }

// Efficiency is the bound over the makespan: 1 is a perfect schedule.
func (r *Result) Efficiency() float64 { return float64(r.Bound) / float64(r.Makespan) }

// tickInterval is how often the core sees time pass, as a real
// scheduler's shell ticks it.
const tickInterval = 100 * time.Millisecond

// Run submits the workload to a new core with the cluster's workers and
// plays the workers until every wanted key is in memory, then releases
// them. It stops with ctx's error when ctx ends.
func Run(ctx context.Context, cl Cluster, w *Workload) (*Result, error) {
	if cl.Workers < 1 || cl.Threads < 1 {
		return nil, fmt.Errorf("sim: a cluster needs workers and threads (%d workers of %d threads)", cl.Workers, cl.Threads)
	}
	cfg := state.DefaultConfig()
	if cl.State != nil {
		cfg = *cl.State
	}
	r := &runner{
		cl: cl, w: w, s: state.New(cfg), res: &Result{}, byID: make(map[string]*vworker, cl.Workers),
		t0: time.Unix(1_000_000, 0),
	}
	for i := range cl.Workers {
		vw := &vworker{id: "w" + strconv.Itoa(i), free: cl.Threads}
		r.workers = append(r.workers, vw)
		r.byID[vw.id] = vw
		r.feed(&state.WorkerAdded{At: r.at(), ID: vw.id, Address: vw.id, Name: vw.id, NThreads: cl.Threads, MemoryLimit: cl.MemoryLimit})
	}
	r.wanted = len(w.Wanted)
	order := make(map[graph.Key]int, len(w.Tasks))
	for i, t := range w.Tasks {
		order[t.Key] = i
	}
	r.feed(&state.GraphSubmitted{At: r.at(), Client: client, Tasks: w.Tasks, Wanted: w.Wanted, Order: order})
	order = nil
	r.push(simEvent{at: tickInterval, kind: tick})
	if r.cl.Heartbeat <= 0 {
		r.cl.Heartbeat = 500 * time.Millisecond
	}
	for i, vw := range r.workers {
		r.push(simEvent{at: r.cl.Heartbeat * time.Duration(i+1) / time.Duration(len(r.workers)), kind: heartbeat, worker: vw})
	}
	for r.done < r.wanted {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if r.failed != nil {
			return nil, r.failed
		}
		if len(r.events) == 0 {
			return nil, fmt.Errorf("sim: %s stopped with %d of %d results: no task runs and none will", w.Name, r.done, r.wanted)
		}
		e := heap.Pop(&r.events).(simEvent)
		r.now = e.at
		switch e.kind {
		case tick:
			r.feed(&state.Tick{At: r.at()})
			r.push(simEvent{at: r.now + tickInterval, kind: tick})
		case finish:
			r.finished(e)
		case heartbeat:
			vw := e.worker
			r.feed(&state.Heartbeat{At: r.at(), Worker: vw.id, Process: vw.memory, Managed: vw.memory,
				Executing: r.cl.Threads - vw.free, Ready: vw.queue.Len(), Bandwidth: vw.bandwidth})
			r.push(simEvent{at: r.now + r.cl.Heartbeat, kind: heartbeat, worker: vw})
		}
	}
	r.res.Makespan = r.now
	r.sampleHeap()
	if !cl.Stream {
		r.feed(&state.KeysReleased{At: r.at(), Client: client, Keys: w.Wanted})
	}
	r.res.Bound = max(w.CriticalPath, w.Work/time.Duration(cl.Workers*cl.Threads))
	if n := r.s.NTasks(); n != 0 {
		return nil, fmt.Errorf("sim: the core holds %d tasks once every result was released", n)
	}
	return r.res, r.failed
}

const client = "sim-client"

type runner struct {
	cl      Cluster
	w       *Workload
	s       *state.State
	res     *Result
	workers []*vworker
	byID    map[string]*vworker
	t0      time.Time
	now     time.Duration // virtual time since t0
	events  eventHeap
	seq     uint64
	acts    []state.Action
	release []graph.Key // results to release (Stream)
	wanted  int
	done    int
	failed  error
	sample  int // events since the heap was last sampled
}

func (r *runner) at() state.At { return state.At{Now: r.t0.Add(r.now)} }

// feed gives the core one event and carries out its actions.
func (r *runner) feed(ev state.Event) {
	start := time.Now()
	r.s.Handle(ev)
	r.acts = append(r.acts[:0], r.s.Ready().Actions...)
	r.s.Advance()
	r.res.CoreTime += time.Since(start)
	r.res.Events++
	if r.sample++; r.sample >= 20000 {
		r.sample = 0
		r.sampleHeap()
	}
	acts := r.acts
	r.acts = nil // what the actions feed refills its own
	for _, a := range acts {
		r.carry(a)
	}
	if len(r.release) > 0 {
		ks := r.release
		r.release = nil
		r.feed(&state.KeysReleased{At: r.at(), Client: client, Keys: ks})
	}
	r.acts = acts[:0]
}

var heapMetric = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

func (r *runner) sampleHeap() {
	metrics.Read(heapMetric)
	r.res.PeakHeap = max(r.res.PeakHeap, heapMetric[0].Value.Uint64())
}

// carry does what a worker or the client does with an action.
func (r *runner) carry(a state.Action) {
	switch a := a.(type) {
	case *state.Compute:
		r.res.Decisions++
		vw := r.byID[a.Worker]
		vw.enqueue(&queued{prio: a.Priority, key: a.Task.Key, handle: a.Handle, deps: a.Deps})
		r.startNext(vw)
	case *state.Steal:
		r.res.Decisions++
		vw := r.byID[a.Worker]
		stolen := vw.unqueue(a.Key)
		r.feed(&state.StealReplied{At: r.at(), Worker: a.Worker, Key: a.Key, Stolen: stolen})
	case *state.Free:
		vw := r.byID[a.Worker]
		for _, k := range a.Keys {
			if vw.holds(k) {
				_, n := r.w.Cost(k)
				vw.memory -= n
				delete(vw.held, k)
			}
			vw.unqueue(k)
		}
	case *state.KeyInMemory:
		if a.Client == client {
			r.done++
			if r.cl.Stream {
				r.release = append(r.release, a.Key)
			}
		}
	case *state.KeyErred:
		if a.Client == client && r.failed == nil {
			r.failed = fmt.Errorf("sim: %s erred: %v", a.Key, a.Err)
		}
	case *state.KeyCancelled:
		if a.Client == client && r.failed == nil {
			r.failed = fmt.Errorf("sim: %s was cancelled: %s", a.Key, a.Reason)
		}
	case *state.DropWorker, *state.CloseWorker:
		if r.failed == nil {
			r.failed = errors.New("sim: the core dropped a worker; virtual workers do not die")
		}
	}
}

// startNext gives vw's free threads the highest-priority queued tasks.
func (r *runner) startNext(vw *vworker) {
	for vw.free > 0 && vw.queue.Len() > 0 {
		q := vw.next()
		vw.free--
		var fetch int64
		for _, d := range q.deps {
			if !vw.holds(d.Key) && !containsWorker(d.Workers, vw.id) {
				fetch += d.NBytes
				r.res.Transfers++
			}
		}
		took := time.Duration(0)
		if fetch > 0 {
			took = r.cl.Latency + time.Duration(float64(fetch)/r.cl.Bandwidth*float64(time.Second))
			r.res.Moved += fetch
			vw.fetched(fetch, took)
		}
		dur, _ := r.w.Cost(q.key)
		r.push(simEvent{at: r.now + took + dur, kind: finish, worker: vw, key: q.key, handle: q.handle, start: r.now})
		r.feed(&state.TaskStarted{At: r.at(), Worker: vw.id, Key: q.key, Handle: q.handle})
	}
}

func (r *runner) finished(e simEvent) {
	vw := e.worker
	vw.free++
	_, n := r.w.Cost(e.key)
	if !vw.holds(e.key) {
		if vw.held == nil {
			vw.held = make(map[graph.Key]struct{})
		}
		vw.held[e.key] = struct{}{}
		vw.memory += n
		r.res.PeakWorkerMemory = max(r.res.PeakWorkerMemory, vw.memory)
	}
	vw.computed(e.key)
	r.res.Tasks++
	r.feed(&state.TaskFinished{At: r.at(), Worker: vw.id, Key: e.key, Handle: e.handle, NBytes: n, Type: "sim",
		Start: r.t0.Add(e.start), Stop: r.t0.Add(r.now)})
	r.startNext(vw)
}

func (r *runner) push(e simEvent) {
	r.seq++
	e.seq = r.seq
	heap.Push(&r.events, e)
}

func containsWorker(ws []string, id string) bool {
	for _, w := range ws {
		if w == id {
			return true
		}
	}
	return false
}
