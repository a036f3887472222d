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
	index, cats, values := col(p.Index), col(p.Columns), col(p.Value)
	catOf, err := categoryNumbers(cats, p.Cats)
	if err != nil {
		return nil, err
	}
	key := sameKey(index.DataType())
	n := int(rec.NumRows())
	// rowOf[c][g] is the row of index group g and category c, or -1.
	rowOf := make([][]int64, len(p.Cats))
	var first []int64 // each group's first row
	groups := map[string]int{}
	g, nullGroup := -1, -1
	var buf []byte
	for r := range n {
		if r == 0 || !key.equal(index, r, r-1) {
			// A new run: a group already seen, or a new one.
			var k string
			if index.IsNull(r) {
				g = nullGroup
			} else {
				buf = key.bytes(index, r, buf[:0])
				k = string(buf)
				var ok bool
				if g, ok = groups[k]; !ok {
					g = -1
				}
			}
			if g < 0 {
				g = len(first)
				first = append(first, int64(r))
				for c := range rowOf {
					rowOf[c] = append(rowOf[c], -1)
				}
				if index.IsNull(r) {
					nullGroup = g
				} else {
					groups[k] = g
				}
			}
		}
		c := catOf(r)
		if c < 0 {
			continue // a null category: no column
		}
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

// categoryNumbers returns, for the rows of a string or categorical column,
// the number of each row's value among cats (-1 for null); a value not
// among them is an error.
func categoryNumbers(col arrow.Array, cats []string) (func(r int) int, error) {
	num := make(map[string]int, len(cats))
	for i, c := range cats {
		num[c] = i
	}
	lookup := func(v string) (int, error) {
		c, ok := num[v]
		if !ok {
			return -1, fmt.Errorf("dataframe: pivot: category %q is not among the %d the plan was made with; call Categorize again", v, len(cats))
		}
		return c, nil
	}
	switch a := col.(type) {
	case *array.Dictionary:
		d, ok := a.Dictionary().(*array.String)
		if !ok {
			return nil, fmt.Errorf("dataframe: pivot: category column of %s", a.DataType())
		}
		codes := make([]int, d.Len())
		for i := range codes {
			var err error
			if codes[i], err = lookup(d.Value(i)); err != nil {
				return nil, err
			}
		}
		return func(r int) int {
			if a.IsNull(r) {
				return -1
			}
			return codes[a.GetValueIndex(r)]
		}, nil
	case *array.String:
		got := make([]int, a.Len())
		for r := range got {
			got[r] = -1
			if a.IsValid(r) {
				var err error
				if got[r], err = lookup(a.Value(r)); err != nil {
					return nil, err
				}
			}
		}
		return func(r int) int { return got[r] }, nil
	}
	return nil, fmt.Errorf("dataframe: pivot: category column of %s", col.DataType())
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

// keyCompare compares and encodes the values of one column type as a
// group-by key: values equal as keys have equal bytes.
type keyCompare struct {
	equal func(a arrow.Array, i, j int) bool
	bytes func(a arrow.Array, i int, buf []byte) []byte
}

// sameKey returns how to compare keys of type t, or nil when it has no
// way: nulls equal each other; floats equal as numbers (0 and -0 alike),
// NaN equal to NaN.
func sameKey(t arrow.DataType) *keyCompare {
	nullsFirst := func(eq func(a arrow.Array, i, j int) bool) func(a arrow.Array, i, j int) bool {
		return func(a arrow.Array, i, j int) bool {
			ni, nj := a.IsNull(i), a.IsNull(j)
			if ni || nj {
				return ni && nj
			}
			return eq(a, i, j)
		}
	}
	switch t.ID() {
	case arrow.FLOAT64:
		norm := func(a arrow.Array, i int) uint64 {
			v := a.(*array.Float64).Value(i)
			switch {
			case v == 0:
				return 0
			case math.IsNaN(v):
				return math.Float64bits(math.NaN())
			}
			return math.Float64bits(v)
		}
		return &keyCompare{
			equal: nullsFirst(func(a arrow.Array, i, j int) bool { return norm(a, i) == norm(a, j) }),
			bytes: func(a arrow.Array, i int, buf []byte) []byte {
				return binary.LittleEndian.AppendUint64(buf, norm(a, i))
			},
		}
	case arrow.FLOAT32, arrow.FLOAT16:
		return nil
	case arrow.BOOL:
		bit := func(a arrow.Array, i int) bool { return a.(*array.Boolean).Value(i) }
		return &keyCompare{
			equal: nullsFirst(func(a arrow.Array, i, j int) bool { return bit(a, i) == bit(a, j) }),
			bytes: func(a arrow.Array, i int, buf []byte) []byte {
				if bit(a, i) {
					return append(buf, 1)
				}
				return append(buf, 0)
			},
		}
	case arrow.STRING:
		val := func(a arrow.Array, i int) string { return a.(*array.String).Value(i) }
		return &keyCompare{
			equal: nullsFirst(func(a arrow.Array, i, j int) bool { return val(a, i) == val(a, j) }),
			bytes: func(a arrow.Array, i int, buf []byte) []byte { return append(buf, val(a, i)...) },
		}
	case arrow.BINARY:
		val := func(a arrow.Array, i int) []byte { return a.(*array.Binary).Value(i) }
		return &keyCompare{
			equal: nullsFirst(func(a arrow.Array, i, j int) bool { return string(val(a, i)) == string(val(a, j)) }),
			bytes: func(a arrow.Array, i int, buf []byte) []byte { return append(buf, val(a, i)...) },
		}
	case arrow.DICTIONARY:
		if !arrow.TypeEqual(t, CategoryType) {
			return nil
		}
		// One array has one dictionary: its codes compare.
		code := func(a arrow.Array, i int) int { return a.(*array.Dictionary).GetValueIndex(i) }
		return &keyCompare{
			equal: nullsFirst(func(a arrow.Array, i, j int) bool { return code(a, i) == code(a, j) }),
			bytes: func(a arrow.Array, i int, buf []byte) []byte {
				return binary.LittleEndian.AppendUint64(buf, uint64(code(a, i)))
			},
		}
	}
	fw, ok := t.(arrow.FixedWidthDataType)
	if !ok || fw.BitWidth()%8 != 0 || !arrow.IsPrimitive(t.ID()) && !arrow.IsDecimal(t.ID()) {
		return nil
	}
	w := fw.BitWidth() / 8
	raw := func(a arrow.Array, i int) []byte {
		d := a.Data()
		o := (d.Offset() + i) * w
		return d.Buffers()[1].Bytes()[o : o+w]
	}
	return &keyCompare{
		equal: nullsFirst(func(a arrow.Array, i, j int) bool { return string(raw(a, i)) == string(raw(a, j)) }),
		bytes: func(a arrow.Array, i int, buf []byte) []byte { return append(buf, raw(a, i)...) },
	}
}
