// Package shrink gives maps that emptied back the memory they grew to.
//
// A Go map never shrinks: after a graph of a million tasks has come and
// gone, the map that held them keeps its million slots for the life of
// the process. The maps of the scheduler, the workers and the client that
// grow with a graph call Map after each delete, which rebuilds a map once
// it holds a quarter of the most it held, so that the cost of the copy is
// paid for by the deletes that came before it.
package shrink

// minPeak is the size below which a map is never rebuilt: small maps cost
// little, and rebuilding them often would cost more.
const minPeak = 1024

// Map returns m, or a copy of m when m holds at most a quarter of *peak,
// the most it held since it was made. Call it after deleting from m, with
// a peak kept beside the map.
func Map[K comparable, V any](m map[K]V, peak *int) map[K]V {
	n := len(m)
	if n > *peak {
		*peak = n
		return m
	}
	if *peak < minPeak || n > *peak/4 {
		return m
	}
	c := make(map[K]V, n)
	for k, v := range m {
		c[k] = v
	}
	*peak = n
	return c
}
