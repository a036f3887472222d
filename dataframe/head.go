package dataframe

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/kernels"
)

// Len counts the rows: one small task per partition and a sum.
func (df *DataFrame) Len(ctx context.Context) (int64, error) {
	v, err := df.scalar(ctx, func(lw *lowering, parts []part) (part, error) {
		lens := make([]*dusk.Delayed[int64], len(parts))
		for i, p := range parts {
			lens[i] = dusk.Call[int64](fnLen, p)
		}
		return dusk.Call[int64](fnSum, lens), nil
	})
	if err != nil {
		return 0, err
	}
	return toInt64(v)
}

// scalar runs the plan with one extra value computed from its partitions,
// however many the run makes (the plan may adapt: adaptive.go), and
// returns that value.
func (df *DataFrame) scalar(ctx context.Context, f func(lw *lowering, parts []part) (part, error)) (any, error) {
	futs, forget, err := df.runAdapting(ctx, func(lw *lowering, parts []part) ([]part, error) {
		p, err := f(lw, parts)
		if err != nil {
			return nil, err
		}
		return []part{p}, nil
	}, true)
	if err != nil {
		return nil, err
	}
	defer forget()
	defer release(futs)
	vals, err := dusk.Gather(ctx, futs)
	if err != nil {
		return nil, err
	}
	return vals[0], nil
}

// toInt64 converts a number decoded into an interface.
func toInt64(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case uint64:
		return int64(x), nil
	case int:
		return int64(x), nil
	case float64:
		return int64(x), nil
	}
	return 0, fmt.Errorf("dataframe: a count came back as %T", v)
}

// Head returns the first n rows. It reads the first partition, and more
// (twice as many each round) only while it has fewer than n rows.
func (df *DataFrame) Head(ctx context.Context, n int) (arrow.Table, error) {
	if df.err != nil {
		return nil, df.err
	}
	schema := kernels.NullableSchema(df.Schema())
	var got []arrow.RecordBatch
	var rows int64
	next, step := 0, 1
	limit := fmt.Sprintf("SELECT * FROM part LIMIT %d", n)
	query := engine.WithCTE("part", engine.ScanView(engine.ViewIn), limit)
	cats := df.n.meta().cats
	for rows < int64(n) && next < df.NPartitions() {
		lo, hi := next, min(next+step, df.NPartitions())
		futs, forget, err := df.run(ctx, func(lw *lowering, parts []part) ([]part, error) {
			out := make([]part, 0, hi-lo)
			for _, p := range parts[lo:hi] {
				out = append(out, dusk.Call[arrow.RecordBatch](fnSQL, p, query, cats))
			}
			return out, nil
		})
		if err != nil {
			return nil, err
		}
		recs, err := gatherRecords(ctx, futs)
		release(futs)
		forget()
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			if rows >= int64(n) {
				break
			}
			take := min(r.NumRows(), int64(n)-rows)
			got = append(got, kernels.WithSchema(r.NewSlice(0, take), schema))
			rows += take
		}
		next, step = hi, step*2
	}
	return array.NewTableFromRecords(schema, got), nil
}
