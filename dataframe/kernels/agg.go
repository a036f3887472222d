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

// A group-by of int64, string and categorical keys with sums, means,
// minima, maxima and counts of int64 and float64 columns is aggregated in
// Go, with a hash table over the Arrow arrays, instead of in DuckDB: the
// partial aggregate of a partition in memory (DuckDB would scan and
// convert its columns first) and the combining and final steps of the
// tree (whose inputs are many partial rows, for keys with many groups).
// The results are those of the SQL of the dataframe's Agg, to the schema
// DuckDB plans for it (Agg checks that they agree, and uses DuckDB where
// they would not); only the order in which floating-point sums add up
// differs, as it does between DuckDB's threads.

// Ops of the state columns of a Go aggregation.
const (
	opSum   = "sum"   // sum of the non-null values; null when there is none
	opCount = "count" // count of the non-null values
	opMin   = "min"   // least non-null value (NaN greatest, as in DuckDB)
	opMax   = "max"   // greatest non-null value
)

// AggPlan is a Go aggregation: the key columns, and per state column of
// the partial result its name, its input column (of the partition, for
// the partial step), its op and whether it holds floats.
type AggPlan struct {
	Keys []AggKey
	// Pre are columns computed from each partition before its partial
	// step (Assigns below the group-by).
	Pre     []Computed
	States  []AggState
	Outputs []AggOutput
}

// AggKey is a key column: int64, string, or categorical (a dictionary of
// Cats in the results; strings or any dictionary of strings in the
// partitions).
type AggKey struct {
	Name string
	Str  bool // string or categorical (else int64)
	Cats []string
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
// schema s (whose categorical columns have the categories cats), or nil
// when Go does not do it (then DuckDB does): int64, string and categorical
// keys; sums, means, minima and maxima of int64 and float64 columns;
// counts of any column.
func NewAggPlan(keys []string, aggs []AggSpec, s *arrow.Schema, cats map[string][]string) *AggPlan {
	if len(keys) == 0 {
		return nil
	}
	p := &AggPlan{}
	for _, k := range keys {
		kf, ok := fieldOf(s, k)
		if !ok {
			return nil
		}
		key := AggKey{Name: k}
		switch {
		case kf.Type.ID() == arrow.INT64:
		case kf.Type.ID() == arrow.STRING:
			key.Str = true
		case arrow.TypeEqual(kf.Type, CategoryType) && cats[k] != nil:
			key.Str, key.Cats = true, cats[k]
		default:
			return nil
		}
		p.Keys = append(p.Keys, key)
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

// keyType is the type of a key column in the results.
func (k AggKey) keyType() arrow.DataType {
	switch {
	case k.Cats != nil:
		return CategoryType
	case k.Str:
		return arrow.BinaryTypes.String
	}
	return arrow.PrimitiveTypes.Int64
}

func (p *AggPlan) keyFields() []arrow.Field {
	fs := make([]arrow.Field, len(p.Keys))
	for i, k := range p.Keys {
		fs[i] = arrow.Field{Name: k.Name, Type: k.keyType(), Nullable: true}
	}
	return fs
}

func stateType(float bool) arrow.DataType {
	if float {
		return arrow.PrimitiveTypes.Float64
	}
	return arrow.PrimitiveTypes.Int64
}

// HasCats reports whether cats, the categorical columns of a result DuckDB
// plans, are the plan's categorical keys, with the same categories.
func (p *AggPlan) HasCats(cats map[string][]string) bool {
	n := 0
	for _, k := range p.Keys {
		if k.Cats != nil {
			if !slices.Equal(cats[k.Name], k.Cats) {
				return false
			}
			n++
		}
	}
	return n == len(cats)
}

// MidSchema is the schema of the partial results.
func (p *AggPlan) MidSchema() *arrow.Schema {
	fs := p.keyFields()
	for _, st := range p.States {
		fs = append(fs, arrow.Field{Name: st.Name, Type: stateType(st.Float), Nullable: true})
	}
	return arrow.NewSchema(fs, nil)
}

// OutSchema is the schema of the result.
func (p *AggPlan) OutSchema() *arrow.Schema {
	fs := p.keyFields()
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
			if t.ints.slots != nil {
				if s := &t.ints.slots[t.ints.slot(v)]; s.key == v && s.val != 0 {
					gs = append(gs, s.val-1) // found at once (the lookup, inlined)
					continue
				}
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
		if t.ints.slots == nil {
			t.ints.init(1024)
		}
		o0 := offs[0]
		base := len(gs)
		gs = gs[:base+n]
		out := gs[base:]
		slots, shift := t.ints.slots, t.ints.shift
		for i := range out {
			if !nulls || k.IsValid(i) {
				lo, hi := offs[i]-o0, offs[i+1]-o0
				if l := hi - lo; l <= 7 && int(lo)+8 <= len(data) {
					// A short string found at once: its bytes and length
					// packed into an int64 (see stringGroup), looked up
					// inline.
					key := int64(binary.LittleEndian.Uint64(data[lo:])&(1<<(8*l)-1) | uint64(l)<<56)
					if s := &slots[(uint64(key)*0x9E3779B97F4A7C15)>>shift]; s.key == key && s.val != 0 {
						out[i] = s.val - 1
						continue
					}
				}
			}
			out[i] = t.stringGroup(k, i, data[offs[i]-o0:offs[i+1]-o0])
			slots, shift = t.ints.slots, t.ints.shift // the table may have grown
		}
	case *array.Dictionary:
		dict, ok := k.Dictionary().(*array.String)
		if !t.str || !ok {
			return nil, fmt.Errorf("dataframe: group key is %s; Go aggregates int64, string and categorical keys", keys.DataType())
		}
		// The dictionary's values find their groups once; each row's
		// code then names its group.
		codes, err := t.groups(dict, nil)
		if err != nil {
			return nil, err
		}
		idx, fast := k.Indices().(*array.Int32)
		for i := range n {
			switch {
			case k.IsNull(i):
				gs = append(gs, t.nullGroup())
			case fast:
				gs = append(gs, codes[idx.Value(i)])
			default:
				gs = append(gs, codes[k.GetValueIndex(i)])
			}
		}
	default:
		return nil, fmt.Errorf("dataframe: group key is %s; Go aggregates int64, string and categorical keys", keys.DataType())
	}
	return gs, nil
}

// stringGroup returns the group of row i of k, whose bytes are b, adding
// it when it is new. Strings of at most 7 bytes are looked up as numbers:
// their bytes and length packed into an int64 (the table of string keys
// has no dense array); longer ones in a map.
func (t *groupTable) stringGroup(k *array.String, i int, b []byte) int32 {
	if k.IsNull(i) {
		return t.nullGroup()
	}
	if len(b) <= 7 {
		g, added := t.ints.lookup(packShort(b), t.n)
		if added {
			t.n++
			t.strKeys = append(t.strKeys, string(b))
		}
		return g
	}
	g, ok := t.strs[string(b)]
	if !ok {
		v := string(b) // a copy: the map keeps the key
		g = t.n
		t.strs[v] = g
		t.n++
		t.strKeys = append(t.strKeys, v)
	}
	return g
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
	vals := k.Int64Values()
	if !nulls && len(vals) > 0 {
		lo, hi, any = vals[0], vals[0], true
		for _, v := range vals {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	for i, v := range vals {
		if !nulls {
			break
		}
		if k.IsNull(i) {
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
	p *AggPlan
	// keys numbers each key column's values; with several keys, pairs[i]
	// numbers the pairs of (group of keys 0..i, value of key i+1), and
	// the groups are the last one's.
	keys  []*groupTable
	pairs []*pairTable
	accs  []*accum
	gs    []int32
	kgs   [][]int32
}

func newAggregator(p *AggPlan, hint int) *aggregator {
	a := &aggregator{p: p, kgs: make([][]int32, len(p.Keys))}
	for i, k := range p.Keys {
		a.keys = append(a.keys, newGroupTable(k.Str, hint))
		if i > 0 {
			a.pairs = append(a.pairs, &pairTable{})
		}
	}
	for _, st := range p.States {
		a.accs = append(a.accs, &accum{op: st.Op, float: st.Float})
	}
	return a
}

// n is the number of groups.
func (a *aggregator) n() int32 {
	if len(a.pairs) == 0 {
		return a.keys[0].n
	}
	return a.pairs[len(a.pairs)-1].n
}

// add aggregates rec. partial says rec is a partition (its columns are
// the states' input columns, after the plan's computed ones); otherwise it
// is a partial result (its columns are the states, and counts add up).
func (a *aggregator) add(rec arrow.RecordBatch, partial bool) error {
	if partial && len(a.p.Pre) > 0 {
		var err error
		if rec, err = withComputed(rec, a.p.Pre); err != nil {
			return err
		}
	}
	s := rec.Schema()
	for i, k := range a.p.Keys {
		ki := s.FieldIndices(k.Name)
		if len(ki) != 1 {
			return fmt.Errorf("dataframe: no key column %q to aggregate", k.Name)
		}
		var err error
		if a.kgs[i], err = a.keys[i].groups(rec.Column(ki[0]), a.kgs[i][:0]); err != nil {
			return err
		}
	}
	a.gs = append(a.gs[:0], a.kgs[0]...)
	for i, pt := range a.pairs {
		pt.groups(a.gs, a.kgs[i+1])
	}
	var err error
	for j, st := range a.p.States {
		acc := a.accs[j]
		acc.grow(int(a.n()))
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

// keyGroups returns, for groups in the order order, each key's group in
// its own table.
func (a *aggregator) keyGroups(order []int32) [][]int32 {
	out := make([][]int32, len(a.keys))
	cur := order
	for i := len(a.pairs) - 1; i >= 0; i-- {
		pt := a.pairs[i]
		left, right := make([]int32, len(cur)), make([]int32, len(cur))
		for j, g := range cur {
			left[j], right[j] = pt.left[g], pt.right[g]
		}
		out[i+1], cur = right, left
	}
	out[0] = cur
	return out
}

// states returns the groups' keys and states as columns of the partial
// schema, groups in the order order (all groups when nil).
func (a *aggregator) states(order []int32) ([]arrow.Array, error) {
	n := int(a.n())
	if order == nil {
		order = make([]int32, n)
		for i := range order {
			order[i] = int32(i)
		}
	}
	var cols []arrow.Array
	for i, kg := range a.keyGroups(order) {
		col, err := a.keys[i].array(kg, a.p.Keys[i])
		if err != nil {
			return nil, err
		}
		cols = append(cols, col)
	}
	for _, acc := range a.accs {
		acc.grow(n)
		cols = append(cols, acc.array(order))
	}
	return cols, nil
}

// array returns the keys of groups order as a column of key k's type.
func (t *groupTable) array(order []int32, k AggKey) (arrow.Array, error) {
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
		col := array.NewStringData(d)
		if k.Cats != nil {
			return encodeCategories(col, k.Cats, k.Name)
		}
		return col, nil
	}
	vals := make([]int64, len(order))
	for i, g := range order {
		vals[i] = t.intKeys[g]
	}
	return int64Array(vals, valid, nulls), nil
}

// pairTable numbers pairs of group numbers: in a matrix while both sides
// have few groups (see maxDensePairs), in a hash table after.
type pairTable struct {
	// dense[l*cols+r] is pair (l, r)'s group + 1 (0: none yet), for
	// l < rows and r < cols; nil once the hash table has them.
	dense      []int32
	rows, cols int32
	hashed     bool
	ints       intTable // set up when hashed
	n          int32
	// The pairs, by group.
	left, right []int32
}

// groups turns gs, groups of the keys before, into the groups of the
// pairs (gs[i], next[i]).
func (t *pairTable) groups(gs, next []int32) {
	for i, g := range gs {
		r := next[i]
		if !t.hashed {
			if g < t.rows && r < t.cols {
				d := &t.dense[g*t.cols+r]
				if *d == 0 {
					*d = t.add(g, r) + 1
				}
				gs[i] = *d - 1
				continue
			}
			t.regrow(g, r)
			if !t.hashed {
				gs[i] = t.pair(g, r)
				continue
			}
		}
		k := int64(g)<<32 | int64(uint32(r))
		if s := &t.ints.slots[t.ints.slot(k)]; s.key == k && s.val != 0 {
			gs[i] = s.val - 1
			continue
		}
		p, added := t.ints.lookup(k, t.n)
		if added {
			t.add(g, r)
		}
		gs[i] = p
	}
}

// add numbers the new pair (l, r).
func (t *pairTable) add(l, r int32) int32 {
	t.left, t.right = append(t.left, l), append(t.right, r)
	t.n++
	return t.n - 1
}

// pair returns the group of (l, r), which the matrix covers.
func (t *pairTable) pair(l, r int32) int32 {
	d := &t.dense[l*t.cols+r]
	if *d == 0 {
		*d = t.add(l, r) + 1
	}
	return *d - 1
}

// maxDensePairs bounds a pair table's matrix (4 bytes a cell, 4 MiB).
const maxDensePairs = 1 << 20

// regrow makes the matrix cover (l, r), doubling the side that is short,
// or moves the pairs to the hash table when it would pass maxDensePairs.
func (t *pairTable) regrow(l, r int32) {
	rows, cols := max(t.rows, 16), max(t.cols, 16)
	for rows <= l {
		rows *= 2
	}
	for cols <= r {
		cols *= 2
	}
	if int64(rows)*int64(cols) > maxDensePairs {
		t.dense, t.hashed = nil, true
		t.ints.init(max(1024, int(t.n)))
		for g := range t.n {
			t.ints.lookup(int64(t.left[g])<<32|int64(uint32(t.right[g])), g)
		}
		return
	}
	dense := make([]int32, rows*cols)
	for g := range t.n {
		dense[t.left[g]*cols+t.right[g]] = g + 1
	}
	t.dense, t.rows, t.cols = dense, rows, cols
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
	return a.record(nil)
}

// record returns the groups' keys and states as a record of the partial
// schema, in the order order (all groups when nil).
func (a *aggregator) record(order []int32) (arrow.RecordBatch, error) {
	cols, err := a.states(order)
	if err != nil {
		return nil, err
	}
	return array.NewRecordBatch(a.p.MidSchema(), cols, int64(cols[0].Len())), nil
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
	return a.record(nil)
}

// AggFinal joins partial results and finishes them: one row per group,
// sorted by the keys (a null key after the others, as DuckDB's ORDER BY).
func AggFinal(recs []arrow.RecordBatch, p AggPlan) (arrow.RecordBatch, error) {
	a, err := combined(recs, &p)
	if err != nil {
		return nil, err
	}
	order := make([]int32, a.n())
	for i := range order {
		order[i] = int32(i)
	}
	kgs := a.keyGroups(slices.Clone(order)) // indexed by group: order is sorted below
	byKeys := func(x, y int32) int {
		for i, t := range a.keys {
			gx, gy := kgs[i][x], kgs[i][y]
			c := 0
			switch {
			case gx == gy:
			case gx == t.null:
				c = 1
			case gy == t.null:
				c = -1
			case t.str:
				c = cmp.Compare(t.strKeys[gx], t.strKeys[gy])
			default:
				c = cmp.Compare(t.intKeys[gx], t.intKeys[gy])
			}
			if c != 0 {
				return c
			}
		}
		return 0
	}
	slices.SortFunc(order, byKeys)
	states, err := a.states(order)
	if err != nil {
		return nil, err
	}
	nk := len(p.Keys)
	cols := append([]arrow.Array(nil), states[:nk]...)
	for _, f := range p.Outputs {
		if f.Fn != "mean" {
			st := states[nk+f.A]
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
	for _, s := range states[nk:] {
		s.Release()
	}
	return array.NewRecordBatch(p.OutSchema(), cols, int64(len(order))), nil
}
