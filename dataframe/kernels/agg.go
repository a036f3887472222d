package kernels

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// A group-by of one int64 or string key with sums, means, minima, maxima
// and counts of int64 and float64 columns is aggregated in Go, with a hash
// table over the Arrow arrays, instead of in DuckDB: the partial aggregate
// of a partition in memory (DuckDB would scan and convert its columns
// first) and the combining and final steps of the tree (whose inputs are
// many partial rows, for keys with many groups). The results are those of
// the SQL of the dataframe's Agg, to the schema DuckDB plans for it (Agg
// checks that they agree, and uses DuckDB where they would not); only the
// order in which floating-point sums add up differs, as it does between
// DuckDB's threads.

// Ops of the state columns of a Go aggregation.
const (
	opSum   = "sum"   // sum of the non-null values; null when there is none
	opCount = "count" // count of the non-null values
	opMin   = "min"   // least non-null value (NaN greatest, as in DuckDB)
	opMax   = "max"   // greatest non-null value
)

// AggPlan is a Go aggregation: the key column, and per state column of the
// partial result its name, its input column (of the partition, for the
// partial step), its op and whether it holds floats.
type AggPlan struct {
	Key     string
	KeyStr  bool // string key (else int64)
	States  []AggState
	Outputs []AggOutput
}

// AggState is one column of the partial results.
type AggState struct {
	Name  string
	Col   string // the partition's column it aggregates in the partial step
	Op    string
	Float bool // float64 (else int64)
}

// AggOutput is one column of the result, from state columns: Fn "mean"
// divides state A (a sum) by state B (a count); otherwise it is state A.
type AggOutput struct {
	Name string
	Fn   string
	A, B int
}

// AggSpec is one aggregate asked for: Fn (sum, mean, min, max, count, std
// or nunique) of the column Col, its result column named Name.
type AggSpec struct {
	Fn, Col, Name string
}

// NewAggPlan returns the Go plan of the aggregates grouped by keys over
// schema s, or nil when Go does not do it (then DuckDB does): one int64 or
// string key; sums, means, minima and maxima of int64 and float64 columns;
// counts of any column.
func NewAggPlan(keys []string, aggs []AggSpec, s *arrow.Schema) *AggPlan {
	if len(keys) != 1 {
		return nil
	}
	kf, ok := fieldOf(s, keys[0])
	if !ok {
		return nil
	}
	p := &AggPlan{Key: keys[0]}
	switch kf.Type.ID() {
	case arrow.INT64:
	case arrow.STRING:
		p.KeyStr = true
	default:
		return nil
	}
	for i, a := range aggs {
		f, ok := fieldOf(s, a.Col)
		if !ok {
			return nil
		}
		var isFloat bool
		switch f.Type.ID() {
		case arrow.INT64:
		case arrow.FLOAT64:
			isFloat = true
		default:
			if a.Fn != "count" { // counts count any column
				return nil
			}
		}
		name := fmt.Sprintf("__a%d", i)
		n := len(p.States)
		switch a.Fn {
		case "sum", "min", "max":
			p.States = append(p.States, AggState{Name: name, Col: a.Col, Op: a.Fn, Float: isFloat})
			p.Outputs = append(p.Outputs, AggOutput{Name: a.Name, Fn: a.Fn, A: n})
		case "count":
			p.States = append(p.States, AggState{Name: name, Col: a.Col, Op: opCount})
			p.Outputs = append(p.Outputs, AggOutput{Name: a.Name, Fn: a.Fn, A: n})
		case "mean":
			p.States = append(p.States, AggState{Name: name + "_s", Col: a.Col, Op: opSum, Float: true},
				AggState{Name: name + "_n", Col: a.Col, Op: opCount})
			p.Outputs = append(p.Outputs, AggOutput{Name: a.Name, Fn: "mean", A: n, B: n + 1})
		default:
			return nil
		}
	}
	return p
}

// keyType is the key column's type.
func (p *AggPlan) keyType() arrow.DataType {
	if p.KeyStr {
		return arrow.BinaryTypes.String
	}
	return arrow.PrimitiveTypes.Int64
}

func stateType(float bool) arrow.DataType {
	if float {
		return arrow.PrimitiveTypes.Float64
	}
	return arrow.PrimitiveTypes.Int64
}

// MidSchema is the schema of the partial results.
func (p *AggPlan) MidSchema() *arrow.Schema {
	fs := []arrow.Field{{Name: p.Key, Type: p.keyType(), Nullable: true}}
	for _, st := range p.States {
		fs = append(fs, arrow.Field{Name: st.Name, Type: stateType(st.Float), Nullable: true})
	}
	return arrow.NewSchema(fs, nil)
}

// OutSchema is the schema of the result.
func (p *AggPlan) OutSchema() *arrow.Schema {
	fs := []arrow.Field{{Name: p.Key, Type: p.keyType(), Nullable: true}}
	for _, f := range p.Outputs {
		t := stateType(p.States[f.A].Float)
		if f.Fn == "mean" {
			t = arrow.PrimitiveTypes.Float64
		}
		fs = append(fs, arrow.Field{Name: f.Name, Type: t, Nullable: true})
	}
	return arrow.NewSchema(fs, nil)
}

// SameTypes reports whether a and b have the same column names and types.
func SameTypes(a, b *arrow.Schema) bool {
	if a.NumFields() != b.NumFields() {
		return false
	}
	for i := range a.NumFields() {
		if a.Field(i).Name != b.Field(i).Name || !arrow.TypeEqual(a.Field(i).Type, b.Field(i).Type) {
			return false
		}
	}
	return true
}

// groupTable maps keys to dense group numbers, the null key included.
type groupTable struct {
	str  bool
	ints intTable
	strs map[string]int32
	null int32 // the null key's group, or -1
	n    int32
	// dense maps int64 keys base, base+1, ... to groups + 1 (0: none yet).
	dense []int32
	base  int64
	// The keys, by group (for the result).
	intKeys []int64
	strKeys []string
}

func newGroupTable(str bool, hint int) *groupTable {
	t := &groupTable{str: str, null: -1}
	if str {
		t.strs = make(map[string]int32, min(hint, 1<<12))
	}
	return t
}

// groups appends to gs the group of every row of the key column keys.
func (t *groupTable) groups(keys arrow.Array, gs []int32) ([]int32, error) {
	n := keys.Len()
	if cap(gs)-len(gs) < n {
		gs = slices.Grow(gs, n)
	}
	switch k := keys.(type) {
	case *array.Int64:
		if t.str {
			return nil, fmt.Errorf("dataframe: group key is %s, planned a string", keys.DataType())
		}
		vals := k.Int64Values()
		if t.dense == nil && t.n == 0 {
			t.denseFor(k)
		}
		nulls := k.NullN() > 0
		for i, v := range vals {
			if nulls && k.IsNull(i) {
				gs = append(gs, t.nullGroup())
				continue
			}
			if d := uint64(v - t.base); d < uint64(len(t.dense)) {
				g := t.dense[d] - 1
				if g < 0 {
					g = t.n
					t.dense[d] = g + 1
					t.n++
					t.intKeys = append(t.intKeys, v)
				}
				gs = append(gs, g)
				continue
			}
			g, added := t.ints.lookup(v, t.n)
			if added {
				t.n++
				t.intKeys = append(t.intKeys, v)
			}
			gs = append(gs, g)
		}
	case *array.String:
		if !t.str {
			return nil, fmt.Errorf("dataframe: group key is %s, planned int64", keys.DataType())
		}
		nulls := k.NullN() > 0
		offs, data := k.ValueOffsets(), k.ValueBytes()
		for i := range n {
			if nulls && k.IsNull(i) {
				gs = append(gs, t.nullGroup())
				continue
			}
			lo, hi := offs[i]-offs[0], offs[i+1]-offs[0]
			if hi-lo <= 7 {
				// Short strings are looked up as numbers: their bytes and
				// length packed into an int64 (the table of string keys
				// has no dense array).
				var key int64
				if int(lo)+8 <= len(data) {
					w := binary.LittleEndian.Uint64(data[lo:])
					key = int64(w&(1<<(8*(hi-lo))-1) | uint64(hi-lo)<<56)
				} else {
					key = packShort(data[lo:hi])
				}
				g, added := t.ints.lookup(key, t.n)
				if added {
					t.n++
					t.strKeys = append(t.strKeys, string(data[lo:hi]))
				}
				gs = append(gs, g)
				continue
			}
			b := data[lo:hi]
			g, ok := t.strs[string(b)]
			if !ok {
				v := string(b) // a copy: the map keeps the key
				g = t.n
				t.strs[v] = g
				t.n++
				t.strKeys = append(t.strKeys, v)
			}
			gs = append(gs, g)
		}
	default:
		return nil, fmt.Errorf("dataframe: group key is %s; Go aggregates int64 and string keys", keys.DataType())
	}
	return gs, nil
}

// packShort packs a string of at most 7 bytes, and its length, into an
// int64, distinct for distinct strings.
func packShort(b []byte) int64 {
	var x uint64
	for i, c := range b {
		x |= uint64(c) << (8 * i)
	}
	return int64(x | uint64(len(b))<<56)
}

// maxDense is the widest range of int64 keys looked up in an array
// instead of the hash table.
const maxDense = 1 << 22

// denseFor sets up the array that maps the keys of k's range to groups,
// when the range is narrow (at most maxDense, and not much wider than k is
// long): ids and codes, whose groups a hash table would find at a cache
// miss each. Keys outside the range go to the hash table.
func (t *groupTable) denseFor(k *array.Int64) {
	lo, hi, any := int64(0), int64(0), false
	nulls := k.NullN() > 0
	for i, v := range k.Int64Values() {
		if nulls && k.IsNull(i) {
			continue
		}
		if !any {
			lo, hi, any = v, v, true
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	if !any {
		return
	}
	width := uint64(hi - lo)
	if hi-lo < 0 || width >= maxDense || width > 4*uint64(k.Len())+1024 {
		return
	}
	t.base = lo
	t.dense = make([]int32, width+1)
	if cap(t.intKeys) == 0 {
		t.intKeys = make([]int64, 0, min(int(width)+1, k.Len()))
	}
}

func (t *groupTable) nullGroup() int32 {
	if t.null < 0 {
		t.null = t.n
		t.n++
		if t.str {
			t.strKeys = append(t.strKeys, "")
		} else {
			t.intKeys = append(t.intKeys, 0)
		}
	}
	return t.null
}

// intTable is an open-addressing hash table from int64 keys to group
// numbers (linear probing, at most half full). A key and its group share a
// slot, so that a lookup costs one cache miss.
type intTable struct {
	slots []intSlot
	mask  uint64
	shift uint // 64 - log2(len(slots))
	used  int
}

type intSlot struct {
	key int64
	val int32 // group + 1; 0 is an empty slot
}

func (h *intTable) init(hint int) {
	size := 16
	for size < 2*hint {
		size <<= 1
	}
	h.slots = make([]intSlot, size)
	h.mask = uint64(size - 1)
	h.shift = uint(64 - bits.TrailingZeros(uint(size)))
	h.used = 0
}

// slot is where k's probe starts: the high bits of k times the golden
// ratio (Fibonacci hashing), which every bit of k moves.
func (h *intTable) slot(k int64) uint64 {
	return (uint64(k) * 0x9E3779B97F4A7C15) >> h.shift
}

// lookup returns k's group, adding it as group next when it is new.
func (h *intTable) lookup(k int64, next int32) (int32, bool) {
	if h.slots == nil {
		h.init(1024)
	}
	i := h.slot(k)
	for {
		s := &h.slots[i]
		if s.val == 0 {
			if 2*(h.used+1) > len(h.slots) {
				h.grow()
				return h.lookup(k, next)
			}
			s.key, s.val = k, next+1
			h.used++
			return next, true
		}
		if s.key == k {
			return s.val - 1, false
		}
		i = (i + 1) & h.mask
	}
}

func (h *intTable) grow() {
	old := h.slots
	h.init(len(old))
	for _, s := range old {
		if s.val != 0 {
			j := h.slot(s.key)
			for h.slots[j].val != 0 {
				j = (j + 1) & h.mask
			}
			h.slots[j] = s
			h.used++
		}
	}
}

// accum is one state column being aggregated, by group.
type accum struct {
	op    string
	float bool
	f     []float64
	i     []int64
	seen  []bool // a non-null value was seen (sum, min, max)
}

func (a *accum) grow(n int) {
	if k := n - len(a.seen); k > 0 {
		a.seen = append(a.seen, make([]bool, k)...)
		if a.float {
			a.f = append(a.f, make([]float64, k)...)
		} else {
			a.i = append(a.i, make([]int64, k)...)
		}
	}
}

// floatLess orders floats as DuckDB does: NaN above everything.
func floatLess(a, b float64) bool {
	if math.IsNaN(a) {
		return false
	}
	return math.IsNaN(b) || a < b
}

// add aggregates the column col of the rows whose groups are gs.
func (a *accum) add(col arrow.Array, gs []int32, name string) error {
	nulls := col.NullN() > 0
	if a.op == opCount {
		for i, g := range gs {
			if !nulls || col.IsValid(i) {
				a.i[g]++
			}
		}
		return nil
	}
	switch c := col.(type) {
	case *array.Float64:
		if !a.float {
			return fmt.Errorf("dataframe: column %s is float64, planned int64", name)
		}
		vals := c.Float64Values()
		switch a.op {
		case opSum:
			if !nulls {
				f, seen := a.f, a.seen
				for i, g := range gs {
					f[g] += vals[i]
					seen[g] = true
				}
				return nil
			}
			for i, g := range gs {
				if c.IsValid(i) {
					a.f[g] += vals[i]
					a.seen[g] = true
				}
			}
		case opMin, opMax:
			f, seen := a.f, a.seen
			isMin := a.op == opMin
			for i, g := range gs {
				if nulls && c.IsNull(i) {
					continue
				}
				v := vals[i]
				if !seen[g] {
					f[g], seen[g] = v, true
				} else if isMin == floatLess(v, f[g]) && v != f[g] && !(math.IsNaN(v) && math.IsNaN(f[g])) {
					f[g] = v
				}
			}
		}
	case *array.Int64:
		vals := c.Int64Values()
		if a.float { // the sum of a mean adds ints as doubles
			for i, g := range gs {
				if !nulls || c.IsValid(i) {
					a.f[g] += float64(vals[i])
					a.seen[g] = true
				}
			}
			return nil
		}
		switch a.op {
		case opSum:
			for i, g := range gs {
				if !nulls || c.IsValid(i) {
					v := vals[i]
					s := a.i[g] + v
					if (v > 0 && s < a.i[g]) || (v < 0 && s > a.i[g]) {
						return fmt.Errorf("dataframe: the sum of %s overflows int64", name)
					}
					a.i[g] = s
					a.seen[g] = true
				}
			}
		case opMin, opMax:
			for i, g := range gs {
				if nulls && c.IsNull(i) {
					continue
				}
				v := vals[i]
				if !a.seen[g] || (a.op == opMin && v < a.i[g]) || (a.op == opMax && v > a.i[g]) {
					a.i[g] = v
				}
				a.seen[g] = true
			}
		}
	default:
		return fmt.Errorf("dataframe: column %s is %s; Go aggregates int64 and float64", name, col.DataType())
	}
	return nil
}

// aggregator aggregates records into groups.
type aggregator struct {
	p      *AggPlan
	groups *groupTable
	accs   []*accum
	gs     []int32
}

func newAggregator(p *AggPlan, hint int) *aggregator {
	a := &aggregator{p: p, groups: newGroupTable(p.KeyStr, hint)}
	for _, st := range p.States {
		a.accs = append(a.accs, &accum{op: st.Op, float: st.Float})
	}
	return a
}

// add aggregates rec. partial says rec is a partition (its columns are
// the states' input columns); otherwise it is a partial result (its
// columns are the states, and counts add up).
func (a *aggregator) add(rec arrow.RecordBatch, partial bool) error {
	s := rec.Schema()
	ki := s.FieldIndices(a.p.Key)
	if len(ki) != 1 {
		return fmt.Errorf("dataframe: no key column %q to aggregate", a.p.Key)
	}
	var err error
	a.gs, err = a.groups.groups(rec.Column(ki[0]), a.gs[:0])
	if err != nil {
		return err
	}
	for j, st := range a.p.States {
		acc := a.accs[j]
		acc.grow(int(a.groups.n))
		name := st.Name
		if partial {
			name = st.Col
		}
		ci := s.FieldIndices(name)
		if len(ci) != 1 {
			return fmt.Errorf("dataframe: no column %q to aggregate", name)
		}
		if !partial && st.Op == opCount {
			// Partial counts add up.
			acc.op = opSum
			err = acc.add(rec.Column(ci[0]), a.gs, name)
			acc.op = opCount
		} else {
			err = acc.add(rec.Column(ci[0]), a.gs, name)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// record returns the groups' states as a record of the partial schema,
// groups in the order order (all groups when nil).
func (a *aggregator) states(order []int32) []arrow.Array {
	n := int(a.groups.n)
	if order == nil {
		order = make([]int32, n)
		for i := range order {
			order[i] = int32(i)
		}
	}
	cols := []arrow.Array{a.keyArray(order)}
	for _, acc := range a.accs {
		acc.grow(n)
		cols = append(cols, acc.array(order))
	}
	return cols
}

func (a *aggregator) keyArray(order []int32) arrow.Array {
	t := a.groups
	valid, nulls := validBits(len(order), func(i int) bool { return order[i] != t.null })
	if t.str {
		size := 0
		for _, g := range order {
			size += len(t.strKeys[g])
		}
		offsets := make([]int32, len(order)+1)
		data := make([]byte, 0, size)
		for i, g := range order {
			data = append(data, t.strKeys[g]...)
			offsets[i+1] = int32(len(data))
		}
		d := array.NewData(arrow.BinaryTypes.String, len(order),
			[]*memory.Buffer{valid, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets)), memory.NewBufferBytes(data)}, nil, nulls, 0)
		defer d.Release()
		return array.NewStringData(d)
	}
	vals := make([]int64, len(order))
	for i, g := range order {
		vals[i] = t.intKeys[g]
	}
	return int64Array(vals, valid, nulls)
}

// validBits returns a validity bitmap of n bits (nil when all are valid)
// and how many are not.
func validBits(n int, ok func(i int) bool) (*memory.Buffer, int) {
	var bits []byte
	nulls := 0
	for i := range n {
		if !ok(i) {
			if bits == nil {
				bits = make([]byte, bitutil.BytesForBits(int64(n)))
				for j := range bits {
					bits[j] = 0xff
				}
			}
			bitutil.ClearBit(bits, i)
			nulls++
		}
	}
	if bits == nil {
		return nil, 0
	}
	return memory.NewBufferBytes(bits), nulls
}

func int64Array(vals []int64, valid *memory.Buffer, nulls int) arrow.Array {
	d := array.NewData(arrow.PrimitiveTypes.Int64, len(vals), []*memory.Buffer{valid, memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(vals))}, nil, nulls, 0)
	defer d.Release()
	return array.NewInt64Data(d)
}

func float64Array(vals []float64, valid *memory.Buffer, nulls int) arrow.Array {
	d := array.NewData(arrow.PrimitiveTypes.Float64, len(vals), []*memory.Buffer{valid, memory.NewBufferBytes(arrow.Float64Traits.CastToBytes(vals))}, nil, nulls, 0)
	defer d.Release()
	return array.NewFloat64Data(d)
}

// array returns the state by group, in the order order.
func (a *accum) array(order []int32) arrow.Array {
	var valid *memory.Buffer
	nulls := 0
	if a.op != opCount {
		valid, nulls = validBits(len(order), func(i int) bool { return a.seen[order[i]] })
	}
	if a.float {
		vals := make([]float64, len(order))
		for i, g := range order {
			vals[i] = a.f[g]
		}
		return float64Array(vals, valid, nulls)
	}
	vals := make([]int64, len(order))
	for i, g := range order {
		vals[i] = a.i[g]
	}
	return int64Array(vals, valid, nulls)
}

// AggPartial is the partial aggregate of one partition.
func AggPartial(rec arrow.RecordBatch, p AggPlan) (arrow.RecordBatch, error) {
	return AggPartials([]arrow.RecordBatch{rec}, p)
}

// AggPartials is the partial aggregate of several partitions together.
func AggPartials(recs []arrow.RecordBatch, p AggPlan) (arrow.RecordBatch, error) {
	rows := int64(0)
	for _, r := range recs {
		rows = max(rows, r.NumRows())
	}
	a := newAggregator(&p, int(min(rows, 1<<20)))
	for _, r := range recs {
		if err := a.add(r, true); err != nil {
			return nil, err
		}
	}
	return array.NewRecordBatch(p.MidSchema(), a.states(nil), int64(a.groups.n)), nil
}

// combined aggregates partial results into one aggregator.
func combined(recs []arrow.RecordBatch, p *AggPlan) (*aggregator, error) {
	rows := 0
	for _, r := range recs {
		rows = max(rows, int(r.NumRows()))
	}
	a := newAggregator(p, rows)
	for _, r := range recs {
		if err := a.add(r, false); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// AggCombine joins partial results into one.
func AggCombine(recs []arrow.RecordBatch, p AggPlan) (arrow.RecordBatch, error) {
	a, err := combined(recs, &p)
	if err != nil {
		return nil, err
	}
	return array.NewRecordBatch(p.MidSchema(), a.states(nil), int64(a.groups.n)), nil
}

// AggFinal joins partial results and finishes them: one row per group,
// sorted by the key (the null key last, as DuckDB's ORDER BY).
func AggFinal(recs []arrow.RecordBatch, p AggPlan) (arrow.RecordBatch, error) {
	a, err := combined(recs, &p)
	if err != nil {
		return nil, err
	}
	t := a.groups
	order := make([]int32, t.n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int {
		switch {
		case x == t.null:
			return 1
		case y == t.null:
			return -1
		case t.str:
			return cmp.Compare(t.strKeys[x], t.strKeys[y])
		}
		return cmp.Compare(t.intKeys[x], t.intKeys[y])
	})
	states := a.states(order)
	cols := []arrow.Array{states[0]}
	for _, f := range p.Outputs {
		if f.Fn != "mean" {
			st := states[1+f.A]
			st.Retain()
			cols = append(cols, st)
			continue
		}
		sums := a.accs[f.A]
		counts := a.accs[f.B]
		vals := make([]float64, len(order))
		for i, g := range order {
			if counts.i[g] > 0 {
				vals[i] = sums.f[g] / float64(counts.i[g])
			}
		}
		valid, nulls := validBits(len(order), func(i int) bool { return counts.i[order[i]] > 0 })
		cols = append(cols, float64Array(vals, valid, nulls))
	}
	for _, s := range states[1:] {
		s.Release()
	}
	return array.NewRecordBatch(p.OutSchema(), cols, int64(len(order))), nil
}
