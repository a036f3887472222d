package dataframe

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/shuffle"
)

var (
	fnLastRows = dusk.Register("dataframe.last-rows", lastRows)
	fnAsofJoin = dusk.Register("dataframe.asof-join", asofJoin)
)

// MergeAsof joins to each row of df (left) the last row of other (right)
// whose on is at most the left row's, and whose by columns equal the left
// row's (pandas' merge_asof, direction "backward"); a left row with no such
// right row gets nulls. Both sides must be sorted on on with known
// divisions (SetIndex(ctx, on)). The result has the left's rows in order
// and partitions (and divisions), the left's columns, then the right's
// other than on and by; other names both sides have get the suffixes _x
// and _y. Rows with a null on or by match nothing. Among right rows of
// equal on (and by), which one is taken is not defined.
//
// Each left partition is joined with the right partitions its range
// overlaps and, for the right rows before its range, only the last one of
// each by group, carried along the right partitions by a chain of small
// tasks: a match may lie any number of partitions back, with no shuffle.
func (df *DataFrame) MergeAsof(other *DataFrame, on string, by ...string) *DataFrame {
	if df.err != nil {
		return df
	}
	if other.err != nil {
		return other
	}
	lm, rm := df.n.meta(), other.n.meta()
	for _, sd := range []struct {
		side string
		m    *meta
	}{{"left", lm}, {"right", rm}} {
		side, m := sd.side, sd.m
		if m.divs == nil || m.divs.Column != on {
			return df.fail("MergeAsof", fmt.Errorf("the %s side must be sorted on %q with known divisions; call SetIndex(ctx, %q) on it first", side, on, on))
		}
	}
	for _, s := range []*arrow.Schema{lm.schema, rm.schema} {
		if err := checkReserved(s); err != nil {
			return df.fail("MergeAsof", err)
		}
	}
	keys := append([]string{on}, by...)
	isKey := map[string]bool{}
	for _, k := range keys {
		if isKey[k] {
			return df.fail("MergeAsof", fmt.Errorf("column %q is given twice", k))
		}
		isKey[k] = true
		li, err := columnIndex(lm.schema, k, "MergeAsof (left side)")
		if err != nil {
			return df.fail("MergeAsof", err)
		}
		ri, err := columnIndex(rm.schema, k, "MergeAsof (right side)")
		if err != nil {
			return df.fail("MergeAsof", err)
		}
		if lt, rt := lm.schema.Field(li).Type, rm.schema.Field(ri).Type; !asofComparable(lt, rt) {
			return df.fail("MergeAsof", fmt.Errorf("column %q is %s on the left but %s on the right; cast one side with Assign", k, typeName(lt), typeName(rt)))
		}
	}
	query := asofSQL(lm.schema, rm.schema, on, by, isKey)
	lh := lm.clone()
	lh.schema = haloSchema(lm.schema)
	s, cats, err := planJoin(lh, rm, query)
	if err != nil {
		return df.fail("MergeAsof", err)
	}
	m := &meta{schema: s, cats: cats, nparts: lm.nparts, divs: lm.divs, bytes: -1}
	if lm.bytes >= 0 && rm.bytes >= 0 {
		m.bytes = lm.bytes + rm.bytes
	}
	n := &asofNode{left: df.n, right: other.n, on: on, by: by, query: query, m: m}
	n.last = lastRowsSQL(on, by)
	n.spans, err = asofSpans(lm.divs.Bounds, rm.divs.Bounds)
	if err != nil {
		return df.fail("MergeAsof", err)
	}
	return df.derive(n)
}

// asofComparable says whether values of types a and b, and the raw
// divisions of columns of those types, compare as they are: joinable
// types (timestamps of one unit, both naive or both instants).
func asofComparable(a, b arrow.DataType) bool { return joinable(a, b) }

// asofSQL is the query that joins a left partition (with haloPosColumn) to
// the right rows it may match.
func asofSQL(ls, rs *arrow.Schema, on string, by []string, isKey map[string]bool) string {
	inLeft, inRight := map[string]bool{}, map[string]bool{}
	for _, f := range ls.Fields() {
		inLeft[f.Name] = true
	}
	for _, f := range rs.Fields() {
		inRight[f.Name] = true
	}
	var cols []string
	for _, f := range ls.Fields() {
		name := f.Name
		if !isKey[name] && inRight[name] {
			name += "_x"
		}
		cols = append(cols, fmt.Sprintf("l.%s AS %s", engine.QuoteIdent(f.Name), engine.QuoteIdent(name)))
	}
	for _, f := range rs.Fields() {
		if isKey[f.Name] {
			continue
		}
		name := f.Name
		if inLeft[name] {
			name += "_y"
		}
		cols = append(cols, fmt.Sprintf("r.%s AS %s", engine.QuoteIdent(f.Name), engine.QuoteIdent(name)))
	}
	var conds []string
	for _, b := range by {
		conds = append(conds, fmt.Sprintf("l.%s = r.%s", engine.QuoteIdent(b), engine.QuoteIdent(b)))
	}
	conds = append(conds, fmt.Sprintf("l.%s >= r.%s", engine.QuoteIdent(on), engine.QuoteIdent(on)))
	body := fmt.Sprintf("SELECT %s FROM l ASOF LEFT JOIN r ON %s ORDER BY l.%s",
		strings.Join(cols, ", "), strings.Join(conds, " AND "), engine.QuoteIdent(haloPosColumn))
	return engine.WithCTE("l", engine.ScanView(engine.ViewLeft), engine.WithCTE("r", engine.ScanView(engine.ViewRight), body))
}

// lastRowsSQL picks the positions of the last row (greatest on, then
// latest) of each by group, over "part" with haloPosColumn.
func lastRowsSQL(on string, by []string) string {
	part := ""
	if len(by) > 0 {
		q := make([]string, len(by))
		for i, b := range by {
			q[i] = engine.QuoteIdent(b)
		}
		part = "PARTITION BY " + strings.Join(q, ", ") + " "
	}
	pos := engine.QuoteIdent(haloPosColumn)
	return haloQuery(fmt.Sprintf("SELECT %s FROM part WHERE %s IS NOT NULL QUALIFY row_number() OVER (%sORDER BY %s DESC, %s DESC) = 1 ORDER BY %s",
		pos, engine.QuoteIdent(on), part, engine.QuoteIdent(on), pos, pos))
}

// asofSpan is what one left partition joins with: the right rows carried
// from the right partitions before from (the last of each group), and the
// right partitions from to to (to < from when none).
type asofSpan struct{ from, to int }

// asofSpans plans each left partition's right partitions from both sides'
// divisions: right partition j lies wholly before left partition i when
// its rows are all less than i's first division; it may hold rows that i's
// rows match when its first division is at most i's last.
func asofSpans(lb, rb []any) ([]asofSpan, error) {
	nl, nr := len(lb)-1, len(rb)-1
	if nr < 1 || nl < 1 {
		return nil, errors.New("a side has no partitions")
	}
	out := make([]asofSpan, nl)
	for i := range nl {
		a := 0
		for a < nr && (a < nr-1 && compareAny(rb[a+1], lb[i]) <= 0 || a == nr-1 && compareAny(rb[nr], lb[i]) < 0) {
			a++
		}
		b := -1
		for b+1 < nr && compareAny(rb[b+1], lb[i+1]) <= 0 {
			b++
		}
		out[i] = asofSpan{from: a, to: b}
	}
	return out, nil
}

// asofNode joins each left partition with the right rows it may match.
type asofNode struct {
	left, right node
	on          string
	by          []string
	query       string
	last        string
	spans       []asofSpan
	m           *meta
}

func (n *asofNode) meta() *meta      { return n.m }
func (n *asofNode) children() []node { return []node{n.left, n.right} }
func (n *asofNode) label() string {
	by := ""
	if len(n.by) > 0 {
		by = " by=[" + strings.Join(n.by, ", ") + "]"
	}
	return fmt.Sprintf("MergeAsof on=%s%s (each left partition with the right partitions of its range and the last right rows before it; no shuffle) partitions=%d",
		n.on, by, n.m.nparts)
}

func (n *asofNode) lower(lw *lowering) ([]part, error) {
	l, err := lw.parts(n.left)
	if err != nil {
		return nil, err
	}
	r, err := lw.parts(n.right)
	if err != nil {
		return nil, err
	}
	// carried[j] is the last right row of each group in partitions 0 to
	// j-1.
	carried := make([]part, len(r)+1)
	for j := 1; j <= len(r); j++ {
		in := []part{r[j-1]}
		if j > 1 {
			in = []part{carried[j-1], r[j-1]}
		}
		carried[j] = dusk.Call[arrow.RecordBatch](fnLastRows, partList(in), n.last)
	}
	empty := dusk.Call[arrow.RecordBatch](fnTailRows, partList(r[:1]), 0)
	out := make([]part, len(l))
	for i, p := range l {
		sp := n.spans[i]
		var rights []part
		if sp.from > 0 {
			rights = append(rights, carried[sp.from])
		}
		if sp.to >= sp.from {
			rights = append(rights, r[sp.from:sp.to+1]...)
		}
		if len(rights) == 0 {
			rights = []part{empty}
		}
		out[i] = dusk.Call[arrow.RecordBatch](fnAsofJoin, p, partList(rights), n.query, n.m.cats)
	}
	return out, nil
}

// lastRows returns the rows of the records joined whose positions query
// (over the join with haloPosColumn added) picks, in order, with the records'
// schema.
func lastRows(ctx context.Context, recs []arrow.RecordBatch, query string) (arrow.RecordBatch, error) {
	rec, err := concatRecords(recs)
	if err != nil {
		return nil, err
	}
	empty := rec.NewSlice(0, 0)
	ext, err := withHaloColumns(empty, rec, empty)
	if err != nil {
		return nil, err
	}
	e, err := engine.For(ctx)
	if err != nil {
		return nil, err
	}
	picked, err := e.Query(ctx, query, engine.Input{Name: engine.ViewIn, Rec: ext})
	if err != nil {
		return nil, err
	}
	pos, err := int64Values(picked.Column(0))
	if err != nil {
		return nil, err
	}
	cols := make([]arrow.Array, rec.NumCols())
	for i := range cols {
		if cols[i], err = shuffle.Gather(rec.Column(i), pos); err != nil {
			return nil, err
		}
	}
	return array.NewRecordBatch(rec.Schema(), cols, int64(len(pos))), nil
}

// asofJoin joins a left partition to the right rows it may match.
func asofJoin(ctx context.Context, left arrow.RecordBatch, rights []arrow.RecordBatch, query string, cats map[string][]string) (arrow.RecordBatch, error) {
	right, err := concatRecords(rights)
	if err != nil {
		return nil, err
	}
	empty := left.NewSlice(0, 0)
	l, err := withHaloColumns(empty, left, empty)
	if err != nil {
		return nil, err
	}
	return sqlPair(ctx, l, right, query, cats)
}
