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

// SetGraphChunk sets the most tasks Map sends in one message.
func SetGraphChunk(c *Client, n int) { c.graphChunk = n }

// SetFirstGraphPart sets the most tasks in the first message of a graph
// sent in parts (or of a Map).
func SetFirstGraphPart(c *Client, n int) { c.graphFirst = n }

// GatherFetches returns how many fetches of results c made.
func GatherFetches(c *Client) int64 { return c.gathers.Load() }

// GraphMessages returns how many graphs (UpdateGraph messages) c sent.
func GraphMessages(c *Client) int64 { return c.graphMsgs.Load() }
