//go:build duckdb_arrow

package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every DuckDB dusk opens reaches no file, no network and no extension on
// its own, and no query can change that; the databases for dusk's own
// files reach only the directories named for them.
func TestEveryDuckDBIsLockedDown(t *testing.T) {
	ctx := context.Background()
	e, err := Open(Settings{Threads: 1, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	dir, other := t.TempDir(), t.TempDir()
	secret := filepath.Join(other, "secret.txt")
	if err := os.WriteFile(secret, []byte("s3cr3t"), 0o600); err != nil {
		t.Fatal(err)
	}
	refused := func(where, q string, run func(string) error, words ...string) {
		t.Helper()
		err := run(q)
		if err == nil {
			t.Errorf("%s: %s ran", where, q)
			return
		}
		for _, w := range words {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %s: %v; want %q in it", where, q, err, w)
			}
		}
		if strings.Contains(err.Error(), "connect") || strings.Contains(err.Error(), "resolve") {
			t.Errorf("%s: %s tried the network: %v", where, q, err)
		}
	}
	main := func(q string) error { _, err := e.Query(ctx, q); return err }
	files := func(q string) error { _, err := e.QueryFiles(ctx, []string{dir}, q); return err }
	writes := func(q string) error { _, err := e.QueryAt(ctx, []string{dir}, q); return err }
	for name, run := range map[string]func(string) error{"main": main, "files": files, "writes": writes} {
		refused(name, "SELECT content FROM read_text('"+secret+"')", run, "disabled by configuration")
		refused(name, "COPY (SELECT 1) TO '"+filepath.Join(other, "x.csv")+"'", run, "disabled by configuration")
		refused(name, "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')", run, "disabled by configuration")
		refused(name, "INSTALL httpfs", run)
		refused(name, "LOAD httpfs", run, "disabled")
		refused(name, "SET enable_external_access = true", run, "locked")
		refused(name, "SET lock_configuration = false", run, "locked")
		refused(name, "SET allowed_directories = ['/']", run, "locked")
	}
	if _, err := os.Stat(filepath.Join(other, "x.csv")); !os.IsNotExist(err) {
		t.Fatalf("a file was written outside the allowed directory: %v", err)
	}
	// The allowed directory works both ways.
	f := filepath.Join(dir, "t.parquet")
	if err := writes("COPY (SELECT 42 AS x) TO '" + f + "' (FORMAT parquet)"); err != nil {
		t.Fatalf("writing in the allowed directory: %v", err)
	}
	rec, err := e.QueryFiles(ctx, []string{dir}, "SELECT x FROM read_parquet('"+f+"')")
	if err != nil {
		t.Fatalf("reading in the allowed directory: %v", err)
	}
	defer rec.Release()
	if rec.NumRows() != 1 {
		t.Fatalf("read %d rows", rec.NumRows())
	}
	refused("main", "SELECT x FROM read_parquet('"+f+"')", main, "disabled by configuration")
}
