//go:build !race

package graph

// raceEnabled is set when the tests run under the race detector, which
// slows the million-task tests down tenfold.
const raceEnabled = false
