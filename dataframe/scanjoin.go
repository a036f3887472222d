package dataframe

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/io"
	"github.com/dusk-go/dusk/dataframe/kernels"
)

// A broadcast inner join whose large side DuckDB reads from Parquet (a
// Filter, Select or Assign chain over ReadParquet, as the planner leaves
// it, or some of its columns) is joined in the scan's own task: each task runs its scan query and
// joins the result's batches with the broadcast side as DuckDB hands them
// over, in Go, so that only the joined rows leave the task. The scan's
// rows are never copied into one record nor stored as a partition, and
// the join's own tasks are gone. Explain shows "joined in each Parquet
// scan task" on the Merge. The rows and their order are those of the scan
// followed by the join.
//
// Joining inside DuckDB instead (the broadcast keys as a temporary table,
// the scan semi-joined with it, so that a tenth of the rows come out) was
// measured and dropped: the semi-join costs DuckDB about as much as
// handing over the rows it removes (bench/README.md, "DataFrame").

var fnParquetJoin = dusk.Register("dataframe.parquet-join", parquetJoin)

// scanJoinable reports whether the broadcast join j can be joined in the
// scan tasks of its large side: an inner join done in Go (goJoin; no
// categorical columns), whose large side is a query chain that DuckDB
// runs over Parquet row groups.
func scanJoinable(j *joinNode) bool {
	if j.strategy != StrategyBroadcast || j.goJoin == nil || j.how != "inner" {
		return false
	}
	big := j.left
	if j.small == "left" {
		big = j.right
	}
	_, _, _, ok := scanOf(big)
	return ok
}

// scanOf returns the query chain s over Parquet row groups pq that n is,
// or that n picks the columns cols of (nil: all).
func scanOf(n node) (s *sqlNode, pq *parquetNode, cols []string, ok bool) {
	if p, isPick := n.(*projectNode); isPick {
		n, cols = p.child, p.cols
	}
	s, ok = n.(*sqlNode)
	if !ok || len(s.m.cats) > 0 {
		return nil, nil, nil, false
	}
	_, root := s.compose()
	pq, ok = root.(*parquetNode)
	if !ok || !pq.duckReadable() {
		return nil, nil, nil, false
	}
	return s, pq, cols, true
}

// lowerScanJoined lowers a join that scanJoinable allowed: one task per
// partition of the large side, which scans and joins.
func (j *joinNode) lowerScanJoined(lw *lowering) ([]part, error) {
	big, small := j.left, j.right
	if j.small == "left" {
		big, small = j.right, j.left
	}
	sp, err := lw.parts(small)
	if err != nil {
		return nil, err
	}
	whole := dusk.Call[arrow.RecordBatch](fnConcat, partList(sp))
	s, pq, cols, _ := scanOf(big)
	pick := ""
	if cols != nil {
		quoted := make([]string, len(cols))
		for i, c := range cols {
			quoted[i] = engine.QuoteIdent(c)
		}
		pick = "SELECT " + strings.Join(quoted, ", ") + " FROM part"
	}
	parts := pq.parts()
	// The first partitions, one per thread of the cluster but the one
	// that reads the broadcast side, are scanned by tasks that do not wait
	// for it and joined by tasks of their own, so that every thread works
	// while the broadcast side is read and sent (all other scans wait for
	// it).
	head, err := lw.threads()
	if err != nil {
		return nil, err
	}
	head = min(head-1, len(parts)/2)
	out := make([]part, len(parts))
	for i, gs := range parts {
		q, _ := s.composeOver(pq.duckScan(gs))
		if pick != "" {
			q = engine.WithCTE("part", q, pick)
		}
		if i < head {
			scan := dusk.Call[arrow.RecordBatch](fnParquetSQL, q, pq.dirs(), pq.checks(gs), map[string][]string(nil))
			if j.small == "left" {
				out[i] = dusk.Call[arrow.RecordBatch](fnJoinInner, whole, scan, *j.goJoin)
			} else {
				out[i] = dusk.Call[arrow.RecordBatch](fnJoinInner, scan, whole, *j.goJoin)
			}
			continue
		}
		out[i] = dusk.Call[arrow.RecordBatch](fnParquetJoin, q, pq.dirs(), pq.checks(gs), whole, *j.goJoin, j.small == "left")
	}
	return out, nil
}

// parquetJoin runs a query that reads Parquet row groups (see parquetSQL)
// and joins its result with small, the join's left side when smallLeft,
// else its right side, as kernels.JoinInner would: batch by batch as
// DuckDB hands them over when small is the side JoinInner builds on (the
// smaller one; the right one of two of equal size), else (a scan of fewer
// rows than small) the scan's rows first copied into one record.
func parquetJoin(ctx context.Context, query string, dirs []string, checks []io.ParquetPiece, small arrow.RecordBatch, p kernels.JoinPlan, smallLeft bool) (arrow.RecordBatch, error) {
	for _, c := range checks {
		if err := io.VerifyRowGroups(c.Path, []int{c.RowGroup}, c.Columns); err != nil {
			return nil, err
		}
	}
	e, err := engine.For(ctx)
	if err != nil {
		return nil, err
	}
	batches, schema, err := e.QueryFilesBatches(ctx, dirs, query)
	if err != nil {
		return nil, fmt.Errorf("read_parquet: %w", err)
	}
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	var n int64
	for _, b := range batches {
		n += b.NumRows()
	}
	if n > 0 && (n > small.NumRows() || n == small.NumRows() && !smallLeft) {
		build, err := kernels.NewJoinBuild(small, smallLeft, p)
		if err != nil {
			return nil, err
		}
		outs := make([]arrow.RecordBatch, 0, len(batches))
		defer func() {
			for _, o := range outs {
				o.Release()
			}
		}()
		for _, b := range batches {
			if b.NumRows() == 0 {
				continue
			}
			o, err := build.Probe(b)
			if err != nil {
				return nil, err
			}
			outs = append(outs, o)
		}
		return concatRecords(outs)
	}
	rec, err := kernels.Concat(kernels.NullableSchema(schema), batches, true)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	if smallLeft {
		return kernels.JoinInner(small, rec, p)
	}
	return kernels.JoinInner(rec, small, p)
}
