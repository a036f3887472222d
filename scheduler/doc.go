// Package scheduler is the scheduler's server: the shell around the pure
// state machine of package scheduler/state. It accepts worker and client
// streams over gRPC, turns their messages into state events, runs the state
// machine on one goroutine, and turns its actions back into messages.
//
// Data never passes through the scheduler: it tells workers where their
// inputs are, and they fetch them from each other.
package scheduler
