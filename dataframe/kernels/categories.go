package kernels

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// RestoreCategories turns string columns named in cats back into dictionaries of
// their categories (DuckDB returns categorical columns as strings). A
// value outside the categories is an error that names the column.
func RestoreCategories(rec arrow.RecordBatch, cats map[string][]string) (arrow.RecordBatch, error) {
	if len(cats) == 0 {
		return rec, nil
	}
	s := rec.Schema()
	cols := rec.Columns()
	fields := s.Fields()
	changed := false
	for i, f := range fields {
		c, ok := cats[f.Name]
		if !ok {
			continue
		}
		arr, err := encodeCategories(cols[i], c, f.Name)
		if err != nil {
			return nil, err
		}
		if arr != cols[i] {
			cols = append([]arrow.Array(nil), cols...)
			cols[i] = arr
			fields[i] = arrow.Field{Name: f.Name, Type: arr.DataType(), Nullable: true}
			changed = true
		}
	}
	if !changed {
		return rec, nil
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, rec.NumRows()), nil
}

// CategoryType is the type of a categorical column.
var CategoryType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

// encodeCategories returns a string column as a dictionary over the
// categories (in their order); a dictionary column with other values is
// re-encoded.
func encodeCategories(col arrow.Array, cats []string, name string) (arrow.Array, error) {
	var get func(i int) string
	switch a := col.(type) {
	case *array.String:
		get = a.Value
	case *array.LargeString:
		get = a.Value
	case *array.Dictionary:
		if d, ok := a.Dictionary().(*array.String); ok && sameStrings(d, cats) && arrow.TypeEqual(a.DataType(), CategoryType) {
			return col, nil
		}
		d, ok := a.Dictionary().(*array.String)
		if !ok {
			return nil, fmt.Errorf("dataframe: categorical column %q holds %s values, not strings", name, a.Dictionary().DataType())
		}
		get = func(i int) string { return d.Value(a.GetValueIndex(i)) }
	default:
		return nil, fmt.Errorf("dataframe: categorical column %q is %s, not strings", name, col.DataType())
	}
	index := make(map[string]int32, len(cats))
	for i, c := range cats {
		index[c] = int32(i)
	}
	ib := array.NewInt32Builder(mem)
	defer ib.Release()
	ib.Reserve(col.Len())
	for i := range col.Len() {
		if col.IsNull(i) {
			ib.AppendNull()
			continue
		}
		v := get(i)
		k, ok := index[v]
		if !ok {
			return nil, fmt.Errorf("dataframe: categorical column %q has the value %q, which is not one of its %d categories; use another column name for a changed value, or Categorize again", name, v, len(cats))
		}
		ib.Append(k)
	}
	idx := ib.NewArray()
	defer idx.Release()
	db := array.NewStringBuilder(mem)
	db.AppendValues(cats, nil)
	dict := db.NewArray()
	db.Release()
	defer dict.Release()
	return array.NewDictionaryArray(CategoryType, idx, dict), nil
}

func sameStrings(a *array.String, b []string) bool {
	if a.Len() != len(b) {
		return false
	}
	for i, s := range b {
		if a.Value(i) != s {
			return false
		}
	}
	return true
}
