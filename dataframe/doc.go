// Package dataframe is a partitioned dataframe for dusk: the public API,
// the lazy plan and its optimizer, and the lowering of plans to task
// graphs. A table is split into partitions that live on the workers, each
// partition an Arrow record, with relational work inside a partition done
// by DuckDB over Arrow (package engine; and, for simple group-bys, inner
// joins and sorts on one numeric column, in Go over the Arrow arrays:
// package kernels), files read and written by package io, and a
// peer-to-peer shuffle (package shuffle) for work across partitions.
//
// Rules for using it:
//
//  1. Build with the duckdb_arrow tag (go build -tags duckdb_arrow): DuckDB's
//     Arrow interface needs it. Without the tag the build stops with an
//     error that names it (dusk_dataframe_needs_build_tag_duckdb_arrow).
//  2. Workers must know the package's functions: the stock dusk worker
//     imports it; your own binary does when it imports this package and
//     calls dusk.Main() first in main.
//  3. Files are read by the workers: paths given to ReadCSV, ReadJSON,
//     ReadParquet, ToParquet, ToCSV and ToJSON must name the same files on
//     every machine (a shared file system, or one machine).
//  4. Operations are lazy and checked where they are written: a missing
//     column, a bad expression or a type mismatch is an error with your file
//     and line, returned by Err and by the method that runs the plan
//     (Compute, Persist, Len, Head, ToParquet, ...). Methods that need a
//     pass over the data to plan (SetIndex, SortValues, Categorize,
//     Repartition, Describe) take a context and run it at once.
//  5. Each worker has one DuckDB whose memory_limit is a share of the
//     worker's memory limit, with threads = the worker's threads and
//     temp_directory under the worker's scratch directory, and, once a
//     query reads Parquet files with DuckDB's own reader, a second one for
//     those queries (a quarter of the first one's memory limit).
//
// A small program:
//
//	df := dataframe.ReadCSV(c, "data/*.csv") // lazy; a mistake is in df.Err()
//	out := df.Filter("x > 0").GroupBy("k").Agg(dataframe.Sum("x"), dataframe.Mean("y"))
//	tbl, err := out.Compute(ctx) // an arrow.Table
//
// See docs/dataframe.md for the whole API and how it runs.
package dataframe
