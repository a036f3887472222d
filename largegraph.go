package dusk

import (
	"fmt"
	"strings"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/internal/units"
)

// Default thresholds of the large-graph finding (config
// advisor.large-graph.tasks and advisor.large-graph.bytes).
const (
	largeGraphTasks = 1_000_000
	largeGraphBytes = 1 << 30
)

// checkGraphSize records a finding when a graph about to be sent has more
// tasks or encoded bytes than the client's thresholds: the guide's "avoid
// very large graphs". The graph is still sent. Counting the tasks of each
// prefix is done only then; keys are the graph's tasks and nbytes what
// their encoding came to (both known while building the message).
func (b *builder) checkGraphSize(keys []graph.Key, nbytes int64) {
	if b.c == nil {
		return
	}
	maxTasks, maxBytes := int64(largeGraphTasks), int64(largeGraphBytes)
	if cfg := b.c.cfg; cfg != nil {
		maxTasks, maxBytes = int64(cfg.Int("advisor.large-graph.tasks")), cfg.Bytes("advisor.large-graph.bytes")
	}
	ntasks := int64(len(keys))
	if ntasks <= maxTasks && nbytes <= maxBytes {
		return
	}
	per := map[string]int64{}
	top, topN := "", int64(0)
	for _, k := range keys {
		p := k.Prefix()
		per[p]++
		if n := per[p]; n > topN || n == topN && p < top {
			top, topN = p, n
		}
	}
	// The share of the graph to keep, when the tasks scale with the
	// partitions (as a collection's do): the stricter of both limits.
	keep, over := 1.0, []string{}
	if ntasks > maxTasks {
		keep = min(keep, float64(maxTasks)/float64(ntasks))
		over = append(over, fmt.Sprintf("advisor.large-graph.tasks (%d)", maxTasks))
	}
	if nbytes > maxBytes {
		keep = min(keep, float64(maxBytes)/float64(nbytes))
		over = append(over, fmt.Sprintf("advisor.large-graph.bytes (%s)", units.FormatBytes(maxBytes)))
	}
	want := max(int64(float64(topN)*keep+1e-6), 1)
	msg := fmt.Sprintf("the graph sent has %d tasks, %s encoded: over %s; %d of its tasks are %s: %d partitions → %d brings it under (every prefix scaling with the partitions)",
		ntasks, units.FormatBytes(nbytes), strings.Join(over, " and "), topN, top, topN, want)
	b.c.RecordAdvice(Advice{Rule: "large-graph", Message: msg,
		Remedy: "use fewer, larger partitions (the guide's 100-300 MB each: Repartition, larger chunks, a larger block size), or submit the work in several graphs; the scheduler spends time and memory on every task"})
}
