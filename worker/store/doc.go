// Package store is a worker's memory: the values it holds, their sizes,
// spilling them to its directory and reading them back, and the monitor
// that keeps the process within its memory limit (target, spill, pause).
package store
