package dataframe

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/kernels"
)

// FromOption configures FromArrow and FromRecords.
type FromOption func(*fromOptions)

type fromOptions struct{ nparts int }

// Partitions sets how many partitions the data is cut into (default: one
// per 64 MiB, at least one).
func Partitions(n int) FromOption { return func(o *fromOptions) { o.nparts = n } }

// FromArrow cuts a table held by this process into partitions and places
// them on the cluster (scattered over the workers, once), and returns them
// as a DataFrame.
func FromArrow(ctx context.Context, c *dusk.Client, tbl arrow.Table, opts ...FromOption) (*DataFrame, error) {
	var o fromOptions
	for _, f := range opts {
		f(&o)
	}
	if tbl == nil {
		return nil, opError("FromArrow", errors.New("the table is nil"))
	}
	schema := kernels.NullableSchema(tbl.Schema())
	rows := tbl.NumRows()
	var bytes int64
	for i := range int(tbl.NumCols()) {
		for _, ch := range tbl.Column(i).Data().Chunks() {
			bytes += arrayBytes(ch)
		}
	}
	n := o.nparts
	if n <= 0 {
		n = int(max(1, (bytes+(64<<20)-1)/(64<<20)))
	}
	if int64(n) > rows && rows > 0 {
		n = int(rows)
	}
	n = max(n, 1)
	cats, err := tableCategories(tbl)
	if err != nil {
		return nil, opError("FromArrow", err)
	}
	if len(cats) > 0 {
		fields := schema.Fields()
		for i, f := range fields {
			if _, ok := cats[f.Name]; ok {
				fields[i].Type = kernels.CategoryType
			}
		}
		schema = arrow.NewSchema(fields, nil)
	}
	whole, err := kernels.TableToRecord(kernels.NullableSchema(tbl.Schema()), tbl)
	if err == nil {
		whole, err = kernels.RestoreCategories(whole, cats)
	}
	if err != nil {
		return nil, opError("FromArrow", err)
	}
	recs := make([]any, n)
	for i, r := range splitRows(whole, n) {
		recs[i] = kernels.WithSchema(r, schema)
	}
	futs, err := dusk.ScatterEach(ctx, c, recs)
	if err != nil {
		return nil, opError("FromArrow", err)
	}
	m := &meta{schema: schema, nparts: n, bytes: bytes, cats: cats}
	p := &persistedNode{m: m, futs: futs, from: "FromArrow"}
	for _, f := range futs {
		markPersisted(f)
	}
	return &DataFrame{c: c, n: p}, nil
}

// tableCategories returns, for each dictionary column of strings, the
// sorted union of its values across chunks: the categories every
// partition shares.
func tableCategories(tbl arrow.Table) (map[string][]string, error) {
	var out map[string][]string
	for i, f := range tbl.Schema().Fields() {
		dt, ok := f.Type.(*arrow.DictionaryType)
		if !ok {
			continue
		}
		if dt.ValueType.ID() != arrow.STRING {
			return nil, fmt.Errorf("dictionary column %q holds %s; only dictionaries of strings are categorical", f.Name, dt.ValueType)
		}
		seen := map[string]bool{}
		for _, ch := range tbl.Column(i).Data().Chunks() {
			d := ch.(*array.Dictionary).Dictionary().(*array.String)
			for j := range d.Len() {
				seen[d.Value(j)] = true
			}
		}
		if out == nil {
			out = map[string][]string{}
		}
		out[f.Name] = sortedKeys(seen)
	}
	return out, nil
}

func arrayBytes(a arrow.Array) int64 {
	var n int64
	for _, b := range a.Data().Buffers() {
		if b != nil {
			n += int64(b.Len())
		}
	}
	for _, c := range a.Data().Children() {
		ca := array.MakeFromData(c)
		n += arrayBytes(ca)
		ca.Release()
	}
	return n
}

// FromRecords turns a slice of structs into a DataFrame: one column per
// exported field, named by the field's `df:"name"` tag or its name.
// Fields may be integers, floats, strings, bools or time.Time (a timestamp
// in microseconds, UTC), or pointers to them (nil is null).
func FromRecords[T any](ctx context.Context, c *dusk.Client, rows []T, opts ...FromOption) (*DataFrame, error) {
	rec, err := recordOf(reflect.ValueOf(rows))
	if err != nil {
		return nil, opError("FromRecords", err)
	}
	tbl := array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec})
	defer tbl.Release()
	return FromArrow(ctx, c, tbl, opts...)
}

var timeType = reflect.TypeFor[time.Time]()

// recordOf builds a record from a slice of structs.
func recordOf(v reflect.Value) (arrow.RecordBatch, error) {
	et := v.Type().Elem()
	if et.Kind() != reflect.Struct {
		return nil, fmt.Errorf("want a slice of structs, have a slice of %s", et)
	}
	var fields []arrow.Field
	var index []int
	for i := range et.NumField() {
		sf := et.Field(i)
		if !sf.IsExported() {
			continue
		}
		name := sf.Name
		if tag := sf.Tag.Get("df"); tag != "" {
			if tag == "-" {
				continue
			}
			name = tag
		}
		dt, err := arrowTypeOf(sf.Type)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", sf.Name, err)
		}
		fields = append(fields, arrow.Field{Name: name, Type: dt, Nullable: true})
		index = append(index, i)
	}
	if len(fields) == 0 {
		return nil, fmt.Errorf("%s has no exported fields", et)
	}
	s := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(mem, s)
	defer b.Release()
	for r := range v.Len() {
		row := v.Index(r)
		for j, i := range index {
			appendValue(b.Field(j), row.Field(i))
		}
	}
	return b.NewRecordBatch(), nil
}

func arrowTypeOf(t reflect.Type) (arrow.DataType, error) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, nil
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64:
		return arrow.PrimitiveTypes.Int64, nil
	case reflect.Int32:
		return arrow.PrimitiveTypes.Int32, nil
	case reflect.Int16:
		return arrow.PrimitiveTypes.Int16, nil
	case reflect.Int8:
		return arrow.PrimitiveTypes.Int8, nil
	case reflect.Uint, reflect.Uint64:
		return arrow.PrimitiveTypes.Uint64, nil
	case reflect.Uint32:
		return arrow.PrimitiveTypes.Uint32, nil
	case reflect.Uint16:
		return arrow.PrimitiveTypes.Uint16, nil
	case reflect.Uint8:
		return arrow.PrimitiveTypes.Uint8, nil
	case reflect.Float64:
		return arrow.PrimitiveTypes.Float64, nil
	case reflect.Float32:
		return arrow.PrimitiveTypes.Float32, nil
	case reflect.String:
		return arrow.BinaryTypes.String, nil
	case reflect.Bool:
		return arrow.FixedWidthTypes.Boolean, nil
	}
	return nil, fmt.Errorf("a %s has no column type (use integers, floats, strings, bools, time.Time or pointers to them)", t)
}

func appendValue(b array.Builder, v reflect.Value) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			b.AppendNull()
			return
		}
		v = v.Elem()
	}
	switch bb := b.(type) {
	case *array.Int64Builder:
		bb.Append(v.Int())
	case *array.Int32Builder:
		bb.Append(int32(v.Int()))
	case *array.Int16Builder:
		bb.Append(int16(v.Int()))
	case *array.Int8Builder:
		bb.Append(int8(v.Int()))
	case *array.Uint64Builder:
		bb.Append(v.Uint())
	case *array.Uint32Builder:
		bb.Append(uint32(v.Uint()))
	case *array.Uint16Builder:
		bb.Append(uint16(v.Uint()))
	case *array.Uint8Builder:
		bb.Append(uint8(v.Uint()))
	case *array.Float64Builder:
		bb.Append(v.Float())
	case *array.Float32Builder:
		bb.Append(float32(v.Float()))
	case *array.StringBuilder:
		bb.Append(v.String())
	case *array.BooleanBuilder:
		bb.Append(v.Bool())
	case *array.TimestampBuilder:
		bb.Append(arrow.Timestamp(v.Interface().(time.Time).UnixMicro()))
	}
}

func sortedKeys(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }
