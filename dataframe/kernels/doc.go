// Package kernels holds the dataframe's Go kernels over Arrow records: the
// group-by aggregation, inner join and one-column sort that run in Go
// instead of DuckDB, and the record operations the other dataframe
// packages share (concatenation, schemas, categorical columns).
package kernels
