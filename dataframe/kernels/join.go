package kernels

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

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

// JoinPlan is an inner join done in Go.
type JoinPlan struct {
	On    []string
	Left  []string // the left side's other columns, in order
	Right []string // the right side's other columns, in order
	Names []string // the result's columns: keys, left's, right's
}

// NewJoinPlan returns the Go plan of an inner join of ls and rs on the
// keys, or nil when Go does not do it (then DuckDB does): another kind of
// join, keys of other types, categorical columns, or a result DuckDB plans
// otherwise than Go would give it (planned).
func NewJoinPlan(ls, rs *arrow.Schema, on []string, how string, planned *arrow.Schema, cats map[string][]string) *JoinPlan {
	if how != "inner" || len(cats) > 0 {
		return nil
	}
	p := &JoinPlan{On: on}
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
	if !SameTypes(arrow.NewSchema(fields, nil), planned) {
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

// buildCodes turns each key column of the build side into int64 codes,
// equal exactly where the keys are equal: integers are their values;
// strings of at most 7 bytes their bytes and length packed into an int64
// (as the group-bys pack them), and longer strings a negative number given
// to each distinct one, kept in long (one map per string key column, nil
// for the others) for probeCodes.
func buildCodes(bk []arrow.Array) (bc [][]int64, long []map[string]int64, err error) {
	bc, long = make([][]int64, len(bk)), make([]map[string]int64, len(bk))
	for c := range bk {
		switch b := bk[c].(type) {
		case *array.Int64:
			bc[c] = b.Int64Values()
		case *array.Int32:
			bc[c] = widen(b.Int32Values())
		case *array.String:
			m := map[string]int64{}
			bc[c], _ = stringCodes(b, func(s []byte) (int64, bool) {
				code, ok := m[string(s)]
				if !ok {
					code = -1 - int64(len(m))
					m[string(s)] = code
				}
				return code, true
			})
			long[c] = m
		default:
			return nil, nil, fmt.Errorf("dataframe: join keys of type %s", bk[c].DataType())
		}
	}
	return bc, long, nil
}

// probeCodes turns each key column of the probe side into the codes of
// buildCodes (bk the build side's key columns, long its long strings). A
// probe row whose long string the build side lacks matches nothing: the
// returned pok marks it false, as it marks rows with a null key.
func probeCodes(bk, pk []arrow.Array, long []map[string]int64, pok []bool) (pc [][]int64, _ []bool, err error) {
	pc = make([][]int64, len(pk))
	for c := range pk {
		switch p := pk[c].(type) {
		case *array.Int64:
			if _, ok := bk[c].(*array.Int64); ok {
				pc[c] = p.Int64Values()
				continue
			}
		case *array.Int32:
			if _, ok := bk[c].(*array.Int32); ok {
				pc[c] = widen(p.Int32Values())
				continue
			}
		case *array.String:
			if _, ok := bk[c].(*array.String); ok {
				var missing []int
				pc[c], missing = stringCodes(p, func(s []byte) (int64, bool) {
					code, ok := long[c][string(s)]
					return code, ok
				})
				if len(missing) > 0 {
					if pok == nil {
						pok = make([]bool, p.Len())
						for i := range pok {
							pok[i] = true
						}
					}
					for _, i := range missing {
						pok[i] = false
					}
				}
				continue
			}
		}
		return nil, nil, fmt.Errorf("dataframe: join keys of types %s and %s", bk[c].DataType(), pk[c].DataType())
	}
	return pc, pok, nil
}

func widen(v []int32) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

// stringCodes returns the code of each string of a: short strings packed,
// longer ones by long, and the rows whose long string long has no code
// for (their code is 0).
func stringCodes(a *array.String, long func([]byte) (int64, bool)) (codes []int64, missing []int) {
	if a.Len() == 0 {
		return nil, nil
	}
	offs, data := a.ValueOffsets(), a.ValueBytes()
	base := offs[0]
	codes = make([]int64, a.Len())
	for i := range codes {
		lo, hi := offs[i]-base, offs[i+1]-base
		switch {
		case hi-lo > 7:
			code, ok := long(data[lo:hi])
			if !ok {
				missing = append(missing, i)
			}
			codes[i] = code
		case int(lo)+8 <= len(data):
			w := binary.LittleEndian.Uint64(data[lo:])
			codes[i] = int64(w&(1<<(8*(hi-lo))-1) | uint64(hi-lo)<<56)
		default:
			codes[i] = packShort(data[lo:hi])
		}
	}
	return codes, missing
}

func namedColumns(rec arrow.RecordBatch, names []string) ([]arrow.Array, error) {
	out := make([]arrow.Array, len(names))
	for i, n := range names {
		ci, err := columnOf(rec.Schema(), n, "join")
		if err != nil {
			return nil, err
		}
		out[i] = rec.Column(ci)
	}
	return out, nil
}

// joinEntry is a build row's first two key codes (the second 0 for one
// key) in the join's table.
type joinEntry struct{ k1, k2 int64 }

// joinHash returns the hash of a row's first two key codes.
func joinHash(k1, k2 int64) uint64 { return shuffle.Mix(shuffle.Mix(uint64(k1)) ^ uint64(k2)) }

// joinSlot returns the table slot of a row's hash h (see joinHash), a
// table of 1<<(64-shift) slots: its top bits, after a multiplication.
func joinSlot(h uint64, shift uint) uint32 { return uint32((h * 0x9E3779B97F4A7C15) >> shift) }

// joinFilterBits is how many bits the join's filter has per build row:
// 16, so that a probe row whose key the build side lacks passes it about
// one time in 16 (one bit, set by each build row's hash), and a filter of
// 200,000 build rows (the benchmark's partition) is 512 KiB, which a
// core's cache holds, where the table's slot bounds (2 MiB) and entries
// (3 MiB) do not.
const joinFilterBits = 16

// joinFilter returns the filter's word and bit of a row's hash h: its
// low bits, which joinSlot does not use.
func joinFilter(h uint64, mask uint64) (uint64, uint64) {
	b := h & mask
	return b >> 6, 1 << (b & 63)
}

// JoinInner joins two partitions (see above).
func JoinInner(left, right arrow.RecordBatch, p JoinPlan) (arrow.RecordBatch, error) {
	build, probe := right, left
	if left.NumRows() < right.NumRows() {
		build, probe = left, right
	}
	t, err := newJoinTable(build, p)
	if err != nil {
		return nil, err
	}
	bi, pi, err := t.probe(probe, p, nil, nil)
	if err != nil {
		return nil, err
	}
	return joinGather(left, right, build == left, bi, pi, p)
}

// JoinBuild is the build side of an inner join made once and probed by
// one record after another (the records of a stream, each joined as it
// comes): Probe(r) gives the rows JoinInner would give for r, when the
// build side is the one JoinInner would build on (the smaller one; the
// right one of two of equal size).
type JoinBuild struct {
	rec  arrow.RecordBatch
	left bool
	p    JoinPlan
	t    *joinTable
	// The pairs of the last probe, kept for the next (the rows are
	// gathered into new arrays): a stream's small records would else
	// allocate a pair buffer each.
	bi, pi []int64
}

// NewJoinBuild makes the join's table of build, the join's left side when
// left is true, else its right side.
func NewJoinBuild(build arrow.RecordBatch, left bool, p JoinPlan) (*JoinBuild, error) {
	t, err := newJoinTable(build, p)
	if err != nil {
		return nil, err
	}
	return &JoinBuild{rec: build, left: left, p: p, t: t}, nil
}

// Rows returns the build side's rows.
func (b *JoinBuild) Rows() int64 { return b.rec.NumRows() }

// Probe joins probe, the other side, with the build side: the matching
// rows in probe's order (a probe row's matches in the build side's
// order), gathered into new arrays.
func (b *JoinBuild) Probe(probe arrow.RecordBatch) (arrow.RecordBatch, error) {
	bi, pi, err := b.t.probe(probe, b.p, b.bi[:0], b.pi[:0])
	if err != nil {
		return nil, err
	}
	b.bi, b.pi = bi, pi
	if b.left {
		return joinGather(b.rec, probe, true, bi, pi, b.p)
	}
	return joinGather(probe, b.rec, false, bi, pi, b.p)
}

// joinTable is a join's build side: its key codes, and the dense table
// (see joinDense) or the hash table that finds the rows of a key.
type joinTable struct {
	keys  []arrow.Array
	long  []map[string]int64
	dense *denseTable
	hash  *hashTable
}

// newJoinTable makes the table of the build side's keys.
func newJoinTable(build arrow.RecordBatch, p JoinPlan) (*joinTable, error) {
	bk, err := namedColumns(build, p.On)
	if err != nil {
		return nil, err
	}
	nb := int(build.NumRows())
	if nb >= math.MaxInt32 {
		return nil, fmt.Errorf("dataframe: a join partition of %d rows is too large; repartition into more partitions", nb)
	}
	bok := keysValid(bk, nb)
	bc, long, err := buildCodes(bk)
	if err != nil {
		return nil, err
	}
	t := &joinTable{keys: bk, long: long}
	if len(bc) == 1 {
		if d, ok := newDenseTable(bc[0], bok); ok {
			t.dense = d
			return t, nil
		}
	}
	t.hash = newHashTable(bc, bok, nb)
	return t, nil
}

// probe returns the pairs of build rows bi and probe rows pi that match,
// in the probe side's order (a probe row's matches in build order),
// appended to bi and pi (nil: new slices).
func (t *joinTable) probe(probe arrow.RecordBatch, p JoinPlan, bi, pi []int64) (_, _ []int64, err error) {
	pk, err := namedColumns(probe, p.On)
	if err != nil {
		return nil, nil, err
	}
	np := int(probe.NumRows())
	pc, pok, err := probeCodes(t.keys, pk, t.long, keysValid(pk, np))
	if err != nil {
		return nil, nil, err
	}
	if t.dense != nil {
		bi, pi = t.dense.probe(pc[0], pok, bi, pi)
		return bi, pi, nil
	}
	bi, pi = t.hash.probe(pc, pok, np, bi, pi)
	return bi, pi, nil
}

// hashTable finds the build rows of a key by hash: build rows ordered by
// slot (a counting sort), each slot's rows a run of entries from
// start[slot], so that a probe reads the slot's bounds and then its
// entries, side by side; and a filter, a bit per build row's hash, which
// most probe rows that match nothing find clear without reading the table.
type hashTable struct {
	nb      int
	two     bool      // two keys or more (else the entries' k2 is 0)
	rest    [][]int64 // the build codes of the keys past two, compared apart
	shift   uint
	start   []int32
	entries []joinEntry
	rows    []int32
	filter  []uint64
	fmask   uint64
}

func newHashTable(bc [][]int64, bok []bool, nb int) *hashTable {
	// The second key's codes (nil for one key: the entries hold 0); the
	// keys past two are compared apart.
	var bk2 []int64
	var rest [][]int64
	if len(bc) > 1 {
		bk2, rest = bc[1], bc[2:]
	}
	two := bk2 != nil
	size := 16
	for size < 2*nb {
		size <<= 1
	}
	shift := uint(64 - bits.TrailingZeros(uint(size)))
	slots := make([]uint32, nb)
	start := make([]int32, size+1)
	fsize := uint64(64)
	for fsize < uint64(joinFilterBits*nb) {
		fsize <<= 1
	}
	fmask := fsize - 1
	filter := make([]uint64, fsize/64)
	for b := range nb {
		if bok != nil && !bok[b] {
			continue
		}
		k2 := int64(0)
		if two {
			k2 = bk2[b]
		}
		h := joinHash(bc[0][b], k2)
		s := joinSlot(h, shift)
		slots[b] = s
		start[s+1]++
		w, bit := joinFilter(h, fmask)
		filter[w] |= bit
	}
	for s := 1; s <= size; s++ {
		start[s] += start[s-1]
	}
	entries := make([]joinEntry, start[size])
	rows := make([]int32, start[size])
	fill := append([]int32(nil), start[:size]...)
	for b := range nb {
		if bok != nil && !bok[b] {
			continue
		}
		s := slots[b]
		e := joinEntry{k1: bc[0][b]}
		if two {
			e.k2 = bk2[b]
		}
		entries[fill[s]] = e
		rows[fill[s]] = int32(b)
		fill[s]++
	}
	return &hashTable{nb: nb, two: two, rest: rest, shift: shift, start: start, entries: entries, rows: rows, filter: filter, fmask: fmask}
}

// probe returns the pairs of build rows bi and probe rows pi (of np rows,
// key codes pc) that match, in the probe side's order, appended to bi and
// pi (nil: new slices).
func (t *hashTable) probe(pc [][]int64, pok []bool, np int, bi, pi []int64) ([]int64, []int64) {
	var pk2 []int64
	var prest [][]int64
	if t.two {
		pk2, prest = pc[1], pc[2:]
	}
	two, rest, shift, start, entries, rows, filter, fmask := t.two, t.rest, t.shift, t.start, t.entries, t.rows, t.filter, t.fmask
	if bi == nil {
		bi = make([]int64, 0, min(np, t.nb)/2+16)
		pi = make([]int64, 0, cap(bi))
	}
	pk1 := pc[0]
	// Probes go in batches: first every row's hash and filter bit, which
	// keeps the rows that may match (most rows that match nothing stop
	// there); then their slot bounds (loads that do not wait on each
	// other, so the processor overlaps their cache misses); then the
	// entries of the slots that have any.
	const batch = 256
	var lo, hi [batch]int32
	var cand [batch]int32
	var hs [batch]uint64
	for j0 := 0; j0 < np; j0 += batch {
		n := min(batch, np-j0)
		nc := 0
		for t := range n {
			k2 := int64(0)
			if two {
				k2 = pk2[j0+t]
			}
			h := joinHash(pk1[j0+t], k2)
			w, bit := joinFilter(h, fmask)
			if filter[w]&bit != 0 {
				cand[nc], hs[nc] = int32(t), h
				nc++
			}
		}
		for c := range nc {
			s := joinSlot(hs[c], shift)
			lo[c], hi[c] = start[s], start[s+1]
		}
		for c := range nc {
			if lo[c] == hi[c] {
				continue
			}
			t := int(cand[c])
			j := j0 + t
			if pok != nil && !pok[j] {
				continue
			}
			k1, k2 := pk1[j], int64(0)
			if two {
				k2 = pk2[j]
			}
		run:
			for e := lo[c]; e < hi[c]; e++ {
				en := &entries[e]
				if en.k1 != k1 || en.k2 != k2 {
					continue
				}
				row := rows[e]
				for c := range rest {
					if rest[c][row] != prest[c][j] {
						continue run
					}
				}
				bi = append(bi, int64(row))
				pi = append(pi, int64(j))
			}
		}
	}
	return bi, pi
}

// joinGather returns the joined rows: the pairs of build rows bi and
// probe rows pi (the build side the left one when buildLeft) gathered
// into the plan's columns.
func joinGather(left, right arrow.RecordBatch, buildLeft bool, bi, pi []int64, p JoinPlan) (arrow.RecordBatch, error) {
	li, ri := pi, bi
	if buildLeft {
		li, ri = bi, pi
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

// maxDenseSpan bounds the keys a dense join table covers (see joinDense):
// it takes 4 bytes a key value, 16 MiB at most.
const maxDenseSpan = 1 << 22

// denseSpanPerRow is how many key values a dense join table may cover per
// build row: a build side of 10,000 ids among 100,000 (the benchmark's
// dimension table, filtered) is dense enough.
const denseSpanPerRow = 16

// joinDense joins one integer key by direct addressing when the build
// side's keys lie in a range of at most denseSpanPerRow values a row (and
// maxDenseSpan in all): a probe row's key minus the least one indexes the
// first build row of that key, which links to the next, with no hash,
// filter or key comparison (a slot holds only rows of its key). It
// returns the pairs of build and probe rows that match, in the probe
// side's order (a probe row's matches in build order), or false when the
// keys are not dense enough (then the hash table joins them).
func joinDense(bk, pk []int64, bok, pok []bool) (bi, pi []int64, ok bool) {
	d, ok := newDenseTable(bk, bok)
	if !ok {
		return nil, nil, false
	}
	bi, pi = d.probe(pk, pok, nil, nil)
	return bi, pi, true
}

// denseTable is joinDense's table: head[d] is 1 + the first build row of
// key lo+d (0: none), next[b] 1 + the build row after b of its key;
// head[span] stays 0, so that a probe key out of the range (clamped to
// span) finds no row without a branch.
type denseTable struct {
	lo   int64
	span uint64
	head []int32
	next []int32
}

// newDenseTable makes the dense table of the build keys bk, or reports
// false when they are not dense enough (see joinDense).
func newDenseTable(bk []int64, bok []bool) (*denseTable, bool) {
	nb := len(bk)
	lo, hi, any := int64(0), int64(0), false
	for b, k := range bk {
		if bok != nil && !bok[b] {
			continue
		}
		if !any {
			lo, hi, any = k, k, true
		}
		lo, hi = min(lo, k), max(hi, k)
	}
	if !any {
		return nil, false
	}
	span := uint64(hi) - uint64(lo) + 1
	if span == 0 || span > maxDenseSpan || span > uint64(denseSpanPerRow*nb+64) {
		return nil, false
	}
	head := make([]int32, span+1)
	next := make([]int32, nb)
	for b := nb - 1; b >= 0; b-- {
		if bok != nil && !bok[b] {
			continue
		}
		d := uint64(bk[b]) - uint64(lo)
		next[b] = head[d]
		head[d] = int32(b + 1)
	}
	return &denseTable{lo: lo, span: span, head: head, next: next}, true
}

// probe returns the pairs of build rows bi and probe rows pi that match,
// in the probe side's order, appended to bi and pi (nil: new slices).
func (t *denseTable) probe(pk []int64, pok []bool, bi, pi []int64) ([]int64, []int64) {
	lo, span, head, next := t.lo, t.span, t.head, t.next
	np := len(pk)
	if bi == nil {
		bi = make([]int64, 0, min(np, len(next))+16)
		pi = make([]int64, 0, cap(bi))
	}
	// Probes go in batches: first every row's first match (loads that do
	// not wait on each other), then the rows of the keys that have any.
	const batch = 256
	var first [batch]int32
	for j0 := 0; j0 < np; j0 += batch {
		n := min(batch, np-j0)
		keys := pk[j0 : j0+n]
		for t, k := range keys {
			first[t] = head[min(uint64(k)-uint64(lo), span)]
		}
		for t := range n {
			if first[t] == 0 {
				continue
			}
			j := j0 + t
			if pok != nil && !pok[j] {
				continue
			}
			for e := first[t]; e != 0; e = next[e-1] {
				bi = append(bi, int64(e-1))
				pi = append(pi, int64(j))
			}
		}
	}
	return bi, pi
}
