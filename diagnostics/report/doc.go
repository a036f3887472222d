// Package report builds dusk's performance report: one self-contained HTML
// file (it opens offline; its scripts are inside it) and the same data as
// JSON, from the scheduler's events over a stretch of time, the workers'
// CPU profiles, and the cluster's description.
//
// The report has a summary (duration, tasks, time per task prefix,
// workers, threads, memory, versions, the calling code's location), the
// task stream, worker memory over time, bandwidth between workers and by
// type of value, a CPU profile of the workers per task prefix, the
// scheduler's log, and the findings of an Advisor when one is set.
package report
