package dataframe

import (
	"fmt"
	"strings"

	"github.com/dusk-go/dusk"
)

// DefaultCoalesceTarget is the size the optimizer joins tiny partitions up
// to before a shuffle or a group-by (the configuration's
// optimization.coalesce.target): the guide's 100–300 MB per partition.
const DefaultCoalesceTarget = 128 << 20

// coalesceMinPartitions is the fewest partitions the optimizer coalesces:
// below it a shuffle or a reduction has few enough tasks that their
// overhead does not matter.
const coalesceMinPartitions = 32

// coalescing is how the optimizer coalesces: up to target bytes a
// partition, or not at all when target is 0.
type coalescing struct{ target int64 }

// coalescingOf reads the client's configuration
// (optimization.coalesce.active and .target); without a configuration it
// coalesces to DefaultCoalesceTarget.
func coalescingOf(c *dusk.Client) coalescing {
	if c == nil || c.Config() == nil {
		return coalescing{target: DefaultCoalesceTarget}
	}
	cfg := c.Config()
	if !cfg.Bool("optimization.coalesce.active") {
		return coalescing{}
	}
	return coalescing{target: cfg.Bytes("optimization.coalesce.target")}
}

// coalesceNote is what one coalescing did, for Explain and the advice.
type coalesceNote struct {
	from, to int
	bytes    int64 // the input's estimated size
	before   string
	target   int64
}

func (c *coalesceNote) String() string {
	return fmt.Sprintf("%d partitions of %s coalesced into %d before %s (target %s)",
		c.from, sizeString(c.bytes/int64(max(c.from, 1))), c.to, c.before, sizeString(c.target))
}

// coalesced returns n with runs of its neighbouring partitions joined into
// partitions of up to the target size, for a step (before) whose cost grows
// with the number of its input partitions: the shuffles (SetIndex and
// SortValues, GroupBy with SplitOut, a shuffled Merge) and the tree
// reduction of a group-by. Joining neighbours keeps rows in order and
// divisions valid (each run keeps its outer bounds). It leaves n as it is
// when coalescing is off, n's size is unknown, n has fewer than
// coalesceMinPartitions partitions, or joining would not halve their
// number (the partitions are already of a sensible size).
func (o *optimizer) coalesced(n node, before string) node {
	if o.co.target <= 0 {
		return n
	}
	if c, ok := o.coalesce[n]; ok {
		return c
	}
	o.coalesce[n] = n
	sizes := partSizes(n)
	if len(sizes) < coalesceMinPartitions {
		return n
	}
	pieces := planJoins(sizes, o.co.target)
	if len(pieces) > len(sizes)/2 {
		return n
	}
	var total int64
	for _, s := range sizes {
		total += s
	}
	note := &coalesceNote{from: len(sizes), to: len(pieces), bytes: total, before: before, target: o.co.target}
	o.notes = append(o.notes, note)
	c := &repartitionNode{child: n, pieces: pieces, m: repartitionMeta(n.meta(), pieces), coalesced: note}
	o.coalesce[n] = c
	return c
}

// partSizes returns the plan's estimate of each partition's size in
// memory: measured for a persisted DataFrame, from the row groups' sizes
// for Parquet, the total split evenly otherwise; nil when unknown.
func partSizes(n node) []int64 {
	m := n.meta()
	switch x := n.(type) {
	case *persistedNode:
		if len(x.bytes) == m.nparts {
			return x.bytes
		}
	case *parquetNode:
		parts := x.parts()
		if t := totalBytes(x.groups); len(parts) == m.nparts && m.bytes >= 0 && t > 0 {
			out := make([]int64, m.nparts)
			for i, gs := range parts {
				out[i] = totalBytes(gs) * m.bytes / t
			}
			return out
		}
	}
	if m.bytes < 0 || m.nparts == 0 {
		return nil
	}
	out := make([]int64, m.nparts)
	for i := range out {
		out[i] = m.bytes / int64(m.nparts)
	}
	return out
}

// readsParquetInDuckDB reports whether n is a chain of queries over
// Parquet that DuckDB reads itself: a reduction's partials then read runs
// of row groups in one query each already (see parquetNode.duckRuns).
func readsParquetInDuckDB(n node) bool {
	if s, ok := n.(*sqlNode); ok {
		_, n = s.compose()
	}
	pq, ok := n.(*parquetNode)
	return ok && pq.duckReadable()
}

// recordCoalesced tells the client's log, the scheduler's events and so
// the advisor what the optimizer coalesced for one computation.
func recordCoalesced(c *dusk.Client, notes []*coalesceNote) {
	if c == nil || len(notes) == 0 {
		return
	}
	msgs := make([]string, len(notes))
	for i, n := range notes {
		msgs[i] = n.String()
	}
	c.RecordAdvice(dusk.Advice{
		Rule:    "coalesce-partitions",
		Fixed:   true,
		Message: strings.Join(msgs, "; "),
		Remedy: fmt.Sprintf("repartition yourself (df.Repartition(ctx, dataframe.PartitionSize(%q))) or set optimization.coalesce.active: false",
			strings.ReplaceAll(sizeString(notes[0].target), " ", "")),
	})
}
