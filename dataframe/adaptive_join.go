package dataframe

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/shuffle"
)

// fnSent hands the sizes a shuffle's Barrier returned to its Unpacks: the
// value travels in the graph once, in this task, not with each Unpack.
var fnSent = dusk.Register("dataframe.shuffle-sent", func(s shuffle.Sent) shuffle.Sent { return s })

// mapSide is the map side of one hash shuffle: its Transfers and Barrier,
// and, once they ran, what each output received.
type mapSide struct {
	spec    shuffle.Spec
	barrier *dusk.Delayed[shuffle.Sent]
	sent    shuffle.Sent
	total   *dusk.Delayed[shuffle.Sent] // sent, for the Unpacks
	unpacks map[int]part
}

// mapSide adds the map side of a hash shuffle of in on cols into nout
// outputs. Neighbouring outputs have one owner (output j goes to worker
// j*workers/nout), so that outputs read as one partition are mostly on
// one worker already.
func (lw *lowering) mapSide(in []part, schema *arrow.Schema, cols []string, nout int) (*mapSide, error) {
	spec, err := lw.shuffleSpec(schema, shuffle.Hash, cols, nout, nil, neighbourOwners(nout))
	if err != nil {
		return nil, err
	}
	sents := lw.balancedTransfers(in, spec)
	return &mapSide{spec: spec, barrier: dusk.Call[shuffle.Sent](shuffle.Barrier, sents), unpacks: map[int]part{}}, nil
}

// neighbourOwners gives neighbouring outputs of nout one owner: output j
// goes to worker j*workers/nout.
func neighbourOwners(nout int) func(j, nw int) int {
	return func(j, nw int) int { return j * nw / nout }
}

// runMapSides runs the map sides (one graph) and keeps what their outputs
// received.
func (lw *lowering) runMapSides(sides ...*mapSide) error {
	lazy := make([]dusk.Lazy, len(sides))
	for i, s := range sides {
		lazy[i] = s.barrier
	}
	vals, err := dusk.ComputeAll(lw.ctx, lw.c, lazy)
	if err != nil {
		return err
	}
	for i, v := range vals {
		sent, ok := v.(shuffle.Sent)
		if !ok || len(sent.Bytes) != sides[i].spec.NOut() || len(sent.Rows) != sides[i].spec.NOut() {
			return fmt.Errorf("dataframe: internal error: the barrier of shuffle %s returned %T", sides[i].spec.ID, v)
		}
		sides[i].sent = sent
		sides[i].total = dusk.Call[shuffle.Sent](fnSent, sent)
	}
	return nil
}

// bytes returns the bytes all outputs received.
func (m *mapSide) bytes() int64 {
	var n int64
	for _, b := range m.sent.Bytes {
		n += b
	}
	return n
}

// unpack returns output j, read on its owner.
func (m *mapSide) unpack(j int) part {
	if p, ok := m.unpacks[j]; ok {
		return p
	}
	fn := shuffle.Unpack.With(dusk.Workers(m.spec.Owners[j]), dusk.AllowOtherWorkers())
	p := dusk.Call[arrow.RecordBatch](fn, m.total, m.spec, j)
	m.unpacks[j] = p
	return p
}

// read returns outputs from..to-1 as one partition.
func (m *mapSide) read(from, to int) part {
	if to-from == 1 {
		return m.unpack(from)
	}
	ps := make([]part, 0, to-from)
	for j := from; j < to; j++ {
		ps = append(ps, m.unpack(j))
	}
	return dusk.Call[arrow.RecordBatch](fnConcat, partList(ps))
}

// broadcastSide returns the side a join of this kind may broadcast ("" for
// an outer join): the one whose unmatched rows are not kept; of an inner
// join, the one the plan estimates smaller (the right when unknown).
func broadcastSide(j *joinNode) string {
	lm, rm := j.left.meta(), j.right.meta()
	switch j.how {
	case "inner":
		if lm.bytes >= 0 && (rm.bytes < 0 || lm.bytes < rm.bytes) {
			return "left"
		}
		return "right"
	case "left":
		return "right"
	case "right":
		return "left"
	}
	return ""
}

// exactlyAtLeast reports whether n's size is known exactly (a persisted
// DataFrame measured its partitions) and is at least size: its map side
// need not run first to learn that it is not small.
func exactlyAtLeast(n node, size int64) bool {
	p, ok := n.(*persistedNode)
	if !ok || len(p.bytes) != p.m.nparts {
		return false
	}
	var total int64
	for _, b := range p.bytes {
		total += b
	}
	return total >= size
}

// adaptiveJoin lowers a shuffled Merge adaptively. It runs the map side
// of the shuffle of the side the join may broadcast first: when that side
// turns out under the broadcast threshold, it is read whole and joined
// with each partition of the other side, which is not shuffled at all
// (a side persisted at the threshold or over is known not to be small:
// both map sides then run at once).
// Otherwise it runs the other side's map side, and planOutputs decides,
// from the bytes each output received, which neighbouring outputs are
// read as one partition and which skewed outputs are cut. A Strategy
// option keeps the join a shuffle (no broadcast switch).
//
// joinMany, when not nil, joins runs of coalesced outputs pair by pair in
// one task (an inner join in Go), in place of joining each side's run
// copied into one record.
func (a *adaptiveRun) adaptiveJoin(lw *lowering, j *joinNode, l, r []part, join func(x, y part) part, joinMany func(xs, ys []part) part) ([]part, error) {
	nout := j.m.nparts
	threshold := int64(-1)
	if j.adapt != nil && !j.adapt.forced {
		threshold = j.adapt.threshold
	}
	var ls, rs *mapSide
	var err error
	side := func(name string) (*mapSide, error) {
		if name == "left" {
			return lw.mapSide(l, j.left.meta().schema, j.on, nout)
		}
		return lw.mapSide(r, j.right.meta().schema, j.on, nout)
	}
	cand, candNode := broadcastSide(j), j.right
	if cand == "left" {
		candNode = j.left
	}
	if cand != "" && threshold > 0 && !exactlyAtLeast(candNode, threshold) {
		first, err := side(cand)
		if err != nil {
			return nil, err
		}
		if err := lw.runMapSides(first); err != nil {
			return nil, err
		}
		if size := first.bytes(); size < threshold {
			return a.broadcast(j, cand, first, l, r, join), nil
		}
		if cand == "left" {
			ls = first
		} else {
			rs = first
		}
	}
	var todo []*mapSide
	if ls == nil {
		if ls, err = side("left"); err != nil {
			return nil, err
		}
		todo = append(todo, ls)
	}
	if rs == nil {
		if rs, err = side("right"); err != nil {
			return nil, err
		}
		todo = append(todo, rs)
	}
	if err := lw.runMapSides(todo...); err != nil {
		return nil, err
	}
	groups, lines := planOwnedOutputs(ls.sent, rs.sent, j.how, a.conf, ls.spec.Owners)
	j.adapt.decided(lines)
	a.changed = a.changed || len(lines) > 0
	for _, ln := range lines {
		rule := ruleAdaptiveCoalesce
		if ln.skew {
			rule = ruleAdaptiveSkew
		}
		a.record(rule, adaptiveNote(j)+": "+ln.text)
	}
	var out []part
	for _, g := range groups {
		if g.split > 1 {
			big, other := ls, rs
			if !g.splitLeft {
				big, other = rs, ls
			}
			whole, match := big.unpack(g.from), other.unpack(g.from)
			for i := range g.split {
				piece := dusk.Call[arrow.RecordBatch](fnSlice, whole, i, g.split)
				if g.splitLeft {
					out = append(out, join(piece, match))
				} else {
					out = append(out, join(match, piece))
				}
			}
			continue
		}
		if joinMany != nil && g.to-g.from > 1 {
			var xs, ys []part
			for k := g.from; k < g.to; k++ {
				xs, ys = append(xs, ls.unpack(k)), append(ys, rs.unpack(k))
			}
			out = append(out, joinMany(xs, ys))
			continue
		}
		out = append(out, join(ls.read(g.from, g.to), rs.read(g.from, g.to)))
	}
	return out, nil
}

// broadcast joins the whole of the small side, read from its shuffle's
// outputs, with each partition of the other side.
func (a *adaptiveRun) broadcast(j *joinNode, small string, m *mapSide, l, r []part, join func(x, y part) part) []part {
	whole := m.read(0, m.spec.NOut())
	big, other := l, "left"
	if small == "left" {
		big, other = r, "right"
	}
	out := make([]part, len(big))
	for i, p := range big {
		if small == "right" {
			out[i] = join(p, whole)
		} else {
			out[i] = join(whole, p)
		}
	}
	line := fmt.Sprintf("the %s side is %s after its map side, under the broadcast threshold %s: switched to a broadcast of it to each of the %s side's %d partitions (the %s side was not shuffled)",
		small, sizeString(m.bytes()), sizeString(j.adapt.threshold), other, len(big), other)
	j.adapt.decided([]adaptiveLine{{text: line}})
	a.changed = true
	a.record(ruleAdaptiveBroadcast, adaptiveNote(j)+": "+line)
	return out
}

// adaptiveLine is one decision, for Explain and the advice.
type adaptiveLine struct {
	text string
	skew bool
}

// outGroup is one downstream partition of a shuffled join: outputs
// from..to-1 read as one, or output from cut into split pieces of the left
// (splitLeft) or the right side, each joined with the other side's whole
// output.
type outGroup struct {
	from, to  int
	split     int
	splitLeft bool
}

// planOutputs decides, from what each output of the two shuffles
// received, how the join reads them.
//
// An output is skewed on one side when that side's bytes in it are more
// than conf.skewFactor times the side's median output and more than
// conf.skewBytes. Its skewed side is cut (by rows) into pieces of about
// conf.pieceBytes (2 to maxSkewPieces, no more than its rows), and each
// piece is joined with the other side's whole output. That is correct
// only when the other side's unmatched rows are not kept, for a row of the
// other side meets each piece: an inner join may cut either side (the
// larger is cut), a left join only its left side, a right join only its
// right side, an outer join neither.
//
// Runs of neighbouring outputs that are not cut and add up (both sides)
// to at most conf.coalesceTarget are read as one partition; with
// coalescing off (target 0) every output stays one.
func planOutputs(ls, rs shuffle.Sent, how string, conf adaptiveConf) ([]outGroup, []adaptiveLine) {
	return planOwnedOutputs(ls, rs, how, conf, nil)
}

// planOwnedOutputs is planOutputs where owners[j] is the worker that
// owns output j of both shuffles (nil: unknown): when the outputs do not
// all fit in one partition, a run of coalesced outputs stays within one
// owner's outputs, so that its join reads them where they are and each
// worker joins its own share (in the bench's hash merge, ten outputs of
// about 40 MB on two workers were read as runs of 3, 3, 3 and 1 outputs,
// one across the two owners: one worker joined 6 outputs, the other 4
// after fetching 2).
func planOwnedOutputs(ls, rs shuffle.Sent, how string, conf adaptiveConf, owners []string) ([]outGroup, []adaptiveLine) {
	n := len(ls.Bytes)
	var all int64
	for i := range n {
		all += ls.Bytes[i] + rs.Bytes[i]
	}
	sameOwner := func(i, j int) bool { return len(owners) != n || all <= conf.coalesceTarget || owners[i] == owners[j] }
	cutLeft := how == "inner" || how == "left"
	cutRight := how == "inner" || how == "right"
	medL, medR := median(ls.Bytes), median(rs.Bytes)
	skewed := func(b, med int64) bool {
		return b > conf.skewBytes && float64(b) > conf.skewFactor*float64(med)
	}
	var groups []outGroup
	var lines []adaptiveLine
	var runs runTally
	for i := 0; i < n; {
		sl := cutLeft && skewed(ls.Bytes[i], medL)
		sr := cutRight && skewed(rs.Bytes[i], medR)
		if sl && sr {
			sl, sr = ls.Bytes[i] >= rs.Bytes[i], ls.Bytes[i] < rs.Bytes[i]
		}
		if sl || sr {
			g := outGroup{from: i, to: i + 1, splitLeft: sl}
			name, other, b, med, rows := "left", "right", ls.Bytes[i], medL, ls.Rows[i]
			if sr {
				name, other, b, med, rows = "right", "left", rs.Bytes[i], medR, rs.Rows[i]
			}
			g.split = conf.skewPieces(b, rows)
			if g.split > 1 {
				groups = append(groups, g)
				lines = append(lines, adaptiveLine{skew: true, text: fmt.Sprintf(
					"shuffle output %d of %d holds %s of the %s side (median %s; skew factor %g, skew bytes %s): cut into %d pieces, each joined with the %s side's output %d",
					i, n, sizeString(b), name, sizeString(med), conf.skewFactor, sizeString(conf.skewBytes), g.split, other, i)})
				i++
				continue
			}
		}
		j := runs.extend(i, n, conf.coalesceTarget, func(j int) int64 { return ls.Bytes[j] + rs.Bytes[j] }, func(j int) bool {
			return sameOwner(i, j) && !(cutLeft && skewed(ls.Bytes[j], medL)) && !(cutRight && skewed(rs.Bytes[j], medR))
		})
		groups = append(groups, outGroup{from: i, to: j})
		i = j
	}
	if runs.from > 0 {
		parts := 0
		for _, g := range groups {
			parts += max(g.split, 1)
		}
		lines = append(lines, adaptiveLine{text: fmt.Sprintf(
			"%d of the %d shuffle outputs (%s in all, both sides) read as %s (target %s): %s instead of %d",
			runs.from, n, sizeString(runs.bytes), partitionsWord(runs.to), sizeString(conf.coalesceTarget), partitionsWord(parts), n)})
	}
	return groups, lines
}

// skewPieces is how many pieces a skewed output of bytes and rows is cut
// into: about pieceBytes each, at least 2, at most maxSkewPieces, never
// more than its rows.
func (c adaptiveConf) skewPieces(bytes, rows int64) int {
	k := (bytes + c.pieceBytes - 1) / max(c.pieceBytes, 1)
	return int(min(max(k, 2), maxSkewPieces, max(rows, 1)))
}

// runTally counts the runs of shuffle outputs coalesced into one
// partition: outputs in runs, runs, and their bytes.
type runTally struct {
	from, to int
	bytes    int64
}

// extend returns the end of the run that starts at output i of n: the
// following outputs join while the run's size stays within target (0: no
// coalescing) and joins says they may; a run of more than one output is
// counted.
func (t *runTally) extend(i, n int, target int64, size func(j int) int64, joins func(j int) bool) int {
	j, sum := i+1, size(i)
	for target > 0 && j < n && sum+size(j) <= target && joins(j) {
		sum += size(j)
		j++
	}
	if j-i > 1 {
		t.from += j - i
		t.to++
		t.bytes += sum
	}
	return j
}

func partitionsWord(n int) string {
	if n == 1 {
		return "1 partition"
	}
	return fmt.Sprintf("%d partitions", n)
}

// median returns the middle value of xs (the upper one of an even count).
func median(xs []int64) int64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
