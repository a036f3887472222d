// Package worker is a dusk worker: it runs the tasks the scheduler sends on
// a pool of threads (goroutines, each task with a cancellable context),
// keeps their results in its store, fetches inputs directly from peer
// workers, serves its data to peers and clients, and reports to the
// scheduler over one batched stream. Its task bookkeeping is the pure state
// machine of package worker/state.
package worker
