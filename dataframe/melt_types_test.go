package dataframe

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe/kernels"
)

// TestMeltCommonType checks the type Melt casts value columns to: one
// that holds every value of each exactly, or an error naming two columns
// that have none.
func TestMeltCommonType(t *testing.T) {
	p := arrow.PrimitiveTypes
	str := arrow.BinaryTypes.String
	for _, tc := range []struct {
		types []arrow.DataType
		want  string // the type, or "error: <part of the message>"
	}{
		{[]arrow.DataType{p.Int64, p.Int64}, ""},
		{[]arrow.DataType{arrow.FixedWidthTypes.Boolean, arrow.FixedWidthTypes.Boolean}, ""},
		{[]arrow.DataType{p.Int8, p.Int32}, "INTEGER"},
		{[]arrow.DataType{p.Int8, p.Uint8}, "SMALLINT"},
		{[]arrow.DataType{p.Uint32, p.Int16}, "BIGINT"},
		{[]arrow.DataType{p.Uint8, p.Uint64}, "UBIGINT"},
		{[]arrow.DataType{p.Float32, p.Float64}, "DOUBLE"},
		{[]arrow.DataType{p.Int32, p.Float32}, "DOUBLE"},
		{[]arrow.DataType{p.Uint32, p.Float64}, "DOUBLE"},
		{[]arrow.DataType{str, kernels.CategoryType}, "VARCHAR"},
		{[]arrow.DataType{kernels.CategoryType, kernels.CategoryType}, "VARCHAR"},
		{[]arrow.DataType{p.Float64, p.Int64}, `error: "c1" (int64) and "c0" (float64)`},
		{[]arrow.DataType{p.Uint64, p.Int8}, `error: "c0" (uint64) and "c1" (int8)`},
		{[]arrow.DataType{p.Int64, str}, `error: "c0" (int64) and "c1" (utf8)`},
		{[]arrow.DataType{str, str, arrow.FixedWidthTypes.Boolean}, `error: "c0" (utf8) and "c2" (bool)`},
		{[]arrow.DataType{arrow.FixedWidthTypes.Timestamp_s, arrow.FixedWidthTypes.Timestamp_ms}, `error: "c0" (timestamp[s, tz=UTC]) and "c1"`},
	} {
		cols := make([]string, len(tc.types))
		for i := range cols {
			cols[i] = "c" + string(rune('0'+i))
		}
		got, err := commonType(cols, tc.types)
		if msg, isErr := strings.CutPrefix(tc.want, "error: "); isErr {
			if err == nil || !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), "Assign") {
				t.Errorf("%v: got %q, %v; want an error mentioning %s", tc.types, got, err, msg)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%v: got %q, %v; want %q", tc.types, got, err, tc.want)
		}
	}
}
