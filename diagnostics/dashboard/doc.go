// Package dashboard serves dusk's live dashboard: a task stream, progress
// per task prefix, workers' memory and load, a workers table, a graph view,
// the scheduler's log, and Prometheus metrics and pprof, all behind the
// cluster's token.
//
// Watching costs the scheduler nothing per viewer. One Aggregator goroutine
// reads the scheduler's event ring by sequence number (it never subscribes
// per tab), keeps a compact state, and every tick encodes one update that
// every open page receives as a Server-Sent Event. A page that connects gets
// a snapshot of that state; a page that falls behind is dropped and its
// browser reconnects for a fresh snapshot. The scheduler's state lock is
// taken only when workers join or leave and when a page asks for the graph
// view (shared by all pages, at most every two seconds, bounded in size).
package dashboard
