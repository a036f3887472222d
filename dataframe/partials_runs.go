package dataframe

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
)

// queryRuns returns the partial aggregates of a reduction made in DuckDB
// over runs of partitions: one query a run, doing the row-wise steps below
// the reduction (Filter, Assign, Select, Categorize) and the partial
// aggregate in one pass, the run's partitions read as one table with no
// copy joining them. The runs are those of a worker's partitions, made on
// it, when the partitions are results held on the cluster and the
// aggregation does not depend on the rows' order (as the Go partials do,
// see colocated), else the optimizer's coalescing of neighbours. ok is false, and the partials are left to one query a
// partition, when there are no runs, when DuckDB reads the partitions from
// Parquet itself (see parquetNode.duckRuns), or when a step below may
// depend on where a partition starts and ends (MapPartitionsSQL, a
// reduction per partition): a query over a run must give the rows the
// queries over its partitions would.
func (n *reduceNode) queryRuns(lw *lowering) (out []part, ok bool, err error) {
	below := n.child
	var pieces []repPiece
	if rp, isRep := below.(*repartitionNode); isRep && rp.coalesced != nil {
		below, pieces = rp.child, rp.pieces
	}
	if !rowWise(below) {
		return nil, false, nil
	}
	sn := &sqlNode{child: below, query: n.r.chunk, op: "partial", m: &meta{schema: n.midSchema, nparts: below.meta().nparts, cats: n.midCats}}
	full, root := sn.compose()
	if pq, isPq := root.(*parquetNode); isPq && pq.duckReadable() {
		return nil, false, nil
	}
	var cols []string
	if pn, isPn := root.(*projectNode); isPn {
		root, cols = pn.child, pn.cols
	}
	in, err := lw.parts(root)
	if err != nil {
		return nil, false, err
	}
	every := n.r.splitEvery
	for _, p := range pieces {
		every = max(every, p.to-p.from)
	}
	var runs []workerRun
	if n.r.anyOrder {
		runs = colocated(in, every)
	}
	if runs == nil {
		if pieces == nil {
			return nil, false, nil
		}
		for _, p := range pieces {
			runs = append(runs, workerRun{parts: in[p.from:p.to]})
		}
	}
	out = make([]part, len(runs))
	for i, r := range runs {
		fn := fnSQLColsMany
		if r.worker != "" {
			fn = fn.With(dusk.Workers(r.worker), dusk.AllowOtherWorkers())
		}
		out[i] = dusk.Call[arrow.RecordBatch](fn, partList(r.parts), cols, full, n.midCats)
	}
	return out, true, nil
}

// rowWise reports whether n is a chain of steps that each map rows to
// rows on their own (Filter, Assign, Select and the like, Categorize, a
// choice of columns) down to the partitions it reads, so that running it
// over several partitions at once gives the rows of running it over each.
func rowWise(n node) bool {
	for {
		switch x := n.(type) {
		case *sqlNode:
			if !x.passThrough && x.uses == nil {
				return false
			}
			n = x.child
		case *categorizeNode:
			n = x.child
		default:
			return true
		}
	}
}
