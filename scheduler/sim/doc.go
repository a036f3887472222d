// Package sim drives the scheduler's real core (scheduler/state) with
// virtual workers in virtual time, to see how it behaves at sizes this
// machine cannot run: ten thousand workers, ten million tasks.
//
// A simulated worker has threads, a memory it reports, a network link
// (bandwidth and latency) and a queue of the tasks the core gave it, run
// highest priority first; a task's duration and result size come from
// its workload. Nothing runs and no byte moves: a task occupies a thread
// for the time to fetch its inputs held elsewhere plus its duration, then
// the worker tells the core it finished. The core sees exactly the events
// a real scheduler's shell gives it (workers joining, a graph submitted,
// tasks started and finished, steals answered, heartbeats, ticks) and its
// actions are
// carried out as a worker would.
//
// Run reports what a scheduler's operator wants to know at that scale:
// the core's decisions per second of its own time, the peak heap, and the
// makespan against a lower bound (the critical path, or the work divided
// among the threads, whichever is longer). bench/sim runs the standard
// workloads (map, tree, shuffle, random DAG) at increasing sizes.
package sim
