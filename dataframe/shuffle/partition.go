package shuffle

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/zeebo/xxh3"
)

// Targets returns the output partition of every row of rec under spec.
func Targets(rec arrow.RecordBatch, spec *Spec) ([]int32, error) {
	n := spec.NOut()
	out := make([]int32, rec.NumRows())
	if n <= 1 {
		return out, nil
	}
	switch spec.Kind {
	case Hash:
		h, err := hashRows(rec, spec.Columns)
		if err != nil {
			return nil, err
		}
		// The output from the hash's high 32 bits, scaled to [0, n): a
		// multiplication where a modulo would divide.
		for i, v := range h {
			out[i] = int32((v >> 32) * uint64(n) >> 32)
		}
	case Range:
		if len(spec.Columns) != 1 {
			return nil, fmt.Errorf("shuffle: a range shuffle has one key column, not %d", len(spec.Columns))
		}
		col, err := column(rec, spec.Columns[0])
		if err != nil {
			return nil, err
		}
		if err := rangeInto(out, col, spec.Bounds); err != nil {
			return nil, fmt.Errorf("shuffle: placing column %q by its divisions: %w", spec.Columns[0], err)
		}
	default:
		return nil, fmt.Errorf("shuffle: unknown kind %q", spec.Kind)
	}
	return out, nil
}

// hashRows returns the hash of every row's values in the named columns,
// as a hash shuffle places rows (equal keys, equal hashes; integers of
// every width hash by value).
func hashRows(rec arrow.RecordBatch, cols []string) ([]uint64, error) {
	h := make([]uint64, rec.NumRows())
	for _, name := range cols {
		col, err := column(rec, name)
		if err != nil {
			return nil, err
		}
		if err := hashInto(h, col); err != nil {
			return nil, fmt.Errorf("shuffle: hashing column %q: %w", name, err)
		}
	}
	return h, nil
}

func column(rec arrow.RecordBatch, name string) (arrow.Array, error) {
	idx := rec.Schema().FieldIndices(name)
	if len(idx) == 0 {
		return nil, fmt.Errorf("shuffle: no column %q among %v", name, rec.Schema().Fields())
	}
	return rec.Column(idx[0]), nil
}

// mix is splitmix64's finalizer: a cheap, well-spread hash of an integer,
// the same in every process.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

const nullHash = 0x9e3779b97f4a7c15

// hashBytes hashes a string's bytes: up to 8 bytes as one integer with
// the length, longer ones by xxh3.
func hashBytes(b []byte) uint64 {
	if len(b) <= 8 {
		var x uint64
		for i, c := range b {
			x |= uint64(c) << (8 * i)
		}
		return hashShort(x, len(b))
	}
	return xxh3.Hash(b)
}

// hashString is hashBytes of a string.
func hashString(s string) uint64 {
	if len(s) <= 8 {
		var x uint64
		for i := range len(s) {
			x |= uint64(s[i]) << (8 * i)
		}
		return hashShort(x, len(s))
	}
	return xxh3.HashString(s)
}

// hashShort hashes the bytes of a string of n <= 8 bytes packed into x.
func hashShort(x uint64, n int) uint64 { return mix(x ^ uint64(n+1)*0xc2b2ae3d27d4eb4f) }

// combine folds a column's hash into a row's.
func combine(h, v uint64) uint64 { return mix(h*31 + v) }

// hashInto folds the hash of each value of col into h. Integers of every
// width hash by value (so keys of int32 and int64 columns meet), floats by
// value with -0 and NaN made canonical, strings by their bytes,
// dictionary values by the value.
func hashInto(h []uint64, col arrow.Array) error {
	valid := func(i int) bool { return col.IsValid(i) }
	if col.NullN() == 0 {
		// The common cases without nulls, in loops with no call per row
		// (the same hashes as below).
		switch a := col.(type) {
		case *array.Int64:
			for i, v := range a.Int64Values() {
				h[i] = combine(h[i], mix(uint64(v)))
			}
			return nil
		case *array.String:
			offs, data := a.ValueOffsets(), a.ValueBytes()
			base := offs[0]
			for i := range h {
				lo, hi := offs[i]-base, offs[i+1]-base
				var v uint64
				if l := hi - lo; l <= 8 && int(lo)+8 <= len(data) {
					// hashBytes's short case, with one load.
					v = hashShort(binary.LittleEndian.Uint64(data[lo:])&(1<<(8*l)-1), int(l))
				} else {
					v = hashBytes(data[lo:hi])
				}
				h[i] = combine(h[i], v)
			}
			return nil
		}
	}
	switch a := col.(type) {
	case *array.Int64:
		for i, v := range a.Int64Values() {
			h[i] = combine(h[i], pick(valid(i), mix(uint64(v))))
		}
	case *array.Int32:
		for i, v := range a.Int32Values() {
			h[i] = combine(h[i], pick(valid(i), mix(uint64(int64(v)))))
		}
	case *array.Int16:
		for i, v := range a.Int16Values() {
			h[i] = combine(h[i], pick(valid(i), mix(uint64(int64(v)))))
		}
	case *array.Int8:
		for i, v := range a.Int8Values() {
			h[i] = combine(h[i], pick(valid(i), mix(uint64(int64(v)))))
		}
	case *array.Uint64:
		for i, v := range a.Uint64Values() {
			h[i] = combine(h[i], pick(valid(i), mix(v)))
		}
	case *array.Uint32:
		for i, v := range a.Uint32Values() {
			h[i] = combine(h[i], pick(valid(i), mix(uint64(v))))
		}
	case *array.Uint16:
		for i, v := range a.Uint16Values() {
			h[i] = combine(h[i], pick(valid(i), mix(uint64(v))))
		}
	case *array.Uint8:
		for i, v := range a.Uint8Values() {
			h[i] = combine(h[i], pick(valid(i), mix(uint64(v))))
		}
	case *array.Float64:
		for i, v := range a.Float64Values() {
			h[i] = combine(h[i], pick(valid(i), hashFloat(v)))
		}
	case *array.Float32:
		for i, v := range a.Float32Values() {
			h[i] = combine(h[i], pick(valid(i), hashFloat(float64(v))))
		}
	case *array.Boolean:
		for i := range a.Len() {
			b := uint64(0)
			if a.Value(i) {
				b = 1
			}
			h[i] = combine(h[i], pick(valid(i), mix(b)))
		}
	case *array.String:
		for i := range a.Len() {
			h[i] = combine(h[i], pick(valid(i), hashString(a.Value(i))))
		}
	case *array.LargeString:
		for i := range a.Len() {
			h[i] = combine(h[i], pick(valid(i), hashString(a.Value(i))))
		}
	case *array.Binary:
		for i := range a.Len() {
			h[i] = combine(h[i], pick(valid(i), hashBytes(a.Value(i))))
		}
	case *array.Date32:
		for i, v := range a.Date32Values() {
			h[i] = combine(h[i], pick(valid(i), mix(uint64(int64(v)))))
		}
	case *array.Timestamp:
		for i, v := range a.TimestampValues() {
			h[i] = combine(h[i], pick(valid(i), mix(uint64(int64(v)))))
		}
	case *array.Dictionary:
		// A dictionary value hashes as the same value in a plain column.
		dict := a.Dictionary()
		plain := make([]uint64, dict.Len())
		for k := range plain {
			v, err := valueHash(dict, k)
			if err != nil {
				return err
			}
			plain[k] = v
		}
		for i := range a.Len() {
			if a.IsNull(i) {
				h[i] = combine(h[i], nullHash)
				continue
			}
			h[i] = combine(h[i], plain[a.GetValueIndex(i)])
		}
	default:
		return fmt.Errorf("cannot hash a column of type %s", col.DataType())
	}
	return nil
}

// valueHash returns the hash of value i of a dictionary's values, as
// hashInto hashes it in a plain column.
func valueHash(col arrow.Array, i int) (uint64, error) {
	if col.IsNull(i) {
		return nullHash, nil
	}
	switch a := col.(type) {
	case *array.String:
		return hashString(a.Value(i)), nil
	case *array.LargeString:
		return hashString(a.Value(i)), nil
	case *array.Binary:
		return hashBytes(a.Value(i)), nil
	case *array.Int64:
		return mix(uint64(a.Value(i))), nil
	case *array.Int32:
		return mix(uint64(int64(a.Value(i)))), nil
	case *array.Float64:
		return hashFloat(a.Value(i)), nil
	}
	return 0, fmt.Errorf("cannot hash dictionary values of type %s", col.DataType())
}

func pick(valid bool, v uint64) uint64 {
	if !valid {
		return nullHash
	}
	return v
}

func hashFloat(v float64) uint64 {
	if v == 0 {
		v = 0 // -0 hashes as 0
	}
	if math.IsNaN(v) {
		return mix(0x7ff8000000000001)
	}
	if v == math.Trunc(v) && math.Abs(v) < 1<<62 {
		// Whole floats hash as the integer, so 3.0 meets 3.
		return mix(uint64(int64(v)))
	}
	return mix(math.Float64bits(v))
}

// rangeInto sets out[i] to the output whose range holds row i's value.
func rangeInto(out []int32, col arrow.Array, bounds []any) error {
	n := len(bounds) - 1
	if n < 1 {
		return fmt.Errorf("%d bounds make no partitions", len(bounds))
	}
	inner := bounds[1:n] // output j (j>0) starts at bounds[j]
	last := int32(n - 1)
	switch a := col.(type) {
	case *array.Int64:
		bs, err := int64Bounds(inner)
		if err != nil {
			return err
		}
		nulls := a.NullN() > 0
		ix := newIntRanges(bs)
		for i, v := range a.Int64Values() {
			if nulls && a.IsNull(i) {
				out[i] = last
				continue
			}
			out[i] = int32(ix.place(v))
		}
	case *array.Int32:
		bs, err := int64Bounds(inner)
		if err != nil {
			return err
		}
		ix := newIntRanges(bs)
		for i, v := range a.Int32Values() {
			if a.IsNull(i) {
				out[i] = last
				continue
			}
			out[i] = int32(ix.place(int64(v)))
		}
	case *array.Float64:
		bs, err := float64Bounds(inner)
		if err != nil {
			return err
		}
		nulls := a.NullN() > 0
		for i, v := range a.Float64Values() {
			if (nulls && a.IsNull(i)) || math.IsNaN(v) {
				out[i] = last
				continue
			}
			out[i] = int32(upperBound(bs, v))
		}
	case *array.String:
		bs, err := stringBounds(inner)
		if err != nil {
			return err
		}
		for i := range a.Len() {
			if a.IsNull(i) {
				out[i] = last
				continue
			}
			v := a.Value(i)
			out[i] = int32(sort.Search(len(bs), func(j int) bool { return bs[j] > v }))
		}
	case *array.Timestamp:
		bs, err := int64Bounds(inner)
		if err != nil {
			return err
		}
		ix := newIntRanges(bs)
		for i, v := range a.TimestampValues() {
			if a.IsNull(i) {
				out[i] = last
				continue
			}
			out[i] = int32(ix.place(int64(v)))
		}
	case *array.Date32:
		bs, err := int64Bounds(inner)
		if err != nil {
			return err
		}
		ix := newIntRanges(bs)
		for i, v := range a.Date32Values() {
			if a.IsNull(i) {
				out[i] = last
				continue
			}
			out[i] = int32(ix.place(int64(v)))
		}
	default:
		return fmt.Errorf("a column of type %s has no range order here (use int, float, string, date or timestamp)", col.DataType())
	}
	return nil
}

// upperBound returns the number of bounds at most v (bs ascending): the
// index of the first bound greater than v.
func upperBound[T int64 | float64](bs []T, v T) int {
	lo, hi := 0, len(bs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if bs[m] > v {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// intRanges places integers among ascending bounds in constant time: the
// span of the bounds is cut into cells of 2^shift values, each knowing how
// many bounds lie below its start, so that a value needs a shift, a table
// read and, rarely, a step past a bound inside its cell (a binary search
// over random values mispredicts half its branches).
type intRanges struct {
	bs    []int64
	lo    int64
	shift uint
	cells []int32 // bounds at most lo + c<<shift, for each cell c
}

// newIntRanges indexes bs (ascending); with more than 1<<16 cells' worth
// of bounds or a span too wide for a table, it falls back on searching.
func newIntRanges(bs []int64) *intRanges {
	r := &intRanges{bs: bs}
	if len(bs) == 0 || len(bs) > 1<<13 {
		return r
	}
	r.lo = bs[0]
	span := uint64(bs[len(bs)-1]) - uint64(bs[0])
	want := uint64(8 * len(bs)) // about 8 cells per bound
	for span>>r.shift >= want {
		r.shift++
	}
	n := int(span>>r.shift) + 1
	r.cells = make([]int32, n)
	j := 0
	for c := range n {
		start := bs[0] + int64(uint64(c)<<r.shift)
		for j < len(bs) && bs[j] <= start {
			j++
		}
		r.cells[c] = int32(j)
	}
	return r
}

// place returns the number of bounds at most v.
func (r *intRanges) place(v int64) int {
	if r.cells == nil {
		return upperBound(r.bs, v)
	}
	if v < r.lo {
		return 0
	}
	c := uint64(v-r.lo) >> r.shift
	if c >= uint64(len(r.cells)) {
		return len(r.bs)
	}
	j := int(r.cells[c])
	for j < len(r.bs) && r.bs[j] <= v {
		j++
	}
	return j
}

func int64Bounds(bs []any) ([]int64, error) {
	out := make([]int64, len(bs))
	for i, b := range bs {
		switch v := b.(type) {
		case int64:
			out[i] = v
		case int:
			out[i] = int64(v)
		case uint64:
			out[i] = int64(v)
		case float64:
			out[i] = int64(math.Ceil(v))
		default:
			return nil, fmt.Errorf("division %v is a %T, not an integer", b, b)
		}
	}
	return out, nil
}

func float64Bounds(bs []any) ([]float64, error) {
	out := make([]float64, len(bs))
	for i, b := range bs {
		switch v := b.(type) {
		case float64:
			out[i] = v
		case int64:
			out[i] = float64(v)
		case int:
			out[i] = float64(v)
		case uint64:
			out[i] = float64(v)
		default:
			return nil, fmt.Errorf("division %v is a %T, not a number", b, b)
		}
	}
	return out, nil
}

func stringBounds(bs []any) ([]string, error) {
	out := make([]string, len(bs))
	for i, b := range bs {
		v, ok := b.(string)
		if !ok {
			return nil, fmt.Errorf("division %v is a %T, not a string", b, b)
		}
		out[i] = v
	}
	return out, nil
}

// Split reorders rec so that the rows of each output are together and
// returns, for each output, its rows as a zero-copy slice of that order.
// Rows keep their relative order within an output.
func Split(rec arrow.RecordBatch, targets []int32, nout int) ([]arrow.RecordBatch, error) {
	counts, idx := groupByTarget(targets, nout)
	cols := make([]arrow.Array, rec.NumCols())
	for i := range cols {
		c, err := Gather(rec.Column(i), idx)
		if err != nil {
			return nil, fmt.Errorf("shuffle: reordering column %q: %w", rec.ColumnName(i), err)
		}
		cols[i] = c
	}
	ordered := array.NewRecordBatch(rec.Schema(), cols, rec.NumRows())
	out := make([]arrow.RecordBatch, nout)
	for j := range nout {
		out[j] = ordered.NewSlice(counts[j], counts[j+1])
	}
	return out, nil
}

// groupByTarget returns the rows of each output together: idx lists the
// rows of output j, in their order, at idx[counts[j]:counts[j+1]].
func groupByTarget(targets []int32, nout int) (counts, idx []int64) {
	counts = make([]int64, nout+1)
	for _, t := range targets {
		counts[t+1]++
	}
	for j := 1; j <= nout; j++ {
		counts[j] += counts[j-1]
	}
	pos := append([]int64(nil), counts[:nout]...)
	idx = make([]int64, len(targets))
	for i, t := range targets {
		idx[pos[t]] = int64(i)
		pos[t]++
	}
	return counts, idx
}

// Mix is the hash of one integer a hash shuffle uses (splitmix64's
// finalizer), for tables that want the same spread.
func Mix(x uint64) uint64 { return mix(x) }
