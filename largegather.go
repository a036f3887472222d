package dusk

import (
	"fmt"
	"runtime"

	"github.com/dusk-go/dusk/internal/units"
)

// largeGatherBytes is the default of advisor.large-gather.bytes.
const largeGatherBytes = 1 << 30

// checkGather records a finding when one gather brings more than the
// client's threshold of bytes to it: the guide's "avoid gathering large
// collections to the client". nbytes is what the scheduler reported of
// the nkeys results (their sizes in the workers' memory), so the check
// costs no round trip. The finding names the user's line that gathered.
func (c *Client) checkGather(nbytes int64, nkeys int) {
	limit := int64(largeGatherBytes)
	if c.cfg != nil {
		limit = c.cfg.Bytes("advisor.large-gather.bytes")
	}
	if nbytes <= limit {
		return
	}
	at := userLine()
	if at == "" {
		at = "an unknown line"
	}
	results := "results"
	if nkeys == 1 {
		results = "result"
	}
	msg := fmt.Sprintf("%s gathers %s to the client (%d %s; advisor.large-gather.bytes is %s): it all travels to this process and is held in its memory",
		at, units.FormatBytes(nbytes), nkeys, results, units.FormatBytes(limit))
	c.RecordAdvice(Advice{Rule: "large-gather", Message: msg,
		Remedy: "reduce on the cluster first (a sum, a count, a group-by: only the small result travels), write the collection to storage from the workers (ToParquet, ToCSV), or Persist it and gather a few partitions at a time"})
}

// userLine returns the file:line of the innermost caller outside dusk's
// packages (see userFrame), looking deeper than a callSite does: a gather
// is often several collection calls down from the user's line.
func userLine() string {
	var pcs [32]uintptr
	return userFrame(pcs[:runtime.Callers(3, pcs[:])])
}
