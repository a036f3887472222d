// Package cluster starts dusk clusters: a local one on this machine, with
// the scheduler in-process and workers as goroutines (the default) or as
// processes of the same binary supervised by nannies.
package cluster
