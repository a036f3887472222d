// Package graph holds task graph values: keys, tasks and their arguments, and
// the optimizations applied to a graph before it is sent to the scheduler:
// culling of tasks nobody needs, fusion of linear chains, and ordering
// (priorities) that keeps memory low. It also writes graphs as DOT.
//
// A graph is a map from key to task. A task names a registered function and
// holds its arguments; an argument is an encoded literal, a reference to the
// result of another task, a list of arguments, or a nested call (the form a
// fused chain takes).
package graph
