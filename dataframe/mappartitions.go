package dataframe

import (
	"context"
	"fmt"
	"reflect"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/kernels"
)

// MapOption configures MapPartitions.
type MapOption func(*mapOptions)

type mapOptions struct {
	schema *arrow.Schema
	args   []any
}

// Meta gives the schema fn's results have, instead of learning it by
// calling fn on an empty record of the input's schema (Dask's meta=).
func Meta(s *arrow.Schema) MapOption { return func(o *mapOptions) { o.schema = s } }

// Args passes more arguments to fn after the partition: values the codec
// can encode (they travel with every task; scatter large ones).
func Args(args ...any) MapOption { return func(o *mapOptions) { o.args = args } }

var recordType = reflect.TypeFor[arrow.RecordBatch]()

// MapPartitions runs fn, a registered Go function, on every partition:
// fn takes an optional context.Context, the partition (arrow.RecordBatch)
// and the Args, and returns an arrow.RecordBatch (and an error). Register it
// at package level so that workers know it:
//
//	var Double = dusk.Register("etl.double", func(rec arrow.RecordBatch) (arrow.RecordBatch, error) { ... })
//	out := df.MapPartitions(Double)
//
// The result's schema is learned by calling fn once here on an empty record
// (or given with Meta); every partition's result must have it.
func (df *DataFrame) MapPartitions(fn *dusk.Func, opts ...MapOption) *DataFrame {
	if df.err != nil {
		return df
	}
	var o mapOptions
	for _, f := range opts {
		f(&o)
	}
	params := fn.Params()
	if len(params) == 0 || params[0] != recordType || fn.Result() != recordType || fn.Variadic() {
		return df.fail("MapPartitions", fmt.Errorf("%s %s must take an arrow.RecordBatch (after an optional context.Context) and return an arrow.RecordBatch", fn.Name(), fn.Signature()))
	}
	if len(params) != 1+len(o.args) {
		return df.fail("MapPartitions", fmt.Errorf("%s %s takes %d argument(s) after the partition; %d given with dataframe.Args", fn.Name(), fn.Signature(), len(params)-1, len(o.args)))
	}
	in := df.n.meta()
	s := o.schema
	if s == nil {
		args := []any{kernels.EmptyRecord(in.schema)}
		for i, a := range o.args {
			v := reflect.ValueOf(a)
			if !v.IsValid() {
				v = reflect.Zero(params[i+1])
			}
			if !v.Type().AssignableTo(params[i+1]) {
				return df.fail("MapPartitions", fmt.Errorf("argument %d of %s is a %s, want %s", i+2, fn.Name(), v.Type(), params[i+1]))
			}
			args = append(args, v.Interface())
		}
		res, err := fn.CallLocal(context.Background(), args...)
		if err != nil {
			return df.fail("MapPartitions", fmt.Errorf("calling %s on an empty record to learn its result's schema: %w (give it with dataframe.Meta)", fn.Name(), err))
		}
		rec, ok := res.(arrow.RecordBatch)
		if !ok || rec == nil {
			return df.fail("MapPartitions", fmt.Errorf("%s returned no record for an empty one; give its schema with dataframe.Meta", fn.Name()))
		}
		s = rec.Schema()
	}
	m := &meta{schema: kernels.NullableSchema(s), nparts: in.nparts, bytes: in.bytes, cats: copyCats(in.cats, s)}
	return df.derive(&mapNode{child: df.n, fn: fn, args: o.args, m: m})
}

// mapNode runs a registered function on every partition.
type mapNode struct {
	child node
	fn    *dusk.Func
	args  []any
	m     *meta
	// name, when set, is the step's label in Explain (a step of the
	// package's own done by a Go function).
	name string
}

func (n *mapNode) meta() *meta      { return n.m }
func (n *mapNode) children() []node { return []node{n.child} }
func (n *mapNode) label() string {
	if n.name != "" {
		return n.name
	}
	return fmt.Sprintf("MapPartitions %s partitions=%d", n.fn.Name(), n.m.nparts)
}

func (n *mapNode) lower(lw *lowering) ([]part, error) {
	in, err := lw.parts(n.child)
	if err != nil {
		return nil, err
	}
	out := make([]part, len(in))
	for i, p := range in {
		out[i] = dusk.Call[arrow.RecordBatch](n.fn, append([]any{p}, n.args...)...)
	}
	return out, nil
}
