package kernels

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
)

// SpreadPlan is the last step of a pivot table: rows of (index, category,
// value), at most one per index value and category, become one row per
// index value, in the order of their first rows, with one column per
// category holding that row's value (null where there is none, or 0 with
// Zero: the count of no rows).
type SpreadPlan struct {
	Index, Columns, Value string
	// Cats are the categories, in the result's column order.
	Cats []string
	Zero bool
}

// SpreadSchema is the schema Spread gives over input schema in, or nil
// when Spread cannot do it (then SQL does): an index of a type whose
// values it compares (fixed-width, strings, binary, categorical), a string
// or categorical category column, and with Zero an int64 value.
func SpreadSchema(in *arrow.Schema, p SpreadPlan) *arrow.Schema {
	idx, ok1 := fieldOf(in, p.Index)
	cat, ok2 := fieldOf(in, p.Columns)
	val, ok3 := fieldOf(in, p.Value)
	if !ok1 || !ok2 || !ok3 || sameKey(idx.Type) == nil {
		return nil
	}
	switch {
	case cat.Type.ID() == arrow.STRING, arrow.TypeEqual(cat.Type, CategoryType):
	default:
		return nil
	}
	if p.Zero && val.Type.ID() != arrow.INT64 {
		return nil
	}
	if _, fixed := val.Type.(arrow.FixedWidthDataType); !fixed && val.Type.ID() != arrow.STRING {
		return nil
	}
	fs := []arrow.Field{{Name: p.Index, Type: idx.Type, Nullable: true}}
	for _, c := range p.Cats {
		fs = append(fs, arrow.Field{Name: c, Type: val.Type, Nullable: true})
	}
	return arrow.NewSchema(fs, nil)
}

// Spread spreads rec's rows as p says (see SpreadPlan). Rows of one index
// value need not be next to each other; a second row of one index value
// and category is an error.
func Spread(rec arrow.RecordBatch, p SpreadPlan) (arrow.RecordBatch, error) {
	s := SpreadSchema(rec.Schema(), p)
	if s == nil {
		return nil, fmt.Errorf("dataframe: pivot: cannot spread columns %s, %s and %s of %s in Go", p.Index, p.Columns, p.Value, rec.Schema())
	}
	col := func(name string) arrow.Array {
		i, _ := columnOf(rec.Schema(), name, "pivot")
		return rec.Column(i)
	}
	index, values := col(p.Index), col(p.Value)
	enc, err := encodeCategories(col(p.Columns), p.Cats, p.Columns)
	if err != nil {
		return nil, err
	}
	cats := enc.(*array.Dictionary) // codes are places in p.Cats
	keyBytes := sameKey(index.DataType())
	// rowOf[c][g] is the row of index group g and category c, or -1.
	rowOf := make([][]int64, len(p.Cats))
	var first []int64 // each group's first row
	groups := map[string]int{}
	nullGroup := -1
	var buf []byte
	for r := range int(rec.NumRows()) {
		g, ok := nullGroup, nullGroup >= 0
		if index.IsValid(r) {
			buf = keyBytes(index, r, buf[:0])
			g, ok = groups[string(buf)]
		}
		if !ok {
			g = len(first)
			first = append(first, int64(r))
			for c := range rowOf {
				rowOf[c] = append(rowOf[c], -1)
			}
			if index.IsValid(r) {
				groups[string(buf)] = g
			} else {
				nullGroup = g
			}
		}
		if cats.IsNull(r) {
			continue // a null category: no column
		}
		c := cats.GetValueIndex(r)
		if rowOf[c][g] >= 0 {
			return nil, fmt.Errorf("dataframe: pivot: two rows of one index value have category %q (rows %d and %d)", p.Cats[c], rowOf[c][g], r)
		}
		rowOf[c][g] = int64(r)
	}
	out := make([]arrow.Array, 0, 1+len(p.Cats))
	ix, err := takeRows(index, first)
	if err != nil {
		return nil, err
	}
	out = append(out, ix)
	for c := range p.Cats {
		var a arrow.Array
		if p.Zero {
			a = zeroFilled(values.(*array.Int64), rowOf[c])
		} else if a, err = takeRows(values, rowOf[c]); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return array.NewRecordBatch(s, out, int64(len(first))), nil
}

// takeRows returns the rows of a at rows, null where a row is -1.
func takeRows(a arrow.Array, rows []int64) (arrow.Array, error) {
	valid, nulls := validBits(len(rows), func(i int) bool { return rows[i] >= 0 })
	idx := make([]int64, len(rows))
	for i, r := range rows {
		idx[i] = max(r, 0)
	}
	ix := int64Array(idx, valid, nulls)
	defer ix.Release()
	return compute.TakeArray(context.Background(), a, ix)
}

// zeroFilled returns the values of a at rows, 0 where a row is -1.
func zeroFilled(a *array.Int64, rows []int64) arrow.Array {
	vals := make([]int64, len(rows))
	valid, nulls := validBits(len(rows), func(i int) bool { return rows[i] < 0 || a.IsValid(int(rows[i])) })
	for i, r := range rows {
		if r >= 0 {
			vals[i] = a.Value(int(r))
		}
	}
	return int64Array(vals, valid, nulls)
}

// keyBytes appends the bytes of row i of a, a key of a group-by:
// values equal as keys have equal bytes.
type keyBytes func(a arrow.Array, i int, buf []byte) []byte

// sameKey returns how to encode keys of type t, or nil when it has no
// way: floats equal as numbers (0 and -0 alike), NaN equal to NaN.
func sameKey(t arrow.DataType) keyBytes {
	switch t.ID() {
	case arrow.FLOAT64:
		return func(a arrow.Array, i int, buf []byte) []byte {
			v := a.(*array.Float64).Value(i)
			switch {
			case v == 0:
				v = 0
			case math.IsNaN(v):
				v = math.NaN()
			}
			return binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		}
	case arrow.FLOAT32, arrow.FLOAT16:
		return nil
	case arrow.BOOL:
		return func(a arrow.Array, i int, buf []byte) []byte {
			if a.(*array.Boolean).Value(i) {
				return append(buf, 1)
			}
			return append(buf, 0)
		}
	case arrow.STRING:
		return func(a arrow.Array, i int, buf []byte) []byte { return append(buf, a.(*array.String).Value(i)...) }
	case arrow.BINARY:
		return func(a arrow.Array, i int, buf []byte) []byte { return append(buf, a.(*array.Binary).Value(i)...) }
	case arrow.DICTIONARY:
		if !arrow.TypeEqual(t, CategoryType) {
			return nil
		}
		// One array has one dictionary: its codes compare.
		return func(a arrow.Array, i int, buf []byte) []byte {
			return binary.LittleEndian.AppendUint64(buf, uint64(a.(*array.Dictionary).GetValueIndex(i)))
		}
	}
	fw, ok := t.(arrow.FixedWidthDataType)
	if !ok || fw.BitWidth()%8 != 0 || !arrow.IsPrimitive(t.ID()) && !arrow.IsDecimal(t.ID()) {
		return nil
	}
	w := fw.BitWidth() / 8
	return func(a arrow.Array, i int, buf []byte) []byte {
		d := a.Data()
		o := (d.Offset() + i) * w
		return append(buf, d.Buffers()[1].Bytes()[o:o+w]...)
	}
}
