package advisor

import (
	"fmt"

	"github.com/dusk-go/dusk/diagnostics/report"
)

// clientAdvice lists what clients recorded before their work ran: each
// automatic fix that acted (severity Fixed) and each finding about work
// being sent (a warning). The same rule and message from many graphs (a
// fix made in a loop) is one finding, with how many times.
func (a *Advisor) clientAdvice(d *report.Data) []report.Finding {
	type seen struct {
		i, n int
	}
	var out []report.Finding
	index := map[[2]string]*seen{}
	for _, l := range d.Advice {
		id := [2]string{l.Rule, l.Message}
		if s := index[id]; s != nil {
			s.n++
			continue
		}
		sev := Warning
		if l.Fixed {
			sev = Fixed
		}
		index[id] = &seen{i: len(out), n: 1}
		out = append(out, report.Finding{Rule: l.Rule, Severity: sev, Message: l.Message, Advice: l.Remedy})
	}
	for _, s := range index {
		if s.n > 1 {
			out[s.i].Message += fmt.Sprintf(" (%d times)", s.n)
		}
	}
	return out
}
