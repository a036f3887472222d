// Package state is a worker's task bookkeeping: which tasks it was told to
// run, which of their inputs it holds or must fetch from peers, which are
// ready, running or done. Like the scheduler's core it is a pure state
// machine: events in (Handle), instructions out (Ready); the worker's shell
// runs tasks, moves bytes and talks to the scheduler.
package state
