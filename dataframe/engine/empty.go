//go:build duckdb_arrow

package engine

import (
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
)

// Planning asks DuckDB for the schema of each step's query over inputs of
// no rows (a Merge's join, a Filter, an Assign: several queries a plan).
// Registering an Arrow input as a view, and dropping it after, cost more
// than the query itself (about 1.5 ms a query against 0.8 ms): inputs of
// no rows whose columns DuckDB reads from Arrow as one SQL type each are
// given to the query as empty relations of those types instead, which
// give it the same types, hence the same result.
//
// The main database (DB.Query) also keeps the schema each such query gave
// when it gave no rows, by the query with its inputs spelt out (their
// columns' names and types): the same query over the same columns gives
// the same empty result, so a plan built again (a query run again, a
// step the optimizer rewrites to what it was) asks DuckDB nothing.

// maxPlanned bounds the schemas a DB keeps; past it they are forgotten
// and kept anew.
const maxPlanned = 4096

// plannedSchemas are the schemas of queries over inputs of no rows, by
// the query emptyInputs made of them.
type plannedSchemas struct {
	mu sync.Mutex
	m  map[string]*arrow.Schema
}

func (p *plannedSchemas) get(query string) *arrow.Schema {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m[query]
}

func (p *plannedSchemas) put(query string, s *arrow.Schema) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil || len(p.m) >= maxPlanned {
		p.m = map[string]*arrow.Schema{}
	}
	p.m[query] = s
}

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
