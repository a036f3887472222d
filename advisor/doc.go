// Package advisor applies the optimization guide dusk implements to a run:
// it reads what a performance report recorded (report.Data: time per task
// prefix, the task stream, worker memory over time, transfers, the
// scheduler's log) and says which of the guide's warnings apply, with the
// figures that show it and the remedy.
//
// The rules, each named by the Rule of its findings:
//
//   - idle-workers: the task stream has gaps (threads busy for a small part
//     of the run): work arrives piecemeal, as when Compute is called in a
//     loop.
//   - tiny-tasks: many tasks of a prefix take well under a millisecond
//     each, so scheduling costs as much as computing ("too many
//     partitions").
//   - large-results: a prefix's results are far above the guide's 100-300
//     MB per chunk, or a large share of a worker's memory limit.
//   - spilling, paused: workers wrote data to disk, or stopped taking
//     tasks, for want of memory.
//   - unmanaged-memory: memory the worker does not hold for its data stays
//     high (the guide's worker garbage collection).
//   - communication: moving data between workers costs a large share of
//     the compute time.
//   - data-skew: one worker holds far more data than the others.
//   - recomputed: the same task ran more than once, by prefix with the
//     runs again and the time they took (persist what several
//     computations share, or let the client do it:
//     optimization.persist-shared.active).
//   - failed-tasks: tasks failed.
//   - threads-vs-workload: the workers' measurements of a sample of task
//     runs (time on the CPU, waiting for a core, off the CPU) against how
//     many ran at once and the worker's GOMAXPROCS: tasks mostly off the
//     CPU want more threads; more CPU-bound tasks than processors on a
//     busy worker want fewer threads per worker and more workers.
//   - large-graph, large-gather (made by the client, listed with what
//     clients recorded): a graph over advisor.large-graph.tasks or
//     .bytes, with the partition count that brings it under; a gather
//     over advisor.large-gather.bytes, naming the line.
//
// Advisor implements report.Advisor; dusk's PerformanceReport and dusk
// report use it.
package advisor
