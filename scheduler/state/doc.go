// Package state is the scheduler's core: a pure state machine that holds
// every task, worker and client the scheduler knows of and decides what
// runs where.
//
// Rules:
//
//  1. State changes only through Handle. An Event goes in and Handle gives
//     it a Cause (events are numbered 1, 2, 3, ...). What its handling
//     produced accumulates until Ready hands it out: the Actions to carry
//     out (messages to workers and clients), in order, and the diagnostic
//     Events (transitions, task runs, workers coming and going; at most
//     Config.MaxEvents, the newest). Advance acknowledges a Ready, before
//     the next event; the state then reuses its memory. The shell
//     dispatches a Ready's actions first, then adds its events to the
//     event ring.
//  2. Nothing here starts a goroutine, touches a socket or reads a clock:
//     time arrives inside events, and the same inputs always give the same
//     outputs. The server shell in package scheduler turns messages into
//     events and actions into messages.
//  3. A task changes state only through the transition table in
//     transitions.go: transitions[from][to] is the one handler that makes
//     that move, and setState refuses (panics with the task's story) any
//     move but the one the running handler makes. Handlers change
//     bookkeeping and recommend further moves; one pass applies the
//     recommendations in order, dropping those an earlier step made stale.
//     A move the table has no row for is a bug, and panics too.
//  4. Everything an event causes carries its cause: every action, every
//     diagnostic event, and every transition, which also records the
//     stimulus (the event's kind and the worker or client it came from).
//     Story(key) returns a task's recent transitions with their causes:
//     why each happened.
//  5. With Config.Validate set, every invariant is checked after every
//     event; tests run that way. The golden scripts in testdata replay
//     events and print the moves and actions of each (see golden_test.go
//     for their commands; -rewrite regenerates the outputs), and together
//     they make every move of the table.
package state
