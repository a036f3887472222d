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
	workers, err := lw.owners()
	if err != nil {
		return nil, err
	}
	sch, err := shuffle.EncodeSchema(schema)
	if err != nil {
		return nil, err
	}
	spec := shuffle.Spec{ID: lw.newShuffle(), Kind: kind, Columns: cols, Owners: make([]string, nout), Bounds: bounds, Schema: sch}
	for j := range nout {
		spec.Owners[j] = workers[j%len(workers)]
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
	sents := make([]*dusk.Delayed[shuffle.Sent], len(in))
	for i, p := range in {
		if d, ok := p.(*dusk.Delayed[arrow.RecordBatch]); ok && lw.runs[d] != nil {
			sents[i] = dusk.Call[shuffle.Sent](shuffle.TransferRun, partList(lw.runs[d]), spec, i)
			continue
		}
		sents[i] = dusk.Call[shuffle.Sent](shuffle.Transfer, p, spec, i)
	}
	return sents
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
