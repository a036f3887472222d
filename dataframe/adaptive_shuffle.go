package dataframe

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/shuffle"
)

// Adaptive execution of the shuffles of GroupBy(...).SplitOut(n) and of
// SetIndex/SortValues, in the design of the shuffled Merge's (adaptive.go):
// the map side runs first, then each output's rows and bytes decide which
// neighbouring outputs are read as one partition and which skewed output
// is cut.
//
// A group-by's output holds whole groups (each key is in exactly one
// output): outputs read together still hold each group once. A skewed
// output is cut by the finer bits of the same hash that placed its rows
// (output j of n takes the hashes of outputs j*k..j*k+k-1 of n*k), so a
// group is never split; and only when its rows prove it holds several
// groups: it received more rows of partial results than the shuffle had
// inputs, and each input sends at most one row a group.
//
// A range output holds the rows whose index value lies in its range:
// neighbouring ranges read together make one range (their inner division
// dropped: still sorted, the ends still the data's least and greatest
// value). A skewed range is sampled (a small graph of its own, after the
// map side) and cut at values of the index that the sample found in it,
// so that rows of one value stay in one piece and each new division is a
// value the data holds; a range whose sample holds one value is not cut.

// ranDecisions keeps what adaptive execution decided in a step's last
// run, for Explain.
type ranDecisions struct {
	mu    sync.Mutex // protects lines
	lines []string
}

// decided keeps the decisions of a run, replacing the last run's.
func (d *ranDecisions) decided(lines []adaptiveLine) {
	if d == nil {
		return
	}
	d.mu.Lock()
	d.lines = d.lines[:0:0]
	for _, l := range lines {
		d.lines = append(d.lines, l.text)
	}
	d.mu.Unlock()
}

// shown returns the decisions of the last run as Explain prints them.
func (d *ranDecisions) shown() []string {
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]string, len(d.lines))
	for i, l := range d.lines {
		out[i] = "adaptive: " + l
	}
	return out
}

// ranLines returns the decisions of the group-by's last run, for Explain.
func (n *reduceNode) ranLines() []string { return n.adapt.shown() }

// ranLines returns the decisions of the range shuffle's last run, for
// Explain.
func (n *rangeNode) ranLines() []string { return n.adapt.shown() }

// rangeRan is what one run of a range shuffle made of its divisions: the
// planned ones, and the ones its partitions have.
type rangeRan struct {
	planned, ran *Divisions
}

// divisionsAfter returns the divisions of the partitions a run made of a
// step whose plan has divisions planned: those of the range shuffle that
// made them, as it ran, or nil when no range shuffle of the run planned
// them.
func (a *adaptiveRun) divisionsAfter(planned *Divisions) *Divisions {
	if a == nil || planned == nil {
		return nil
	}
	for _, r := range a.ranges {
		if r.planned.Column == planned.Column && equalBounds(r.planned.Bounds, planned.Bounds) {
			return r.ran
		}
	}
	return nil
}

// record logs each line under its rule (coalescing or skew) about the
// step named by subject.
func (a *adaptiveRun) recordLines(subject string, lines []adaptiveLine) {
	for _, ln := range lines {
		rule := ruleAdaptiveCoalesce
		if ln.skew {
			rule = ruleAdaptiveSkew
		}
		a.record(rule, subject+": "+ln.text)
	}
}

// mapSideOf adds the map side of a shuffle of in into nout outputs, of
// the kind (shuffle.Hash or shuffle.Range, with bounds) given.
// Neighbouring outputs have one owner, as for mapSide.
func (lw *lowering) mapSideOf(in []part, schema *arrow.Schema, kind string, cols []string, nout int, bounds []any) (*mapSide, error) {
	spec, err := lw.shuffleSpec(schema, kind, cols, nout, bounds, neighbourOwners(nout))
	if err != nil {
		return nil, err
	}
	sents := lw.transfers(in, spec)
	return &mapSide{spec: spec, barrier: dusk.Call[shuffle.Sent](shuffle.Barrier, sents), unpacks: map[int]part{}}, nil
}

// readRun returns outputs from..to-1 as one partition: read by one task
// on their owner when one worker owns them all, assembled once
// (shuffle.UnpackRun), else as read.
func (m *mapSide) readRun(from, to int) part {
	owner := m.spec.Owners[from]
	if to-from == 1 || slices.ContainsFunc(m.spec.Owners[from:to], func(o string) bool { return o != owner }) {
		return m.read(from, to)
	}
	fn := shuffle.UnpackRun.With(dusk.Workers(owner), dusk.AllowOtherWorkers())
	return dusk.Call[arrow.RecordBatch](fn, m.total, m.spec, from, to)
}

// outSkew is how planSingle judges one output: skewed or not, and the
// pieces its size asks for.
type outSkew struct {
	skewed bool
	pieces int
}

// planSingle decides, from what each output of one shuffle received,
// which outputs are read as one partition (runs of neighbours up to
// conf.coalesceTarget bytes, when coalescing is on) and which are cut:
// an output more than conf.skewFactor times the median and over
// conf.skewBytes, into about conf.pieceBytes a piece (2 to maxSkewPieces,
// no more than its rows), when cuttable says it may be. A skewed output
// is never part of a run, and a run never spans two owners (when owners
// are given): it is read where it is, in one task (shuffle.UnpackRun),
// and each worker that owns outputs keeps a partition of them. The line
// says how many outputs were read as how many partitions, or is empty
// when no run was coalesced.
func planSingle(s shuffle.Sent, owners []string, conf adaptiveConf, cuttable func(j int) bool) ([]outGroup, map[int]outSkew, string) {
	n := len(s.Bytes)
	med := median(s.Bytes)
	skews := map[int]outSkew{}
	for j, b := range s.Bytes {
		if b > conf.skewBytes && float64(b) > conf.skewFactor*float64(med) {
			skews[j] = outSkew{skewed: true, pieces: conf.skewPieces(b, s.Rows[j])}
		}
	}
	var groups []outGroup
	var runs runTally
	for i := 0; i < n; {
		if sk, ok := skews[i]; ok && sk.pieces > 1 && cuttable(i) {
			groups = append(groups, outGroup{from: i, to: i + 1, split: sk.pieces})
			i++
			continue
		}
		j := runs.extend(i, n, conf.coalesceTarget, func(j int) int64 { return s.Bytes[j] }, func(j int) bool {
			return !skews[j].skewed && !skews[i].skewed && (owners == nil || owners[j] == owners[i])
		})
		groups = append(groups, outGroup{from: i, to: j})
		i = j
	}
	line := ""
	if runs.from > 0 {
		line = fmt.Sprintf("%d of the %d shuffle outputs (%s in all) read as %s (target %s)",
			runs.from, n, sizeString(runs.bytes), partitionsWord(runs.to), sizeString(conf.coalesceTarget))
	}
	return groups, skews, line
}

// confFor returns the settings for a shuffle into nout outputs: with
// fewer than coalesceMinPartitions, no coalescing (few enough tasks that
// their overhead does not matter, as the planner judges; fewer, larger
// partitions would only cost parallelism), skewed outputs still cut.
func (a *adaptiveRun) confFor(nout int) adaptiveConf {
	c := a.conf
	if nout < coalesceMinPartitions {
		c.coalesceTarget = 0
	}
	return c
}

// skewText describes a skewed output: its size against the median and the
// settings that made it skewed.
func skewText(s shuffle.Sent, j int, conf adaptiveConf) string {
	return fmt.Sprintf("shuffle output %d of %d holds %s in %d rows (median %s; skew factor %g, skew bytes %s)",
		j, len(s.Bytes), sizeString(s.Bytes[j]), s.Rows[j], sizeString(median(s.Bytes)), conf.skewFactor, sizeString(conf.skewBytes))
}

// adaptiveReduce lowers the shuffle of a group-by's partial results
// (chunks) into SplitOut outputs adaptively: outputs read together run
// one final step, and a skewed output that holds several groups is cut by
// a finer hash of the keys, each piece running the final step (see the
// top of this file).
func (a *adaptiveRun) adaptiveReduce(lw *lowering, n *reduceNode, chunks []part, final func(p part) part) ([]part, error) {
	ms, err := lw.mapSideOf(chunks, n.midSchema, shuffle.Hash, n.r.keys, n.r.splitOut, nil)
	if err != nil {
		return nil, err
	}
	if err := lw.runMapSides(ms); err != nil {
		return nil, err
	}
	nin := int64(len(chunks))
	groups, skews, line := planSingle(ms.sent, ms.spec.Owners, a.confFor(n.r.splitOut), func(j int) bool { return ms.sent.Rows[j] > nin })
	var lines []adaptiveLine
	var out []part
	for _, g := range groups {
		if g.split > 1 {
			lines = append(lines, adaptiveLine{skew: true, text: fmt.Sprintf(
				"%s of partial results from %d inputs, so several groups: cut into %d pieces by a finer hash of [%s] (no group split)",
				skewText(ms.sent, g.from, a.conf), nin, g.split, strings.Join(n.r.keys, ", "))})
			whole := ms.unpack(g.from)
			for i := range g.split {
				out = append(out, final(dusk.Call[arrow.RecordBatch](fnHashPiece, whole, n.r.keys, g.from, n.r.splitOut, g.split, i)))
			}
			continue
		}
		if sk := skews[g.from]; sk.skewed && g.to-g.from == 1 {
			lines = append(lines, adaptiveLine{skew: true, text: fmt.Sprintf(
				"%s of partial results from %d inputs, perhaps one group: not cut (a group is never split)",
				skewText(ms.sent, g.from, a.conf), nin)})
		}
		out = append(out, final(ms.readRun(g.from, g.to)))
	}
	if line != "" {
		lines = append(lines, adaptiveLine{text: fmt.Sprintf("%s: %s instead of %d", line, partitionsWord(len(out)), n.r.splitOut)})
	}
	a.decide(n.adapt, n.r.op, lines, hasSplit(groups))
	return out, nil
}

func hasSplit(gs []outGroup) bool {
	for _, g := range gs {
		if g.split > 1 || g.to-g.from > 1 {
			return true
		}
	}
	return false
}

// decide keeps a step's decisions for Explain, logs them and notes
// whether they changed the plan's partitions.
func (a *adaptiveRun) decide(d *ranDecisions, subject string, lines []adaptiveLine, changed bool) {
	d.decided(lines)
	a.changed = a.changed || changed
	a.recordLines(subject, lines)
}

var fnHashPiece = dusk.Register("dataframe.hash-piece", hashPiece)

// hashPiece returns piece i of k of output j of a hash shuffle into n
// outputs on keys: the rows whose hash places them in output j*k+i of a
// shuffle into n*k outputs (the rows of output j are in outputs j*k to
// j*k+k-1 of that one; equal keys, one piece).
func hashPiece(rec arrow.RecordBatch, keys []string, j, n, k, i int) (arrow.RecordBatch, error) {
	if n < 1 || k < 1 || j < 0 || j >= n || i < 0 || i >= k || int64(n)*int64(k) > math.MaxInt32 {
		return nil, fmt.Errorf("dataframe: piece %d of %d of hash output %d of %d", i, k, j, n)
	}
	spec := shuffle.Spec{Kind: shuffle.Hash, Columns: keys, Owners: make([]string, n*k)}
	t, err := shuffle.Targets(rec, &spec)
	if err != nil {
		return nil, err
	}
	return rowsWhere(rec, t, int32(j*k+i))
}

var fnRangePiece = dusk.Register("dataframe.range-piece", rangePiece)

// rangePiece returns the rows of rec whose value of col falls in range i
// of bounds (nulls, and values past the last inner bound, in the last).
func rangePiece(rec arrow.RecordBatch, col string, bounds []any, i int) (arrow.RecordBatch, error) {
	spec := shuffle.Spec{Kind: shuffle.Range, Columns: []string{col}, Bounds: bounds, Owners: make([]string, len(bounds)-1)}
	t, err := shuffle.Targets(rec, &spec)
	if err != nil {
		return nil, err
	}
	return rowsWhere(rec, t, int32(i))
}

// rowsWhere returns the rows of rec whose target is want, in order.
func rowsWhere(rec arrow.RecordBatch, targets []int32, want int32) (arrow.RecordBatch, error) {
	var idx []int64
	for r, t := range targets {
		if t == want {
			idx = append(idx, int64(r))
		}
	}
	if len(idx) == len(targets) {
		return rec, nil
	}
	cols := make([]arrow.Array, rec.NumCols())
	for c := range cols {
		a, err := shuffle.Gather(rec.Column(c), idx)
		if err != nil {
			return nil, fmt.Errorf("dataframe: taking rows of column %q: %w", rec.ColumnName(c), err)
		}
		cols[c] = a
	}
	return array.NewRecordBatch(rec.Schema(), cols, int64(len(idx))), nil
}

// adaptiveRange lowers a range shuffle adaptively: neighbouring tiny
// ranges are read (and sorted) as one, and a skewed range is cut at
// values of the index a sample of it finds (see the top of this file).
// sortOne sorts one partition as the plan does.
func (a *adaptiveRun) adaptiveRange(lw *lowering, n *rangeNode, in []part, sortOne func(p part) part) ([]part, error) {
	nout := len(n.bounds) - 1
	ms, err := lw.mapSideOf(in, n.child.meta().schema, shuffle.Range, n.cols[:1], nout, n.bounds)
	if err != nil {
		return nil, err
	}
	if err := lw.runMapSides(ms); err != nil {
		return nil, err
	}
	groups, skews, line := planSingle(ms.sent, ms.spec.Owners, a.confFor(nout), func(int) bool { return true })
	cuts, err := lw.rangeCuts(ms, n, groups)
	if err != nil {
		return nil, err
	}
	col := n.cols[0]
	var lines []adaptiveLine
	var out []part
	bounds := []any{n.bounds[0]}
	for _, g := range groups {
		if g.split > 1 {
			cut := cuts[g.from]
			end := ")"
			if g.from == nout-1 {
				end = "]"
			}
			text := fmt.Sprintf("%s, range [%v, %v%s of %s", skewText(ms.sent, g.from, a.conf), n.bounds[g.from], n.bounds[g.from+1], end, col)
			if len(cut.values) == 0 {
				lines = append(lines, adaptiveLine{skew: true, text: text + ": its sample holds one value, not cut (rows of one value stay together)"})
				out = append(out, sortOne(cut.whole))
				bounds = append(bounds, n.bounds[g.from+1])
				continue
			}
			pb := append(append([]any{n.bounds[g.from]}, cut.values...), n.bounds[g.from+1])
			lines = append(lines, adaptiveLine{skew: true, text: fmt.Sprintf("%s: cut into %d ranges at %s = %s (each a value it holds)",
				text, len(pb)-1, col, valuesString(cut.values))})
			for i := range len(pb) - 1 {
				out = append(out, sortOne(dusk.Call[arrow.RecordBatch](fnRangePiece, cut.whole, col, pb, i)))
			}
			bounds = append(bounds, pb[1:]...)
			continue
		}
		if skews[g.from].skewed {
			lines = append(lines, adaptiveLine{skew: true, text: skewText(ms.sent, g.from, a.conf) + ": not cut"})
		}
		out = append(out, sortOne(ms.readRun(g.from, g.to)))
		bounds = append(bounds, n.bounds[g.to])
	}
	changed := !equalBounds(bounds, n.bounds)
	if line != "" {
		lines = append(lines, adaptiveLine{text: fmt.Sprintf("%s: %s instead of %d", line, partitionsWord(len(out)), nout)})
	}
	if changed {
		lines = append(lines, adaptiveLine{text: "divisions " + boundsString(bounds)})
	}
	if n.desc {
		slices.Reverse(out)
	}
	if n.m.divs != nil {
		ran := n.m.divs
		if changed {
			ran = &Divisions{Column: n.m.divs.Column, Bounds: bounds}
		}
		a.ranges = append(a.ranges, rangeRan{planned: n.m.divs, ran: ran})
	}
	a.decide(n.adapt, fmt.Sprintf("%s [%s]", n.op, strings.Join(n.cols, ", ")), lines, changed)
	return out, nil
}

// valuesString prints division values, a few of them when many.
func valuesString(vs []any) string {
	if len(vs) <= 8 {
		parts := make([]string, len(vs))
		for i, v := range vs {
			parts[i] = fmt.Sprint(v)
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprintf("%v, %v, %v ... %v (%d values)", vs[0], vs[1], vs[2], vs[len(vs)-1], len(vs))
}

// skewCut is a skewed range output, held on the cluster, and the values
// it is cut at (none: it holds one value).
type skewCut struct {
	whole  part
	values []any
}

// rangeCuts reads, for each skewed range output to cut, the output itself
// (kept on the cluster until the computation ends, see lowering.held) and
// a sample of its index values, in one graph, and picks the values to cut
// it at: up to split-1 values of the sample above its least, at even
// steps of its quantiles, each once.
func (lw *lowering) rangeCuts(ms *mapSide, n *rangeNode, groups []outGroup) (map[int]skewCut, error) {
	var lazy []dusk.Lazy
	var at []outGroup
	for _, g := range groups {
		if g.split > 1 {
			points := max(quantilePoints, 8*g.split)
			whole := ms.unpack(g.from).(*dusk.Delayed[arrow.RecordBatch])
			lazy = append(lazy, whole, dusk.Call[arrow.RecordBatch](fnSample, whole, n.cols[0], points))
			at = append(at, g)
		}
	}
	if len(lazy) == 0 {
		return nil, nil
	}
	futs, err := dusk.PersistAll(lw.ctx, lw.c, lazy)
	if err != nil {
		return nil, err
	}
	samples := make([]*dusk.AnyFuture, 0, len(at))
	for i := range at {
		lw.held = append(lw.held, futs[2*i])
		samples = append(samples, futs[2*i+1])
	}
	recs, err := gatherRecords(lw.ctx, samples)
	release(samples)
	if err != nil {
		return nil, err
	}
	out := map[int]skewCut{}
	for i, g := range at {
		var qs []any
		if r := recs[i]; r.NumRows() > 0 {
			vals, err := scalars(r.Column(0))
			if err != nil {
				return nil, err
			}
			for _, v := range vals {
				if f, ok := v.(float64); v == nil || (ok && math.IsNaN(f)) {
					continue
				}
				qs = append(qs, v)
			}
		}
		var cuts []any
		for p := 1; p < g.split && len(qs) > 0; p++ {
			v := qs[p*(len(qs)-1)/g.split]
			last := qs[0]
			if len(cuts) > 0 {
				last = cuts[len(cuts)-1]
			}
			if compareAny(v, last) > 0 {
				cuts = append(cuts, v)
			}
		}
		out[g.from] = skewCut{whole: futs[2*i], values: cuts}
	}
	return out, nil
}
