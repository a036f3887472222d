// Package io reads and writes the dataframe's files: CSV (planning files
// into splits, inferring column types, a fast float parser) and Parquet
// (footers and their statistics, row groups, writing with DuckDB or
// arrow-go, the _metadata file), one Arrow record per partition.
package io
