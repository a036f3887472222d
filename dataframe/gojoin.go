//go:build duckdb_arrow

package dataframe

import (
	"bytes"
	"fmt"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/shuffle"
)

// Inner joins on keys of int64, int32 or string columns (the same type on
// both sides) run in Go: a hash table over the smaller partition's keys,
// probed by the other's rows, gives the pairs of matching rows, whose
// columns are then gathered. DuckDB would first scan and convert every
// column of both partitions and hand the result back in 2048-row chunks.
// The result is the one of the join's SQL: the keys, the left side's other
// columns, the right side's, under the planned names; rows whose keys hold
// a null match nothing. Its rows come in the order of the larger side.

var fnJoinInner = dusk.Register("dataframe.join-inner", joinInner)

// goJoinPlan is an inner join done in Go.
type goJoinPlan struct {
	On    []string
	Left  []string // the left side's other columns, in order
	Right []string // the right side's other columns, in order
	Names []string // the result's columns: keys, left's, right's
}

// newGoJoinPlan returns the Go plan of an inner join of ls and rs on the
// keys, or nil when Go does not do it (then DuckDB does): another kind of
// join, keys of other types, categorical columns, or a result DuckDB plans
// otherwise than Go would give it (planned).
func newGoJoinPlan(ls, rs *arrow.Schema, on []string, how string, planned *arrow.Schema, cats map[string][]string) *goJoinPlan {
	if how != "inner" || len(cats) > 0 {
		return nil
	}
	p := &goJoinPlan{On: on}
	onSet := map[string]bool{}
	var fields []arrow.Field
	for _, k := range on {
		lf, lok := fieldOf(ls, k)
		rf, rok := fieldOf(rs, k)
		if !lok || !rok || !arrow.TypeEqual(lf.Type, rf.Type) {
			return nil
		}
		switch lf.Type.ID() {
		case arrow.INT64, arrow.INT32, arrow.STRING:
		default:
			return nil
		}
		onSet[k] = true
		fields = append(fields, arrow.Field{Name: k, Type: lf.Type, Nullable: true})
	}
	for _, f := range ls.Fields() {
		if f.Type.ID() == arrow.DICTIONARY {
			return nil
		}
		if !onSet[f.Name] {
			p.Left = append(p.Left, f.Name)
			fields = append(fields, arrow.Field{Type: f.Type, Nullable: true})
		}
	}
	for _, f := range rs.Fields() {
		if f.Type.ID() == arrow.DICTIONARY {
			return nil
		}
		if !onSet[f.Name] {
			p.Right = append(p.Right, f.Name)
			fields = append(fields, arrow.Field{Type: f.Type, Nullable: true})
		}
	}
	if len(fields) != planned.NumFields() {
		return nil
	}
	for i := range fields {
		fields[i].Name = planned.Field(i).Name
		p.Names = append(p.Names, fields[i].Name)
	}
	if !sameTypes(arrow.NewSchema(fields, nil), planned) {
		return nil
	}
	return p
}

// keysValid returns whether each row of rec has no null among the key
// columns, or nil when none has one.
func keysValid(cols []arrow.Array, n int) []bool {
	var ok []bool
	for _, c := range cols {
		if c.NullN() == 0 {
			continue
		}
		if ok == nil {
			ok = make([]bool, n)
			for i := range ok {
				ok[i] = true
			}
		}
		for i := range n {
			if c.IsNull(i) {
				ok[i] = false
			}
		}
	}
	return ok
}

// keyEq returns a function that reports whether row i of a equals row j
// of b (columns of one type, int64, int32 or string).
func keyEq(a, b arrow.Array) (func(i, j int) bool, error) {
	switch x := a.(type) {
	case *array.Int64:
		y, ok := b.(*array.Int64)
		if !ok {
			break
		}
		xv, yv := x.Int64Values(), y.Int64Values()
		return func(i, j int) bool { return xv[i] == yv[j] }, nil
	case *array.Int32:
		y, ok := b.(*array.Int32)
		if !ok {
			break
		}
		xv, yv := x.Int32Values(), y.Int32Values()
		return func(i, j int) bool { return xv[i] == yv[j] }, nil
	case *array.String:
		y, ok := b.(*array.String)
		if !ok {
			break
		}
		xo, xd, yo, yd := x.ValueOffsets(), x.ValueBytes(), y.ValueOffsets(), y.ValueBytes()
		return func(i, j int) bool {
			return bytes.Equal(xd[xo[i]-xo[0]:xo[i+1]-xo[0]], yd[yo[j]-yo[0]:yo[j+1]-yo[0]])
		}, nil
	}
	return nil, fmt.Errorf("dataframe: join keys of types %s and %s", a.DataType(), b.DataType())
}

func namedColumns(rec arrow.RecordBatch, names []string) ([]arrow.Array, error) {
	out := make([]arrow.Array, len(names))
	for i, n := range names {
		ci, err := columnIndex(rec.Schema(), n, "join")
		if err != nil {
			return nil, err
		}
		out[i] = rec.Column(ci)
	}
	return out, nil
}

// joinInner joins two partitions (see above).
func joinInner(left, right arrow.RecordBatch, p goJoinPlan) (arrow.RecordBatch, error) {
	build, probe := right, left
	if left.NumRows() < right.NumRows() {
		build, probe = left, right
	}
	bk, err := namedColumns(build, p.On)
	if err != nil {
		return nil, err
	}
	pk, err := namedColumns(probe, p.On)
	if err != nil {
		return nil, err
	}
	eqs := make([]func(i, j int) bool, len(p.On))
	for i := range p.On {
		if eqs[i], err = keyEq(bk[i], pk[i]); err != nil {
			return nil, err
		}
	}
	bh, err := shuffle.HashRows(build, p.On)
	if err != nil {
		return nil, err
	}
	ph, err := shuffle.HashRows(probe, p.On)
	if err != nil {
		return nil, err
	}
	nb, np := int(build.NumRows()), int(probe.NumRows())
	bok, pok := keysValid(bk, nb), keysValid(pk, np)
	// Chained hash table: head by slot, an entry per build row holding its
	// hash, its first integer key and the next entry of its chain, so that
	// walking a chain reads one place per candidate. The slot comes from
	// the high bits of the hash times the golden ratio: a hash shuffle's
	// output holds rows whose hashes share their low bits.
	size := 16
	for size < 2*nb {
		size <<= 1
	}
	shift := uint(64 - bits.TrailingZeros(uint(size)))
	slot := func(h uint64) uint64 { return (h * 0x9E3779B97F4A7C15) >> shift }
	head := make([]int32, size)
	for i := range head {
		head[i] = -1
	}
	// The first integer key, compared in the entry; the other keys by eqs.
	intKey := -1
	var bInt, pInt func(i int) int64
	for i, c := range bk {
		switch x := c.(type) {
		case *array.Int64:
			y := pk[i].(*array.Int64)
			bv, pv := x.Int64Values(), y.Int64Values()
			bInt, pInt = func(i int) int64 { return bv[i] }, func(i int) int64 { return pv[i] }
		case *array.Int32:
			y := pk[i].(*array.Int32)
			bv, pv := x.Int32Values(), y.Int32Values()
			bInt, pInt = func(i int) int64 { return int64(bv[i]) }, func(i int) int64 { return int64(pv[i]) }
		default:
			continue
		}
		intKey = i
		break
	}
	rest := eqs
	if intKey >= 0 {
		rest = append(append([]func(i, j int) bool(nil), eqs[:intKey]...), eqs[intKey+1:]...)
	} else {
		bInt, pInt = func(int) int64 { return 0 }, func(int) int64 { return 0 }
	}
	type entry struct {
		h    uint64
		k    int64
		next int32
	}
	entries := make([]entry, nb)
	for b := nb - 1; b >= 0; b-- { // chains in row order
		if bok != nil && !bok[b] {
			continue
		}
		s := slot(bh[b])
		entries[b] = entry{h: bh[b], k: bInt(b), next: head[s]}
		head[s] = int32(b)
	}
	var bi, pi []int64
	for j := range np {
		if pok != nil && !pok[j] {
			continue
		}
		h, k := ph[j], pInt(j)
	chain:
		for b := head[slot(h)]; b >= 0; b = entries[b].next {
			e := &entries[b]
			if e.h != h || e.k != k {
				continue
			}
			for _, eq := range rest {
				if !eq(int(b), j) {
					continue chain
				}
			}
			bi = append(bi, int64(b))
			pi = append(pi, int64(j))
		}
	}
	li, ri := pi, bi
	if build == left {
		li, ri = bi, pi
	}
	if li == nil {
		li, ri = []int64{}, []int64{}
	}
	var cols []arrow.Array
	release := func() {
		for _, c := range cols {
			c.Release()
		}
	}
	for _, side := range []struct {
		rec   arrow.RecordBatch
		names []string
		idx   []int64
	}{{left, p.On, li}, {left, p.Left, li}, {right, p.Right, ri}} {
		in, err := namedColumns(side.rec, side.names)
		if err != nil {
			release()
			return nil, err
		}
		for _, c := range in {
			g, err := shuffle.Gather(c, side.idx)
			if err != nil {
				release()
				return nil, err
			}
			cols = append(cols, g)
		}
	}
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: p.Names[i], Type: c.DataType(), Nullable: true}
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(len(li))), nil
}
