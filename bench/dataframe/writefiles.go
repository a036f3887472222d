//go:build duckdb_arrow

package main

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"
)

// writeFiles measures DuckDB alone writing the benchmark's rows as
// Parquet, once as one file and once as one file per 250,000 rows (as
// dusk writes one file per partition, 80 of them here), each with one
// thread: the cost of the files themselves, apart from dusk.
func writeFiles(ctx context.Context) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	exec := func(q string) error {
		_, err := db.ExecContext(ctx, q)
		if err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
		return nil
	}
	if err := exec(fmt.Sprintf("CREATE TABLE t AS SELECT * FROM read_parquet(%s)", "'"+parquetGlob()+"'")); err != nil {
		return err
	}
	if err := exec("SET threads = 1"); err != nil {
		return err
	}
	var rows int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&rows); err != nil {
		return err
	}
	dir, err := os.MkdirTemp(filepath.Dir(*outFlag), "writefiles-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	const perFile = 250_000
	cases := []struct {
		name string
		run  func(out string) error
	}{
		{"one file", func(out string) error {
			return exec(fmt.Sprintf("COPY t TO '%s' (FORMAT parquet, COMPRESSION snappy)", filepath.Join(out, "one.parquet")))
		}},
		{fmt.Sprintf("%d files", (rows+perFile-1)/perFile), func(out string) error {
			for i := int64(0); i*perFile < rows; i++ {
				q := fmt.Sprintf("COPY (SELECT * FROM t WHERE rowid >= %d AND rowid < %d) TO '%s' (FORMAT parquet, COMPRESSION snappy)",
					i*perFile, (i+1)*perFile, filepath.Join(out, fmt.Sprintf("part.%d.parquet", i)))
				if err := exec(q); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for _, c := range cases {
		best, bestCPU := time.Duration(1<<62), 0.0
		for r := range *repeat {
			out := filepath.Join(dir, fmt.Sprintf("%s-%d", c.name, r))
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			c0, t0 := cpuSeconds(nil), time.Now()
			if err := c.run(out); err != nil {
				return err
			}
			if d := time.Since(t0); d < best {
				best, bestCPU = d, cpuSeconds(nil)-c0
			}
			os.RemoveAll(out)
		}
		log.Printf("duckdb alone, 1 thread, %d rows as %-10s %8.3fs (cpu %6.2fs)", rows, c.name+":", best.Seconds(), bestCPU)
	}
	return nil
}
