// Package state is a worker's task bookkeeping: which tasks it was told to
// run, which of their inputs it holds or must fetch from peers, which are
// ready, running or done. Like the scheduler's core it is a pure state
// machine; the worker's shell (package worker) runs tasks, moves bytes and
// talks to the scheduler.
//
// Rules:
//
//  1. State changes only through Handle. An Event goes in; the
//     Instructions it produces (run, cancel, fetch, drop, and messages for
//     the scheduler) accumulate until Ready hands them out, once. The shell
//     carries them out in order, then calls Advance. Outputs states the
//     ordering rules the shell relies on.
//  2. Nothing here starts a goroutine, touches a socket or reads a clock:
//     times arrive inside events, and the same events always give the same
//     instructions.
//  3. A key moves between states only along a row of the table in
//     transitions.go, from-state × to-state → handler, and only function
//     transition sets a Task's State. A move the table lacks is a bug: it
//     panics with the key's story. A key not held here is Released:
//     records are created leaving that state and removed entering it.
//  4. Every event carries a Cause, a number: the shell's, or else Handle
//     numbers the event itself. Every instruction and transition that
//     handling the event produced carries the same one. Story(k) returns
//     the transitions of key k that the log still holds (the last 4096 of
//     all keys), each with its cause, the kind of event, and the peer or
//     thread involved: why the key is where it is.
//  5. With Config.Validate set, the moved task is checked after every
//     transition, and every invariant after every event; tests run that
//     way.
//
// The scripts in testdata are golden tests: events in, the transitions and
// instructions they produce out, one file per subject (TestGolden; run
// with -rewrite to accept new output). Together they cover every row of
// the table, which TestGolden checks.
package state
