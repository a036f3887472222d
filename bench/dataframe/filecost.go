//go:build duckdb_arrow

package main

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// fileCost measures, in DuckDB alone with one thread, what files cost
// apart from dusk: reading the Parquet files' group by k as one query per
// file (as dusk read them before grouping files) and as one query over
// all; writing the rows as one Parquet file and as one file per 250,000
// rows (as dusk writes one file per partition, 80 of them here).
func fileCost(ctx context.Context) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	do := func(q string) error {
		_, err := db.ExecContext(ctx, q)
		if err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
		return nil
	}
	if err := do(fmt.Sprintf("CREATE TABLE t AS SELECT * FROM read_parquet('%s')", parquetGlob())); err != nil {
		return err
	}
	if err := do("SET threads = 1"); err != nil {
		return err
	}
	var rows int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&rows); err != nil {
		return err
	}
	files, err := filepath.Glob(parquetGlob())
	if err != nil {
		return err
	}
	group := "SELECT k, sum(x), count(x), max(y) FROM read_parquet([%s], hive_partitioning = false) GROUP BY k"
	list := func(fs []string) string { return "'" + strings.Join(fs, "', '") + "'" }
	reads := []struct {
		name string
		run  func() error
	}{
		{fmt.Sprintf("%d queries", len(files)), func() error {
			for _, f := range files {
				if err := do(fmt.Sprintf(group, list([]string{f}))); err != nil {
					return err
				}
			}
			return nil
		}},
		{"one query", func() error { return do(fmt.Sprintf(group, list(files))) }},
	}
	for _, r := range reads {
		best, bestCPU := time.Duration(1<<62), 0.0
		for range *repeat {
			c0, t0 := cpuSeconds(nil), time.Now()
			if err := r.run(); err != nil {
				return err
			}
			if d := time.Since(t0); d < best {
				best, bestCPU = d, cpuSeconds(nil)-c0
			}
		}
		log.Printf("duckdb alone, 1 thread, group by k of %d Parquet files as %-11s %8.3fs (cpu %6.2fs)", len(files), r.name+":", best.Seconds(), bestCPU)
	}
	dir, err := os.MkdirTemp(filepath.Dir(*outFlag), "filecost-")
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
			return do(fmt.Sprintf("COPY t TO '%s' (FORMAT parquet, COMPRESSION snappy)", filepath.Join(out, "one.parquet")))
		}},
		{fmt.Sprintf("%d files", (rows+perFile-1)/perFile), func(out string) error {
			for i := int64(0); i*perFile < rows; i++ {
				q := fmt.Sprintf("COPY (SELECT * FROM t WHERE rowid >= %d AND rowid < %d) TO '%s' (FORMAT parquet, COMPRESSION snappy)",
					i*perFile, (i+1)*perFile, filepath.Join(out, fmt.Sprintf("part.%d.parquet", i)))
				if err := do(q); err != nil {
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
