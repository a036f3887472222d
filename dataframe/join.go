package dataframe

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/shuffle"
)

var fnRangeRows = dusk.Register("dataframe.range-rows", rangeRows)

// Join joins df (left) with other (right) on their index: the column both
// are sorted on (SetIndex), which must have the same name on both sides;
// how is "inner", "left", "right" or "outer", and the result is as
// Merge's on that column (opts as Merge's). Sides with equal divisions are
// joined partition by partition; with other divisions, one side is cut to
// the other's divisions first (for an outer join, both to the union of
// theirs) by picking rows out of the overlapping partitions, still with
// no shuffle. When other has no known divisions but has the column, or
// opts force another Strategy, Join is Merge on it (broadcast or hash
// shuffle; Explain shows which).
func (df *DataFrame) Join(other *DataFrame, how string, opts ...MergeOption) *DataFrame {
	if df.err != nil {
		return df
	}
	if other.err != nil {
		return other
	}
	switch how {
	case "inner", "left", "right", "outer":
	default:
		return df.fail("Join", fmt.Errorf("how is %q; want inner, left, right or outer", how))
	}
	lm, rm := df.n.meta(), other.n.meta()
	if lm.divs == nil {
		return df.fail("Join", fmt.Errorf("Join joins on the index, and the left side has none: call SetIndex first (or Merge to join on columns)"))
	}
	col := lm.divs.Column
	if rm.divs == nil {
		if _, err := columnIndex(rm.schema, col, "Join (right side, which has no index)"); err != nil {
			return df.fail("Join", fmt.Errorf("%w; call SetIndex(ctx, %q) on the right side first", err, col))
		}
		return df.Merge(other, []string{col}, how, opts...)
	}
	if rm.divs.Column != col {
		return df.fail("Join", fmt.Errorf("the left side's index is %q, the right side's %q; join on one column with Merge, or SetIndex both on columns of one name", col, rm.divs.Column))
	}
	li, _ := columnIndex(lm.schema, col, "Join")
	ri, _ := columnIndex(rm.schema, col, "Join")
	if lt, rt := lm.schema.Field(li).Type, rm.schema.Field(ri).Type; !joinable(lt, rt) {
		return df.fail("Join", fmt.Errorf("index %q is %s on the left but %s on the right; cast one side with Assign and SetIndex again", col, typeName(lt), typeName(rt)))
	}
	var o mergeOptions
	for _, f := range opts {
		f(&o)
	}
	if o.force != "" && o.force != StrategyAligned {
		// The caller forced another strategy: Merge as asked.
		return df.Merge(other, []string{col}, how, opts...)
	}
	left, right := df, other
	lb, rb := lm.divs.Bounds, rm.divs.Bounds
	if !equalBounds(lb, rb) {
		switch how {
		case "inner", "left":
			right = other.alignTo(lb, false)
		case "right":
			left = df.alignTo(rb, false)
		case "outer":
			u := unionBounds(lb, rb)
			left, right = df.alignTo(u, true), other.alignTo(u, true)
		}
	}
	return left.Merge(right, []string{col}, how, append(slices.Clone(opts), Strategy(StrategyAligned))...)
}

// unionBounds joins two ascending lists of divisions into one, each value
// once.
func unionBounds(a, b []any) []any {
	out := append(slices.Clone(a), b...)
	slices.SortStableFunc(out, compareAny)
	return slices.CompactFunc(out, func(x, y any) bool { return compareAny(x, y) == 0 })
}

// alignTo cuts a DataFrame sorted with known divisions to other divisions
// on its index column: output partition i holds the input's rows from the
// partitions that overlap [bounds[i], bounds[i+1]) (the last also
// bounds[n]). Rows outside bounds are left out, and so are rows with a
// null index unless nulls is set: then the last output partition keeps
// them (SetIndex places them in the last partition).
func (df *DataFrame) alignTo(bounds []any, nulls bool) *DataFrame {
	if df.err != nil {
		return df
	}
	in := df.n.meta()
	src := in.divs.Bounds
	m := in.clone()
	m.nparts = len(bounds) - 1
	m.hashed = nil
	m.bytes = -1
	m.divs = &Divisions{Column: in.divs.Column, Bounds: slices.Clone(bounds)}
	n := &alignNode{child: df.n, col: in.divs.Column, m: m}
	for i := range m.nparts {
		last := i == m.nparts-1
		var srcs []int
		for j := range len(src) - 1 {
			if compareAny(src[j], bounds[i+1]) <= 0 && compareAny(src[j+1], bounds[i]) >= 0 || last && nulls && j == len(src)-2 {
				srcs = append(srcs, j)
			}
		}
		if len(srcs) == 0 {
			srcs = []int{0}
		}
		cut, err := newRangeCut(in.divs.Column, bounds[i], bounds[i+1], last)
		if err != nil {
			return df.fail("Join", err)
		}
		cut.Nulls = last && nulls
		n.pieces = append(n.pieces, alignPiece{srcs: srcs, cut: cut})
	}
	return df.derive(n)
}

// rangeCut is the range of index values one aligned partition keeps, low
// to high, high excluded unless Last, with null values if Nulls; the
// bounds are integers (integer, date and timestamp columns), floats or
// strings. Its fields are exported for the codec, which sends it to the
// workers.
type rangeCut struct {
	Col    string
	Ints   []int64
	Floats []float64
	Strs   []string
	Last   bool
	Nulls  bool
}

func newRangeCut(col string, lo, hi any, last bool) (rangeCut, error) {
	c := rangeCut{Col: col, Last: last}
	switch x := lo.(type) {
	case int64:
		y, ok := hi.(int64)
		if !ok {
			return c, fmt.Errorf("divisions %v and %v of %q are of two kinds", lo, hi, col)
		}
		c.Ints = []int64{x, y}
	case float64:
		y, ok := hi.(float64)
		if !ok {
			return c, fmt.Errorf("divisions %v and %v of %q are of two kinds", lo, hi, col)
		}
		c.Floats = []float64{x, y}
	case string:
		y, ok := hi.(string)
		if !ok {
			return c, fmt.Errorf("divisions %v and %v of %q are of two kinds", lo, hi, col)
		}
		c.Strs = []string{x, y}
	default:
		return c, fmt.Errorf("division %v of %q is a %T", lo, col, lo)
	}
	return c, nil
}

func (c rangeCut) bounds() (lo, hi any) {
	switch {
	case c.Ints != nil:
		return c.Ints[0], c.Ints[1]
	case c.Floats != nil:
		return c.Floats[0], c.Floats[1]
	}
	return c.Strs[0], c.Strs[1]
}

// rangeRows returns the rows of the records joined whose value of the
// cut's column lies in its range, in order.
func rangeRows(recs []arrow.RecordBatch, cut rangeCut) (arrow.RecordBatch, error) {
	rec, err := concatRecords(recs)
	if err != nil {
		return nil, err
	}
	ci, err := columnIndex(rec.Schema(), cut.Col, "Join")
	if err != nil {
		return nil, err
	}
	vals, err := scalars(rec.Column(ci))
	if err != nil {
		return nil, err
	}
	lo, hi := cut.bounds()
	var keep []int64
	for r, v := range vals {
		if v == nil {
			if cut.Nulls {
				keep = append(keep, int64(r))
			}
			continue
		}
		if compareAny(v, lo) < 0 {
			continue
		}
		if c := compareAny(v, hi); c < 0 || (c == 0 && cut.Last) {
			keep = append(keep, int64(r))
		}
	}
	if len(keep) == len(vals) {
		return rec, nil
	}
	cols := make([]arrow.Array, rec.NumCols())
	for i := range cols {
		if cols[i], err = shuffle.Gather(rec.Column(i), keep); err != nil {
			return nil, err
		}
	}
	return array.NewRecordBatch(rec.Schema(), cols, int64(len(keep))), nil
}

// alignPiece is one aligned partition: the rows of the input partitions
// srcs in the cut's range.
type alignPiece struct {
	srcs []int
	cut  rangeCut
}

// alignNode cuts a sorted DataFrame to other divisions, with no shuffle.
type alignNode struct {
	child  node
	col    string
	pieces []alignPiece
	m      *meta
}

func (n *alignNode) meta() *meta      { return n.m }
func (n *alignNode) children() []node { return []node{n.child} }
func (n *alignNode) label() string {
	return fmt.Sprintf("Align on %s: %d -> %d partitions, divisions %s (rows picked from the overlapping partitions; no shuffle)",
		n.col, n.child.meta().nparts, n.m.nparts, boundsString(n.m.divs.Bounds))
}

func (n *alignNode) lower(lw *lowering) ([]part, error) {
	in, err := lw.parts(n.child)
	if err != nil {
		return nil, err
	}
	out := make([]part, len(n.pieces))
	for i, p := range n.pieces {
		src := make([]part, len(p.srcs))
		for k, j := range p.srcs {
			src[k] = in[j]
		}
		out[i] = dusk.Call[arrow.RecordBatch](fnRangeRows, partList(src), p.cut)
	}
	return out, nil
}
