//go:build !duckdb_arrow

package engine

// DuckDB's Arrow interface, which this package uses, is built only with the
// duckdb_arrow tag: without it the build stops here, at an identifier that
// says what to do (go build -tags duckdb_arrow).
var _ = dusk_dataframe_needs_build_tag_duckdb_arrow
