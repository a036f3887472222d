//go:build duckdb_arrow

package engine

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Planning asks DuckDB for the schema of each step's query over inputs of
// no rows (a Merge's join, a Filter, an Assign: several queries a plan).
// Registering an Arrow input as a view, and dropping it after, cost more
// than the query itself (about 1.5 ms a query against 0.8 ms): inputs of
// no rows whose columns DuckDB reads from Arrow as one SQL type each are
// given to the query as empty relations of those types instead, which
// give it the same types, hence the same result.

// duckTypes are the SQL types DuckDB's Arrow scan reads the Arrow types
// as, for the types emptyInputs spells.
var duckTypes = map[arrow.Type]string{
	arrow.INT8: "TINYINT", arrow.INT16: "SMALLINT", arrow.INT32: "INTEGER", arrow.INT64: "BIGINT",
	arrow.UINT8: "UTINYINT", arrow.UINT16: "USMALLINT", arrow.UINT32: "UINTEGER", arrow.UINT64: "UBIGINT",
	arrow.FLOAT32: "FLOAT", arrow.FLOAT64: "DOUBLE", arrow.BOOL: "BOOLEAN",
	arrow.STRING: "VARCHAR", arrow.LARGE_STRING: "VARCHAR", arrow.DATE32: "DATE",
}

// emptyInputs returns query with each input bound to an empty relation of
// its columns' types, when every input holds no rows and only columns of
// types in duckTypes; else false.
func emptyInputs(query string, inputs []Input) (string, bool) {
	if len(inputs) == 0 {
		return "", false
	}
	bodies := make([]string, len(inputs))
	for i, in := range inputs {
		recs := in.Recs
		if in.Rec != nil {
			recs = []arrow.RecordBatch{in.Rec}
		}
		if len(recs) == 0 {
			return "", false
		}
		schema := recs[0].Schema()
		for _, r := range recs {
			if r.NumRows() != 0 || !r.Schema().Equal(schema) {
				return "", false
			}
		}
		if schema.NumFields() == 0 {
			return "", false
		}
		cols := make([]string, schema.NumFields())
		for j, f := range schema.Fields() {
			t, ok := duckTypes[f.Type.ID()]
			if !ok {
				return "", false
			}
			cols[j] = "CAST(NULL AS " + t + ") AS " + QuoteIdent(f.Name)
		}
		bodies[i] = "SELECT " + strings.Join(cols, ", ") + " LIMIT 0"
	}
	for i := len(inputs) - 1; i >= 0; i-- {
		query = WithCTE(inputs[i].Name, bodies[i], query)
	}
	return query, true
}
