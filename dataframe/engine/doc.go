// Package engine is the dataframe's DuckDB: one database per worker (a
// worker extension sized within the worker's budget) that runs relational
// kernels over Arrow records, and the SQL helpers the dataframe's queries
// are written with. It needs the duckdb_arrow build tag.
package engine
