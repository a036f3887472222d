package dusk

import "time"

// SetLoopWindow sets the time within which repeated small computations
// from one line count as a loop (tests use a long one: a slow machine must
// not decide the outcome).
func SetLoopWindow(c *Client, d time.Duration) {
	c.loops.mu.Lock()
	c.loops.window = d
	c.loops.mu.Unlock()
}
