package dataframe

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe/shuffle"
)

// The planner's rules that spare shuffles: data already placed on a key
// (sorted with known divisions, or hash-placed by an earlier shuffle) is
// not shuffled again for a join or a group-by on that key.

// placeNode moves its child's rows to the partitions that an other
// DataFrame's placement on the key gives them (a range shuffle to its
// divisions, or a hash shuffle into as many partitions), so that the two
// pair partition by partition; only this side moves.
type placeNode struct {
	child  node
	kind   string // shuffle.Range or shuffle.Hash
	cols   []string
	bounds []any
	side   string
	m      *meta
}

func (n *placeNode) meta() *meta      { return n.m }
func (n *placeNode) children() []node { return []node{n.child} }
func (n *placeNode) label() string {
	if n.kind == shuffle.Range {
		return fmt.Sprintf("Merge's %s side: range shuffle %d -> %d partitions to the other side's divisions on %s %s (the other side does not move)",
			n.side, n.child.meta().nparts, n.m.nparts, n.cols[0], boundsString(n.bounds))
	}
	return fmt.Sprintf("Merge's %s side: hash shuffle %d -> %d partitions on [%s], as the other side is placed (the other side does not move)",
		n.side, n.child.meta().nparts, n.m.nparts, strings.Join(n.cols, ", "))
}

func (n *placeNode) lower(lw *lowering) ([]part, error) {
	in, err := lw.parts(n.child)
	if err != nil {
		return nil, err
	}
	return lw.shuffleParts(in, n.child.meta().schema, n.kind, n.cols, n.m.nparts, n.bounds)
}

// placeLike returns child placed as other is on the keys on, or nil when
// other is not placed on them (or the key types differ, which could place
// equal keys apart).
func placeLike(child, other *meta, childNode node, on []string, side string) node {
	for _, k := range on {
		ci, oi := child.schema.FieldIndices(k), other.schema.FieldIndices(k)
		if len(ci) != 1 || len(oi) != 1 || !arrow.TypeEqual(child.schema.Field(ci[0]).Type, other.schema.Field(oi[0]).Type) {
			return nil
		}
		if _, dict := child.schema.Field(ci[0]).Type.(*arrow.DictionaryType); dict {
			return nil
		}
	}
	m := child.clone()
	m.nparts = other.nparts
	m.bytes = child.bytes
	switch {
	case len(on) == 1 && other.divs != nil && !other.divs.tied && other.divs.Column == on[0]:
		// Placed by the other's inner bounds, but its values may lie
		// beyond the other's first and last: no divisions of its own.
		m.divs, m.hashed = nil, nil
		return &placeNode{child: childNode, kind: shuffle.Range, cols: on, bounds: other.divs.Bounds, side: side, m: m}
	case len(other.hashed) > 0 && sameStrings2(other.hashed, on):
		m.divs, m.hashed = nil, other.hashed
		return &placeNode{child: childNode, kind: shuffle.Hash, cols: on, side: side, m: m}
	}
	return nil
}

// alignOneSide turns a join that would hash-shuffle both sides into a
// partition-aligned one when one side is already placed on the keys (see
// placeLike): only the other side moves. It reports whether it did.
func alignOneSide(j *joinNode) bool {
	lm, rm := j.left.meta(), j.right.meta()
	if p := placeLike(rm, lm, j.right, j.on, "right"); p != nil {
		j.right = p
	} else if p := placeLike(lm, rm, j.left, j.on, "left"); p != nil {
		j.left = p
	} else {
		return false
	}
	j.strategy = StrategyAligned
	return true
}

// partitionedOn reports whether every group of the keys is whole in one
// partition of data with meta m: the data is sorted on one of the keys
// with known divisions, or hash-placed on some of them.
func partitionedOn(m *meta, keys []string) (string, bool) {
	if m.nparts <= 1 {
		return "", false
	}
	in := map[string]bool{}
	for _, k := range keys {
		in[k] = true
	}
	if m.divs != nil && !m.divs.tied && in[m.divs.Column] {
		return fmt.Sprintf("sorted on %s with known divisions", m.divs.Column), true
	}
	if len(m.hashed) == 0 {
		return "", false
	}
	for _, c := range m.hashed {
		if !in[c] {
			return "", false
		}
	}
	return fmt.Sprintf("hash-placed on [%s]", strings.Join(m.hashed, ", ")), true
}

// localReduce aggregates each partition on its own, when every group is
// whole in one partition (see partitionedOn): the partial and the final
// step run in one query per partition, with no tree and no shuffle. The
// result keeps the input's partitions and its placement; each partition
// is sorted by the keys.
func (df *DataFrame) localReduce(r *reduction, why string) *DataFrame {
	in := df.n.meta()
	cs, ccats, err := planSQL(in, r.chunk)
	if err != nil {
		return df.fail(r.op, err)
	}
	// The input is read through a step that says it must keep its
	// placement: a step that passes partitions on as they are, which no
	// rewrite (nor adaptive execution, which changes only steps whose
	// partition count is free) sees through.
	placed := &relabel{child: df.n, m: in, what: fmt.Sprintf("(read as placed: every group of [%s] is in one partition)", strings.Join(r.keys, ", "))}
	mid := &meta{schema: cs, nparts: in.nparts, bytes: -1, cats: ccats}
	chunk := &sqlNode{child: placed, query: r.chunk, op: r.op + ": per partition, no shuffle (the data is " + why + ")", m: mid}
	fs, fcats, err := planSQL(mid, r.final)
	if err != nil {
		return df.fail(r.op, err)
	}
	m := &meta{schema: fs, nparts: in.nparts, bytes: -1, cats: fcats}
	// Sorted on the first key, the partitions stay in key order.
	keyKept := func(c string) bool {
		return len(fs.FieldIndices(c)) > 0 && (in.divs == nil || c != in.divs.Column || c == r.keys[0])
	}
	m = keepOrder(in, keyKept)(m)
	final := &sqlNode{child: chunk, query: r.final, op: r.op + ": final per partition", m: m}
	return df.derive(final)
}

// place rewrites a placeNode's input to the columns needed above and the
// keys.
func (o *optimizer) place(x *placeNode, need map[string]bool) node {
	cn := union(need, map[string]bool{})
	for _, c := range x.cols {
		cn[c] = true
	}
	c := o.node(x.child, cn)
	if c == x.child {
		return x
	}
	p := *x
	p.child = c
	p.m = x.m.clone()
	p.m.schema, p.m.cats = c.meta().schema, c.meta().cats
	return &p
}

// alignedMoves says what an aligned join moves: nothing, or one side
// placed as the other is.
func alignedMoves(j *joinNode) string {
	if p, ok := j.left.(*placeNode); ok {
		return "only the " + p.side + " side moved"
	}
	if p, ok := j.right.(*placeNode); ok {
		return "only the " + p.side + " side moved"
	}
	return "no data moved"
}
