//go:build duckdb_arrow

package main

// The dataframe's functions, shuffle and DuckDB extension, so that "dusk
// worker" runs dataframe tasks. The dataframe needs the duckdb_arrow tag;
// without it dusk is built without them.
import _ "github.com/dusk-go/dusk/dataframe"
