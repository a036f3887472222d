package dusk

import (
	"fmt"
	"runtime"
	"strings"

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
// packages (a test file of dusk counts as the user's): collections call
// the root package, so the first frame outside the root is not enough.
func userLine() string {
	var pcs [32]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		inDusk := strings.HasPrefix(f.Function, "github.com/dusk-go/dusk.") || strings.HasPrefix(f.Function, "github.com/dusk-go/dusk/")
		if f.Function != "" && (!inDusk || strings.HasSuffix(f.File, "_test.go")) {
			return fmt.Sprintf("%s:%d", shortFile(f.File), f.Line)
		}
		if !more {
			return ""
		}
	}
}
