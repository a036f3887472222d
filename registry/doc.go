// Package registry holds the functions and worker plugin types a process
// has registered by name. Go cannot send closures to other processes, so a
// task names its function and every worker looks the name up here.
//
// Rules:
//
//  1. Register every function at package level (in a var block or an
//     init function), before the program connects to a cluster; workers
//     run the same binary and so register the same functions.
//  2. A name is registered once; registering it again panics (two
//     functions under one name would silently compute different things).
//  3. A function takes an optional context.Context first, then any number
//     of arguments (the last may be variadic), and returns a value, or a
//     value and an error, or only an error.
//  4. The registry's fingerprint (names and signatures) is compared between
//     client and workers when they connect.
package registry
