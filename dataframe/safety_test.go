package dataframe_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/dataframe"
	"github.com/dusk-go/dusk/dataframe/engine"
)

// Users' SQL is one expression (or one SELECT over part), never more: the
// attacks of issue 11 are refused before anything runs, nothing is
// written, no row is forged, no file read; plain expressions with the same
// characters in strings and comments still work.
func TestUserSQLCannotEscape(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(400, 40, 4)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(4))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	written := filepath.Join(dir, "x.csv")
	secret := filepath.Join(dir, "secret.txt")
	if err := os.WriteFile(secret, []byte("s3cr3t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	attacks := []struct {
		name string
		df   *dataframe.DataFrame
	}{
		{"a second statement writes a file", df.Filter(fmt.Sprintf("x > 0); COPY (SELECT 42) TO '%s' --", written))},
		{"a union forges rows", df.Filter("x > 0) UNION ALL SELECT 99999, 'forged', 1.0, 1.0 --")},
		{"a subquery reads a file", df.Filter(fmt.Sprintf("x > (SELECT count(*) FROM read_text('%s'))", secret))},
		{"an Assign ends its expression", df.Assign("z", "1) AS z, (SELECT 2")},
		{"an Assign adds a statement", df.Assign("z", fmt.Sprintf("1) AS z FROM part; COPY (SELECT 1) TO '%s'; SELECT (1", written))},
		{"a query reads a file", df.MapPartitionsSQL(fmt.Sprintf("SELECT * FROM read_text('%s')", secret))},
		{"a query joins a file", df.MapPartitionsSQL(fmt.Sprintf("SELECT p.*, f.content FROM part p, read_text('%s') f", secret))},
		{"a query adds a statement", df.MapPartitionsSQL(fmt.Sprintf("SELECT * FROM part; COPY (SELECT 1) TO '%s'", written))},
		{"a query forges rows", df.MapPartitionsSQL("SELECT * FROM part UNION ALL SELECT 99999, 'forged', 1.0, 1.0")},
		{"a query forges rows with VALUES", df.MapPartitionsSQL("SELECT * FROM part UNION ALL SELECT * FROM (VALUES (99999, 'forged', 1.0, 1.0))")},
		{"a query reaches the network", df.MapPartitionsSQL("SELECT * FROM part WHERE id < (SELECT count(*) FROM read_csv('http://127.0.0.1:9/x.csv'))")},
		{"a query reads another table", df.MapPartitionsSQL("SELECT * FROM duckdb_settings()")},
		{"a query installs an extension", df.MapPartitionsSQL("INSTALL httpfs")},
	}
	for _, a := range attacks {
		err := a.df.Err()
		var se *engine.SQLError
		if !errors.As(err, &se) {
			t.Errorf("%s: %v; want the SQL refused", a.name, err)
			continue
		}
		if n, err := a.df.Len(ctx); err == nil {
			t.Errorf("%s: Len = %d with no error", a.name, n)
		}
	}
	if _, err := os.Stat(written); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s was written (%v)", written, err)
	}
	// Strings and comments may hold what the attacks used.
	ok := df.Filter("k <> 'a); COPY (SELECT 1) TO ''y.csv'' --' AND x >= 0 -- a comment").
		Assign("z", "x * 2 -- doubled").
		MapPartitionsSQL("WITH t AS (SELECT * FROM part WHERE k <> ';') SELECT id, z FROM t WHERE (z >= 0)")
	n, err := ok.Len(ctx)
	if err != nil || n != int64(len(rows)) {
		t.Fatalf("plain SQL with the same characters: %d rows, %v; want %d", n, err, len(rows))
	}
	if msg := df.Filter("x > 0); SELECT (1").Err().Error(); !strings.Contains(msg, "Filter") || !strings.Contains(msg, "x > 0); SELECT (1") {
		t.Errorf("the refusal does not name the call and the expression: %s", msg)
	}
}
