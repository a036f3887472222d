package advisor

import (
	"fmt"

	"github.com/dusk-go/dusk/diagnostics/report"
)

// communication reports runs where moving data between workers costs a
// large share of the compute time: the guide's "communication is the
// killer".
func (a *Advisor) communication(d *report.Data) []report.Finding {
	var secs float64
	for _, p := range d.Bandwidth.Pairs {
		secs += p.Seconds
	}
	s := d.Summary
	if s.TransferBytes < a.TransferBytes || s.ComputeTime <= 0 || secs <= a.TransferShare*s.ComputeTime {
		return nil
	}
	return []report.Finding{{
		Rule:     "communication",
		Severity: Warning,
		Message: fmt.Sprintf("Workers moved %s between them in %d transfers taking %s, %.0f%% of the %s spent in tasks.",
			bytes(s.TransferBytes), s.Transfers, seconds(secs), 100*secs/s.ComputeTime, seconds(s.ComputeTime)),
		Advice: "Keep data where it is used: scatter a large input once (Scatter with Broadcast) and pass its future " +
			"instead of the value; Persist an intermediate result several computations read; for joins, broadcast " +
			"the small side or SetIndex both sides once so later merges need no shuffle.",
	}}
}
