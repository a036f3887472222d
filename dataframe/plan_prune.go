package dataframe

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe/engine"
)

// Loc keeps the rows whose index (the column of the known divisions, see
// SetIndex) lies between lo and hi, both included (pandas' .loc[lo:hi]).
// Only the partitions whose divisions overlap [lo, hi] are read: the
// others are not part of the plan at all. lo and hi are of the index's
// kind: integers (int, int32 or int64) for an integer index, float64 for
// floats, strings, and time.Time for dates and timestamps.
func (df *DataFrame) Loc(lo, hi any) *DataFrame {
	if df.err != nil {
		return df
	}
	m := df.n.meta()
	if m.divs == nil {
		return df.fail("Loc", errors.New("the divisions are not known; SetIndex (or SetIndex with Sorted()) first"))
	}
	idx, err := columnIndex(m.schema, m.divs.Column, "Loc")
	if err != nil {
		return df.fail("Loc", err)
	}
	f := m.schema.Field(idx)
	vs, err := boundsFor(f, []any{widen(lo), widen(hi)})
	if err != nil {
		if compareKinds(lo, hi) && compareAnyTyped(lo, hi) > 0 {
			return df.fail("Loc", fmt.Errorf("lo %v is above hi %v", lo, hi))
		}
		return df.fail("Loc", err)
	}
	first, last, ok := overlapping(m.divs.Bounds, []predicate{{col: f.Name, op: ">=", val: vs[0]}, {col: f.Name, op: "<=", val: vs[1]}})
	if !ok {
		first, last = 0, m.nparts-1
	}
	cond := fmt.Sprintf("%s >= %s AND %s <= %s", engine.QuoteIdent(f.Name), locLiteral(f, lo, vs[0]), engine.QuoteIdent(f.Name), locLiteral(f, hi, vs[1]))
	pruned := df.derive(newPruneNode(df.n, first, last, fmt.Sprintf("Loc [%v, %v]", vs[0], vs[1])))
	out := pruned.Filter(cond)
	if out.err != nil {
		return df.fail("Loc", out.err)
	}
	return out
}

// widen turns Go's smaller numbers into int64 and float64.
func widen(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case int8:
		return int64(x)
	case float32:
		return float64(x)
	}
	return v
}

func compareKinds(a, b any) bool { return fmt.Sprintf("%T", a) == fmt.Sprintf("%T", b) }

func compareAnyTyped(a, b any) int {
	if ta, ok := a.(time.Time); ok {
		return ta.Compare(b.(time.Time))
	}
	return compareAny(widen(a), widen(b))
}

// locLiteral is v as a DuckDB constant of the column's type (conv is v as
// the divisions hold it).
func locLiteral(f arrow.Field, v, conv any) string {
	switch t := f.Type.(type) {
	case *arrow.Date32Type:
		return "DATE '" + v.(time.Time).UTC().Format("2006-01-02") + "'"
	case *arrow.TimestampType:
		ts := v.(time.Time).UTC().Format("2006-01-02 15:04:05.999999999")
		switch {
		case t.TimeZone != "":
			return "'" + ts + "+00'::TIMESTAMPTZ"
		case t.Unit == arrow.Nanosecond:
			return "'" + ts + "'::TIMESTAMP_NS"
		}
		return "'" + ts + "'::TIMESTAMP"
	}
	switch x := conv.(type) {
	case string:
		return engine.SQLString(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64) + "::DOUBLE"
	}
	return fmt.Sprint(conv)
}

// overlapping returns the first and last partition whose divisions may
// hold a row that satisfies every predicate on the divisions' column;
// last < first when none may. Partition i is taken to hold values in
// [b[i], b[i+1]] (closed at both ends: data marked Sorted may have a value
// equal to the next partition's first in both). ok is false when no
// predicate is about the divisions' column, or one compares it with a
// value of another kind.
func overlapping(b []any, preds []predicate) (first, last int, ok bool) {
	n := len(b) - 1
	first, last = 0, n-1
	for _, p := range preds {
		if _, isStr := p.val.(string); isStr != isStringValue(b[0]) {
			return 0, 0, false
		}
		ok = true
		for first <= last && !mayHoldIn(p, b[first], b[first+1]) {
			first++
		}
		for last >= first && !mayHoldIn(p, b[last], b[last+1]) {
			last--
		}
	}
	return first, last, ok
}

func isStringValue(v any) bool { _, ok := v.(string); return ok }

// mayHoldIn reports whether a value in [lo, hi] may satisfy p.
func mayHoldIn(p predicate, lo, hi any) bool {
	switch p.op {
	case "=":
		return compareAny(lo, p.val) <= 0 && compareAny(p.val, hi) <= 0
	case "<":
		return compareAny(lo, p.val) < 0
	case "<=":
		return compareAny(lo, p.val) <= 0
	case ">":
		return compareAny(hi, p.val) > 0
	case ">=":
		return compareAny(hi, p.val) >= 0
	}
	return true
}

// pruneNode is the partitions first to last of its child, those whose
// divisions may hold the rows wanted (Loc, or a Filter on the index);
// with none, one empty partition (the filter above it empties the first).
type pruneNode struct {
	child       node
	first, last int
	why         string
	m           *meta
}

// newPruneNode keeps partitions first to last of child (first alone, to
// be emptied by the filter above, when last < first).
func newPruneNode(child node, first, last int, why string) *pruneNode {
	cm := child.meta()
	none := last < first
	if none {
		last = first
		if first >= cm.nparts {
			first, last = cm.nparts-1, cm.nparts-1
		}
	}
	m := cm.clone()
	m.nparts = last - first + 1
	m.hashed = nil
	if m.bytes > 0 {
		m.bytes = m.bytes * int64(m.nparts) / int64(cm.nparts)
	}
	if cm.divs != nil {
		m.divs = &Divisions{Column: cm.divs.Column, Bounds: append([]any(nil), cm.divs.Bounds[first:last+2]...), tied: cm.divs.tied}
	}
	p := &pruneNode{child: child, first: first, last: last, why: why, m: m}
	if none {
		p.why += " (no partition can hold a row)"
	}
	return p
}

func (n *pruneNode) meta() *meta      { return n.m }
func (n *pruneNode) children() []node { return []node{n.child} }
func (n *pruneNode) label() string {
	return fmt.Sprintf("%s: partitions [%d, %d] of %d by divisions on %s partitions=%d", n.why, n.first, n.last, n.child.meta().nparts, n.m.divs.Column, n.m.nparts)
}

func (n *pruneNode) lower(lw *lowering) ([]part, error) {
	in, err := lw.parts(n.child)
	if err != nil {
		return nil, err
	}
	return in[n.first : n.last+1], nil
}

// pruneByIndex returns, for a Filter over data of known divisions whose
// expression compares the divisions' column with constants (joined by
// AND), the Filter's input cut to the partitions that may hold its rows;
// nil when it cuts nothing.
func pruneByIndex(s *sqlNode) node {
	cm := s.child.meta()
	if s.filter == "" || cm.divs == nil {
		return nil
	}
	var preds []predicate
	for _, p := range parsePredicates(s.filter, cm.schema) {
		if p.col == cm.divs.Column {
			preds = append(preds, p)
		}
	}
	first, last, ok := overlapping(cm.divs.Bounds, preds)
	if !ok || (first == 0 && last == cm.nparts-1) {
		return nil
	}
	return newPruneNode(s.child, first, last, "Filter on the index "+cm.divs.Column)
}

// optimized is the node over its child rewritten for need, when that
// keeps the child's partitions.
func (n *pruneNode) optimized(o *optimizer, need map[string]bool) node {
	c := o.node(n.child, union(need, map[string]bool{n.m.divs.Column: true}))
	if c == n.child || c.meta().nparts != n.child.meta().nparts {
		return n
	}
	p := *n
	p.child = c
	p.m = n.m.clone()
	p.m.schema, p.m.cats = c.meta().schema, c.meta().cats
	return &p
}
