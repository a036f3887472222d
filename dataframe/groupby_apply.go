package dataframe

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/kernels"
	"github.com/dusk-go/dusk/dataframe/shuffle"
)

// The steps of Transform and Apply.
var (
	fnAddPositions = dusk.Register("dataframe.add-positions", addPositions)
	fnGroupApply   = dusk.Register("dataframe.group-apply", groupApply)
)

// Transform calls fn, a registered Go function, once per group with the
// group's rows (an arrow.RecordBatch of every column, in the frame's
// order); fn returns as many rows, in the same order (checked: a group
// given n rows that gets another number back is an error that names fn).
// The result keeps the input's rows and columns, with fn's columns added
// to them (a column of the input's name is replaced; the key columns
// cannot be): pandas' transform, assigned back.
//
//	var Demean = dusk.Register("etl.demean", func(g arrow.RecordBatch) (arrow.RecordBatch, error) { ... })
//	out := df.GroupBy("k").Transform(Demean)
//
// fn takes an optional context.Context and the record, and returns an
// arrow.RecordBatch (and an error). Its result's schema is learned by
// calling it once here on an empty record (or given with Meta).
//
// Groups must be whole in one partition: when the frame is not already
// placed by its keys (a SplitOut or hash Merge on them, or SetIndex on a
// key), its rows go through a hash shuffle by the keys first, into as many
// partitions. Without a shuffle every partition keeps its rows in their
// order; after one, each output holds its rows in the frame's order.
func (g *GroupBy) Transform(fn *dusk.Func, opts ...MapOption) *DataFrame {
	return g.apply("Transform", fn, true, opts)
}

// Apply calls fn, a registered Go function, once per group with the
// group's rows (as Transform does) and returns the rows fn returns, which
// may be any number of any columns: the results of a partition's groups
// one after the other, in key order. The result's schema is given with
// Meta, or learned by calling fn once here on an empty record; every
// group's result must have it. Groups are made whole as for Transform.
func (g *GroupBy) Apply(fn *dusk.Func, opts ...MapOption) *DataFrame {
	return g.apply("Apply", fn, false, opts)
}

// groupSpec tells a group-apply task what to do.
type groupSpec struct {
	Fn   string   // the registered function
	Keys []string // the key columns
	// Transform: fn returns a row per row, added to the group's columns.
	Transform bool
	// Positioned: the rows carry posColumn (after a shuffle), to be put
	// in the frame's order and dropped.
	Positioned bool
	// FnSchema is the schema of fn's results; OutSchema that of the
	// task's result (EncodeSchema).
	FnSchema, OutSchema []byte
	Cats                map[string][]string
}

func (g *GroupBy) apply(op string, fn *dusk.Func, transform bool, opts []MapOption) *DataFrame {
	df := g.df
	if g.err != nil {
		return &DataFrame{c: df.c, n: df.n, err: g.err}
	}
	if fn == nil {
		return df.fail(op, errors.New("no function given"))
	}
	var o mapOptions
	for _, f := range opts {
		f(&o)
	}
	if len(o.args) > 0 {
		return df.fail(op, fmt.Errorf("%s takes no Args: fn gets only the group's rows", op))
	}
	params := fn.Params()
	if len(params) != 1 || params[0] != recordType || fn.Result() != recordType || fn.Variadic() {
		return df.fail(op, fmt.Errorf("%s %s must take one arrow.RecordBatch (after an optional context.Context) and return an arrow.RecordBatch", fn.Name(), fn.Signature()))
	}
	if got, ok := dusk.Lookup(fn.Name()); !ok || got == nil {
		return df.fail(op, fmt.Errorf("%s is not registered: register it with dusk.Register at package level", fn.Name()))
	}
	in := df.n.meta()
	if err := notReserved(in.schema); err != nil {
		return df.fail(op, err)
	}
	s := o.schema
	if s == nil {
		res, err := fn.CallLocal(context.Background(), kernels.EmptyRecord(in.schema))
		if err != nil {
			return df.fail(op, fmt.Errorf("calling %s on an empty record to learn its result's schema: %w (give it with dataframe.Meta)", fn.Name(), err))
		}
		rec, ok := res.(arrow.RecordBatch)
		if !ok || rec == nil {
			return df.fail(op, fmt.Errorf("%s returned no record for an empty one; give its schema with dataframe.Meta", fn.Name()))
		}
		s = rec.Schema()
	}
	fnSchema := kernels.NullableSchema(s)
	out := fnSchema
	if transform {
		var err error
		if out, err = transformSchema(in.schema, fnSchema, g.keys, fn.Name()); err != nil {
			return df.fail(op, err)
		}
	}
	spec := groupSpec{Fn: fn.Name(), Keys: g.keys, Transform: transform, Cats: copyCats(in.cats, out)}
	var err error
	if spec.FnSchema, err = shuffle.EncodeSchema(fnSchema); err != nil {
		return df.fail(op, err)
	}
	if spec.OutSchema, err = shuffle.EncodeSchema(out); err != nil {
		return df.fail(op, err)
	}
	whole := groupsWhole(in, g.keys)
	spec.Positioned = !whole
	m := &meta{schema: out, nparts: in.nparts, bytes: -1, cats: spec.Cats}
	switch {
	case !whole:
		m.hashed = g.keys
	case transform:
		m.divs, m.hashed = in.divs, in.hashed
		if in.bytes > 0 && in.schema.NumFields() > 0 {
			m.bytes = in.bytes * int64(out.NumFields()) / int64(in.schema.NumFields())
		}
	}
	return df.derive(&groupApplyNode{child: df.n, op: op, spec: spec, shuffle: !whole, m: m})
}

// transformSchema is the schema of Transform's result: the input's
// columns, those fn returns replacing them, then fn's new ones.
func transformSchema(in, fnOut *arrow.Schema, keys []string, name string) (*arrow.Schema, error) {
	fields := append([]arrow.Field(nil), in.Fields()...)
	for _, f := range fnOut.Fields() {
		if slices.Contains(keys, f.Name) {
			return nil, fmt.Errorf("%s returns the key column %q: a transform cannot change the keys; name its result otherwise", name, f.Name)
		}
		if strings.HasPrefix(f.Name, "__dusk") {
			return nil, fmt.Errorf("%s returns a column %q: names starting with __dusk are dusk's own", name, f.Name)
		}
		if idx := in.FieldIndices(f.Name); len(idx) > 0 {
			fields[idx[0]] = f
		} else {
			fields = append(fields, f)
		}
	}
	return arrow.NewSchema(fields, nil), nil
}

// groupsWhole reports whether every group of the keys is in one
// partition: one partition, rows placed by a hash of some of the keys, or
// divisions on a key.
func groupsWhole(m *meta, keys []string) bool {
	if m.nparts <= 1 {
		return true
	}
	if len(m.hashed) > 0 {
		all := true
		for _, c := range m.hashed {
			all = all && slices.Contains(keys, c)
		}
		if all {
			return true
		}
	}
	return m.divs != nil && slices.Contains(keys, m.divs.Column)
}

// groupApplyNode calls a function per group of every partition, after a
// hash shuffle by the keys when groups are not whole.
type groupApplyNode struct {
	child   node
	op      string
	spec    groupSpec
	shuffle bool
	m       *meta
}

func (n *groupApplyNode) meta() *meta      { return n.m }
func (n *groupApplyNode) children() []node { return []node{n.child} }
func (n *groupApplyNode) label() string {
	how := "groups already whole"
	if n.shuffle {
		how = fmt.Sprintf("hash shuffle %d -> %d partitions", n.child.meta().nparts, n.m.nparts)
	}
	return fmt.Sprintf("GroupBy [%s] %s %s: %s, one call per group", strings.Join(n.spec.Keys, ", "), n.op, n.spec.Fn, how)
}

func (n *groupApplyNode) lower(lw *lowering) ([]part, error) {
	in, err := lw.parts(n.child)
	if err != nil {
		return nil, err
	}
	if n.shuffle {
		pos := make([]part, len(in))
		for i, p := range in {
			pos[i] = dusk.Call[arrow.RecordBatch](fnAddPositions, p, int64(i))
		}
		if in, err = lw.shuffleParts(pos, withPositions(n.child.meta()).schema, shuffle.Hash, n.spec.Keys, n.m.nparts, nil); err != nil {
			return nil, err
		}
	}
	out := make([]part, len(in))
	for i, p := range in {
		out[i] = dusk.Call[arrow.RecordBatch](fnGroupApply, p, n.spec)
	}
	return out, nil
}

// groupApply calls the spec's function once per group of rec.
func groupApply(ctx context.Context, rec arrow.RecordBatch, spec groupSpec) (arrow.RecordBatch, error) {
	fn, ok := dusk.Lookup(spec.Fn)
	if !ok {
		return nil, fmt.Errorf("dataframe: function %q is not registered in this worker: register it at package level of a package the worker imports", spec.Fn)
	}
	fnSchema, err := shuffle.DecodeSchema(spec.FnSchema)
	if err != nil {
		return nil, err
	}
	outSchema, err := shuffle.DecodeSchema(spec.OutSchema)
	if err != nil {
		return nil, err
	}
	if spec.Positioned {
		if rec, err = kernels.SortByColumn(rec, posColumn, false); err != nil {
			return nil, err
		}
		rec = dropLast(rec, posColumn)
	}
	if rec.NumRows() == 0 {
		return kernels.EmptyRecord(outSchema), nil
	}
	order, starts, err := groupOrder(ctx, rec, spec.Keys)
	if err != nil {
		return nil, err
	}
	sorted, err := gatherRecord(rec, order)
	if err != nil {
		return nil, err
	}
	results := make([]arrow.RecordBatch, 0, len(starts)-1)
	for j := range len(starts) - 1 {
		group := sorted.NewSlice(starts[j], starts[j+1])
		res, err := fn.CallLocal(ctx, group)
		if err != nil {
			return nil, fmt.Errorf("dataframe: %s on the group %s: %w", spec.Fn, groupKey(group, spec.Keys), err)
		}
		r, ok := res.(arrow.RecordBatch)
		if !ok || r == nil {
			return nil, fmt.Errorf("dataframe: %s returned no record for the group %s", spec.Fn, groupKey(group, spec.Keys))
		}
		if !kernels.SameTypes(kernels.NullableSchema(r.Schema()), fnSchema) {
			return nil, fmt.Errorf("dataframe: %s returned columns %s for the group %s, not %s as planned (give the schema with dataframe.Meta)",
				spec.Fn, schemaString(r.Schema()), groupKey(group, spec.Keys), schemaString(fnSchema))
		}
		if spec.Transform && r.NumRows() != group.NumRows() {
			return nil, fmt.Errorf("dataframe: Transform: %s returned %d rows for the group %s of %d rows; a transform returns one row per row it gets (Apply returns any rows)",
				spec.Fn, r.NumRows(), groupKey(group, spec.Keys), group.NumRows())
		}
		results = append(results, kernels.WithSchema(r, fnSchema))
	}
	all, err := kernels.Concat(fnSchema, results, true)
	if err != nil {
		return nil, err
	}
	if !spec.Transform {
		return kernels.RestoreCategories(all, spec.Cats)
	}
	// Back to rec's order, next to rec's columns.
	inv := make([]int64, len(order))
	for i, r := range order {
		inv[r] = int64(i)
	}
	back, err := gatherRecord(all, inv)
	if err != nil {
		return nil, err
	}
	cols := make([]arrow.Array, outSchema.NumFields())
	for i, f := range outSchema.Fields() {
		if idx := back.Schema().FieldIndices(f.Name); len(idx) > 0 {
			cols[i] = back.Column(idx[0])
		} else {
			cols[i] = rec.Column(rec.Schema().FieldIndices(f.Name)[0])
		}
	}
	return kernels.RestoreCategories(array.NewRecordBatch(outSchema, cols, rec.NumRows()), spec.Cats)
}

// groupOrder returns rec's row indices grouped by the keys (groups in key
// order, the null key last; rows of a group in rec's order) and where
// each group starts in it (with the end last).
func groupOrder(ctx context.Context, rec arrow.RecordBatch, keys []string) ([]int64, []int64, error) {
	n := rec.NumRows()
	fields := make([]arrow.Field, 0, len(keys)+1)
	cols := make([]arrow.Array, 0, len(keys)+1)
	quoted := make([]string, len(keys))
	for i, k := range keys {
		idx := rec.Schema().FieldIndices(k)
		if len(idx) == 0 {
			return nil, nil, &ColumnError{Column: k, Have: fieldNames(rec.Schema()), Where: "GroupBy"}
		}
		fields = append(fields, rec.Schema().Field(idx[0]))
		cols = append(cols, rec.Column(idx[0]))
		quoted[i] = engine.QuoteIdent(k)
	}
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.Reserve(int(n))
	for r := range n {
		b.UnsafeAppend(r)
	}
	rows := b.NewArray()
	defer rows.Release()
	fields = append(fields, arrow.Field{Name: "__dusk_row", Type: arrow.PrimitiveTypes.Int64})
	cols = append(cols, rows)
	keyRec := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, n)
	defer keyRec.Release()
	e, err := engine.For(ctx)
	if err != nil {
		return nil, nil, err
	}
	q := engine.WithCTE("part", engine.ScanView(engine.ViewIn), fmt.Sprintf(
		`SELECT "__dusk_row", dense_rank() OVER (ORDER BY %s) AS "__dusk_g" FROM part ORDER BY "__dusk_g", "__dusk_row"`, strings.Join(quoted, ", ")))
	res, err := e.Query(ctx, q, engine.Input{Name: engine.ViewIn, Rec: keyRec})
	if err != nil {
		return nil, nil, err
	}
	defer res.Release()
	if res.NumRows() != n {
		return nil, nil, fmt.Errorf("dataframe: grouping %d rows gave %d", n, res.NumRows())
	}
	rowCol, ok1 := res.Column(0).(*array.Int64)
	gCol, ok2 := res.Column(1).(*array.Int64)
	if !ok1 || !ok2 {
		return nil, nil, fmt.Errorf("dataframe: grouping gave columns %s", schemaString(res.Schema()))
	}
	order := slices.Clone(rowCol.Int64Values())
	starts := []int64{0}
	g := gCol.Int64Values()
	for i := 1; i < len(g); i++ {
		if g[i] != g[i-1] {
			starts = append(starts, int64(i))
		}
	}
	return order, append(starts, n), nil
}

// gatherRecord returns rec's rows at the indices, in their order.
func gatherRecord(rec arrow.RecordBatch, idx []int64) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, rec.NumCols())
	for i := range cols {
		c, err := shuffle.Gather(rec.Column(i), idx)
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	return array.NewRecordBatch(rec.Schema(), cols, int64(len(idx))), nil
}

// dropLast returns rec without its last column, named name.
func dropLast(rec arrow.RecordBatch, name string) arrow.RecordBatch {
	k := int(rec.NumCols()) - 1
	if k < 0 || rec.Schema().Field(k).Name != name {
		return rec
	}
	return array.NewRecordBatch(arrow.NewSchema(rec.Schema().Fields()[:k], nil), rec.Columns()[:k], rec.NumRows())
}

// groupKey describes a group by its keys' values in its first row, for
// messages: [k=a, b=1].
func groupKey(group arrow.RecordBatch, keys []string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := "?"
		if idx := group.Schema().FieldIndices(k); len(idx) > 0 && group.NumRows() > 0 {
			c := group.Column(idx[0])
			if c.IsNull(0) {
				v = "null"
			} else {
				v = c.ValueStr(0)
			}
		}
		parts[i] = k + "=" + v
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
