package dataframe

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/shuffle"
)

// shuffleParts adds a peer-to-peer shuffle of the input partitions to the
// graph and returns its nout outputs: one Transfer per input, one Barrier,
// one Unpack per output placed on the worker that owns it (or, if that
// worker is gone, anywhere: Unpack then reports the lost rows and the
// computation starts again).
func (lw *lowering) shuffleParts(in []part, schema *arrow.Schema, kind string, cols []string, nout int, bounds []any) ([]part, error) {
	spec, err := lw.shuffleSpec(schema, kind, cols, nout, bounds, func(j, nw int) int { return j % nw })
	if err != nil {
		return nil, err
	}
	sents := lw.transfers(in, spec)
	total := dusk.Call[shuffle.Sent](shuffle.Barrier, sents)
	out := make([]part, nout)
	for j := range nout {
		fn := shuffle.Unpack.With(dusk.Workers(spec.Owners[j]), dusk.AllowOtherWorkers())
		out[j] = dusk.Call[arrow.RecordBatch](fn, total, spec, j)
	}
	return out, nil
}

// shuffleSpec is the spec of a new shuffle into nout outputs, output j
// owned by the worker owner(j, number of workers) of the cluster's.
func (lw *lowering) shuffleSpec(schema *arrow.Schema, kind string, cols []string, nout int, bounds []any, owner func(j, nw int) int) (shuffle.Spec, error) {
	workers, err := lw.owners()
	if err != nil {
		return shuffle.Spec{}, err
	}
	sch, err := shuffle.EncodeSchema(schema)
	if err != nil {
		return shuffle.Spec{}, err
	}
	spec := shuffle.Spec{ID: lw.newShuffle(), Kind: kind, Columns: cols, Owners: make([]string, nout), Bounds: bounds, Schema: sch}
	for j := range nout {
		spec.Owners[j] = workers[owner(j, len(workers))]
	}
	return spec, nil
}

// concat returns one partition joining the run of partitions ps, and
// remembers the run: a shuffle of that partition reads the run as it is
// (see transfers).
func (lw *lowering) concat(ps []part) part {
	whole := dusk.Call[arrow.RecordBatch](fnConcat, partList(ps))
	if lw.runs == nil {
		lw.runs = map[*dusk.Delayed[arrow.RecordBatch]][]part{}
	}
	lw.runs[whole] = ps
	return whole
}

// transfers returns the Transfer of each input partition of a shuffle:
// of a partition that joins a run (concat), a TransferRun of the run's
// partitions, which sends the same pieces without copying the run into
// one record first.
func (lw *lowering) transfers(in []part, spec shuffle.Spec) []*dusk.Delayed[shuffle.Sent] {
	return lw.placedTransfers(in, spec, nil)
}

// balancedTransfers is transfers with the Transfers of persisted inputs
// spread over the workers (see balanceTransfers): for the map sides of a
// shuffled Merge, whose sides are often persisted partitions that fell
// unevenly on the workers.
func (lw *lowering) balancedTransfers(in []part, spec shuffle.Spec) []*dusk.Delayed[shuffle.Sent] {
	return lw.placedTransfers(in, spec, lw.balanceTransfers(in))
}

// placedTransfers is transfers, the Transfer of input i preferring worker
// moves[i] when moves is not nil and that is not "".
func (lw *lowering) placedTransfers(in []part, spec shuffle.Spec, moves []string) []*dusk.Delayed[shuffle.Sent] {
	sents := make([]*dusk.Delayed[shuffle.Sent], len(in))
	for i, p := range in {
		if d, ok := p.(*dusk.Delayed[arrow.RecordBatch]); ok && lw.runs[d] != nil {
			sents[i] = dusk.Call[shuffle.Sent](shuffle.TransferRun, partList(lw.runs[d]), spec, i)
			continue
		}
		if moves != nil && moves[i] != "" {
			w := moves[i]
			fn := shuffle.Transfer.With(dusk.Workers(w), dusk.AllowOtherWorkers())
			sents[i] = dusk.Call[shuffle.Sent](fn, p, spec, i)
			continue
		}
		sents[i] = dusk.Call[shuffle.Sent](shuffle.Transfer, p, spec, i)
	}
	return sents
}

// balanceTransfers returns, for each input partition of a shuffle, the
// worker its Transfer should run on instead of where its data is ("":
// where the scheduler puts it). A Transfer runs where its input is, so
// the map side of a shuffle of partitions in memory takes as long as the
// worker that holds the most of them (the bench's hash merge read 8 of
// its 12 partitions on one worker of two in some runs, and the other
// waited half the map side): when the workers hold inputs that differ by
// two or more, partitions of the fullest go to the emptiest until they
// differ by at most one, each fetched there once (a Transfer costs
// several times what moving its input does). Only inputs in memory
// (persisted futures) are placed, with one question to the scheduler;
// nil when nothing moves, or when the scheduler does not answer.
func (lw *lowering) balanceTransfers(in []part) []string {
	futs := make([]dusk.Keyer, 0, len(in))
	for _, p := range in {
		f, ok := p.(*dusk.AnyFuture)
		if !ok {
			return nil
		}
		futs = append(futs, f)
	}
	workers, err := lw.owners()
	if err != nil || len(workers) < 2 || len(in) < 2 {
		return nil
	}
	where, err := lw.c.WhoHas(lw.ctx, futs...)
	if err != nil {
		return nil
	}
	return balancePlaces(futs, where, workers)
}

// balancePlaces is balanceTransfers' decision, given where each input's
// data is: an input held by several workers counts for the one holding
// the fewest so far; one held by none of workers (not in memory, or on a
// worker leaving) stays where the scheduler puts it.
func balancePlaces(in []dusk.Keyer, where map[dusk.Key][]string, workers []string) []string {
	load := make(map[string][]int, len(workers)) // worker -> inputs it holds
	for _, w := range workers {
		load[w] = nil
	}
	for i, f := range in {
		best := ""
		for _, w := range where[f.Key()] {
			if l, ok := load[w]; ok && (best == "" || len(l) < len(load[best])) {
				best = w
			}
		}
		if best != "" {
			load[best] = append(load[best], i)
		}
	}
	var out []string
	for {
		most, least := workers[0], workers[0]
		for _, w := range workers {
			if len(load[w]) > len(load[most]) {
				most = w
			}
			if len(load[w]) < len(load[least]) {
				least = w
			}
		}
		if len(load[most])-len(load[least]) < 2 {
			return out
		}
		if out == nil {
			out = make([]string, len(in))
		}
		// The fullest worker's last input moves: a worker runs its
		// Transfers roughly in order, so the last is the one it would
		// reach last.
		l := load[most]
		i := l[len(l)-1]
		load[most] = l[:len(l)-1]
		load[least] = append(load[least], i)
		out[i] = least
	}
}

// forgetTimeout bounds the clean-up call to the workers.
const forgetTimeout = 30 * time.Second

// forgetShuffles drops what the shuffles left in the workers' receivers
// (outputs nothing read, and pieces of a failed run).
func forgetShuffles(ctx context.Context, c *dusk.Client, ids []string) {
	if len(ids) == 0 {
		return
	}
	// Best effort, and bounded: a worker that does not answer has its
	// buffers dropped when it closes.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), forgetTimeout)
	defer cancel()
	_, _ = dusk.Run[int](fctx, c, shuffle.Forget, ids)
}
