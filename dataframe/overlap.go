package dataframe

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
)

// MapOverlap runs fn, a registered Go function, on every partition
// extended with the last `before` rows of the partitions before it and the
// first `after` rows of the partitions after it (fewer at the ends of the
// data; a window may reach over several small or empty partitions), and
// takes the borrowed rows off the result: Dask's map_overlap, for
// computations whose rows depend on their neighbours (differences, centred
// windows, smoothing).
//
// fn is as for MapPartitions (a partition, then the Args; Meta gives its
// schema) and must return one row per row it gets, in the same order: the
// first `before` rows and the last rows that stand for the borrowed ones
// are cut off. A result of another length is an error of the computation
// that names fn and the counts. The rows are in the partitions' order: for
// neighbours by an index, sort the DataFrame first (SetIndex). The result
// has no known divisions (fn may change any column).
func (df *DataFrame) MapOverlap(fn *dusk.Func, before, after int, opts ...MapOption) *DataFrame {
	if df.err != nil {
		return df
	}
	if before < 0 || after < 0 {
		return df.fail("MapOverlap", fmt.Errorf("before %d and after %d: want rows to borrow, 0 or more", before, after))
	}
	mp := df.MapPartitions(fn, opts...)
	if mp.err != nil {
		var de *Error
		if errors.As(mp.err, &de) {
			return &DataFrame{c: df.c, n: df.n, err: &Error{Op: "MapOverlap", Caller: de.Caller, Err: de.Err}}
		}
		return df.fail("MapOverlap", mp.err)
	}
	mn := mp.n.(*mapNode)
	return df.derive(&overlapNode{child: df.n, fn: fn, args: mn.args, before: before, after: after, m: mn.m})
}

// overlapNode runs a registered function on every partition extended with
// rows of its neighbours, and trims the result.
type overlapNode struct {
	child         node
	fn            *dusk.Func
	args          []any
	before, after int
	m             *meta
}

func (n *overlapNode) meta() *meta        { return n.m }
func (n *overlapNode) children() []node   { return []node{n.child} }
func (n *overlapNode) plannedInput() node { return n.child }
func (n *overlapNode) withPlannedInput(c node) node {
	m := *n
	m.child = c
	return &m
}
func (n *overlapNode) label() string {
	return fmt.Sprintf("MapOverlap %s before=%d after=%d (rows borrowed from the neighbouring partitions) partitions=%d", n.fn.Name(), n.before, n.after, n.m.nparts)
}

func (n *overlapNode) lower(lw *lowering) ([]part, error) {
	in, err := lw.parts(n.child)
	if err != nil {
		return nil, err
	}
	before, after := rowsBefore(in, n.before), rowsAfter(in, n.after)
	out := make([]part, len(in))
	for i, p := range in {
		ext := dusk.Call[arrow.RecordBatch](fnJoinThree, before[i], p, after[i])
		res := dusk.Call[arrow.RecordBatch](n.fn, append([]any{ext}, n.args...)...)
		out[i] = dusk.Call[arrow.RecordBatch](fnTrimRows, res, before[i], p, after[i], n.fn.Name())
	}
	return out, nil
}
