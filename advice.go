package dusk

import (
	"log/slog"

	"github.com/dusk-go/dusk/wire/pb"
)

// Advice is what the client did or found, by one of the guide's rules,
// before the work ran: an automatic fix that acted (Fixed: auto-scatter,
// coalescing tiny partitions, persisting a shared branch) or a finding
// about work being sent (a graph too large, a large gather). Message says
// what, with its numbers; Remedy what to do (for a fix: how to turn it
// off or do it by hand).
type Advice struct {
	Rule    string
	Message string
	Remedy  string
	Fixed   bool
}

// RecordAdvice logs a once (the same rule and message are logged once per
// client: a fix made for every graph of a loop says so the first time)
// and sends it to the scheduler, which keeps it with its events: the
// dashboard and the performance report list it beside the advisor's own
// findings. Packages that build on the client (dataframe, array) record
// their fixes with it.
func (c *Client) RecordAdvice(a Advice) {
	c.mu.Lock()
	if c.advised == nil {
		c.advised = map[string]bool{}
	}
	first := !c.advised[a.Rule+"\x00"+a.Message]
	c.advised[a.Rule+"\x00"+a.Message] = true
	c.mu.Unlock()
	if first {
		attrs := []any{slog.String("rule", a.Rule)}
		if a.Remedy != "" {
			attrs = append(attrs, slog.String("remedy", a.Remedy))
		}
		if a.Fixed {
			c.log.Info("fixed: "+a.Message, attrs...)
		} else {
			c.log.Warn(a.Message, attrs...)
		}
	}
	// Sent even when not logged: the report of a stretch of code counts
	// what acted in it. A closed client has nothing to tell.
	_ = c.send(&pb.ClientMsg{Msg: &pb.ClientMsg_Advice{Advice: &pb.Advice{Rule: a.Rule, Message: a.Message, Remedy: a.Remedy, Fixed: a.Fixed}}})
}
