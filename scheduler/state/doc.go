// Package state is the scheduler's core: a pure state machine that holds
// every task, worker and client the scheduler knows of and decides what
// runs where.
//
// Rules:
//
//  1. State changes only through Handle. An Event goes in; the Actions to
//     carry out (messages to workers and clients) and the diagnostic
//     events come out of Ready.
//  2. Nothing here starts a goroutine, touches a socket or reads a clock:
//     time arrives inside events, and the same inputs always give the same
//     outputs. The server shell in package scheduler turns messages into
//     events and actions into messages.
//  3. A task moves between states only along the transitions of the table
//     in transitions.go; a missing pair is a bug and panics with the task's
//     story (its last transitions).
//  4. With Config.Validate set, every invariant is checked after every
//     event; tests run that way.
package state
