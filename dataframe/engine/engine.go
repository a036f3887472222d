//go:build duckdb_arrow

package engine

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/dusk-go/dusk/dataframe/kernels"
)

// scanSlice is how many rows of an input record DuckDB gets per Arrow
// batch: one batch is scanned by one DuckDB thread, so large partitions are
// offered as several batches (zero-copy slices) to be scanned in parallel.
const scanSlice = 122880

// disabledOptimizers are DuckDB optimizers that must stay off while DuckDB
// scans Arrow data handed over through duckdb-go's RegisterView. That scan
// (DuckDB's C API arrow_scan) announces projection and filter pushdown, but
// the stream behind it ignores both, so with them on DuckDB reads the wrong
// columns (or crashes) when a query uses some of the columns, and drops rows
// when a filter is pushed down. With these off every scan reads all columns
// and filters run in DuckDB, which is correct; engine_test.go pins this.
// window_self_join rewrites a window aggregate with PARTITION BY and no
// ORDER BY into a join of the input with its own aggregate, which reads
// the stream twice: the second read finds it spent and the query returns
// no rows.
const disabledOptimizers = "filter_pushdown,unused_columns,column_lifetime,join_filter_pushdown,window_self_join"

// DB is a DuckDB database that runs relational kernels (filter,
// project, group-by, join, sort) over Arrow records. Each worker has one,
// sized within the worker's budget: memory_limit a share of the worker's
// memory limit, threads the worker's threads, temp_directory under the
// worker's scratch directory, so that DuckDB's operators spill there. It is
// safe for concurrent use.
type DB struct {
	connector *duckdb.Connector
	db        *sql.DB
	settings  Settings

	// access holds the databases that may touch files (see access.go):
	// the main one may not.
	access accessCache

	// planned holds the schemas of queries over inputs of no rows that
	// gave no rows (see empty.go).
	planned plannedSchemas

	// checked holds the users' expressions found good (see check.go).
	checked checkedSQL
}

// filesMemoryShare is the part of a DB's memory limit its files
// database gets (on top of it): its queries read one partition's row
// groups and aggregate or filter them as they stream.
const filesMemoryShare = 0.25

// Settings size a DB.
type Settings struct {
	// MemoryLimit is DuckDB's memory_limit in bytes; 0 leaves DuckDB's
	// default (80% of the machine's memory).
	MemoryLimit int64
	// Threads is DuckDB's thread count; 0 means GOMAXPROCS.
	Threads int
	// TempDir is where DuckDB spills; empty leaves DuckDB's default.
	TempDir string
}

// Open opens an in-memory DuckDB database with the given settings.
func Open(s Settings) (*DB, error) {
	if s.Threads <= 0 {
		s.Threads = runtime.GOMAXPROCS(0)
	}
	var init []string
	init = append(init, fmt.Sprintf("SET threads = %d", s.Threads))
	if s.MemoryLimit > 0 {
		init = append(init, fmt.Sprintf("SET memory_limit = '%dB'", s.MemoryLimit))
	}
	if s.TempDir != "" {
		if err := os.MkdirAll(s.TempDir, 0o755); err != nil {
			return nil, fmt.Errorf("dataframe: creating DuckDB's temp directory: %w", err)
		}
		init = append(init, "SET temp_directory = "+SQLString(s.TempDir))
	}
	init = append(init, "SET disabled_optimizers = "+SQLString(disabledOptimizers))
	connector, db, err := openDuckDB(s.Threads, append(init, lockdown(nil)...))
	if err != nil {
		return nil, err
	}
	e := &DB{connector: connector, db: db, settings: s}
	e.access.open = e.openAccess
	return e, nil
}

// openDuckDB opens an in-memory DuckDB database and runs init once, then
// nothing can change its configuration (init ends with lockdown).
func openDuckDB(threads int, init []string) (*duckdb.Connector, *sql.DB, error) {
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, nil, fmt.Errorf("dataframe: opening DuckDB: %w", err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxIdleConns(threads + 2)
	for _, q := range init {
		if _, err := db.Exec(q); err != nil {
			db.Close()
			connector.Close()
			return nil, nil, fmt.Errorf("dataframe: configuring DuckDB (%s): %w", q, err)
		}
	}
	return connector, db, nil
}

// Settings returns the settings the database was opened with.
func (e *DB) Settings() Settings { return e.settings }

// Close closes the database.
func (e *DB) Close() error {
	err := e.db.Close()
	if cerr := e.connector.Close(); err == nil {
		err = cerr
	}
	if cerr := e.access.close(); err == nil {
		err = cerr
	}
	return err
}

// QueryFiles runs a query that reads files with DuckDB's own readers
// (read_parquet) and takes no Arrow input, and returns its result as one
// record whose buffers live in Go's heap. It runs in a database that may
// read only under dirs (see access.go), with every optimizer on (no Arrow
// scan there needs them off), so that DuckDB reads only the columns the
// query uses and skips the row groups its filters rule out.
func (e *DB) QueryFiles(ctx context.Context, dirs []string, query string) (arrow.RecordBatch, error) {
	a, err := e.access.get(dirs, false)
	if err != nil {
		return nil, err
	}
	defer e.access.put(a)
	return runArrow(ctx, a.db, query, nil)
}

// QueryFilesBatches is QueryFiles with the result as DuckDB hands it
// over: records of up to 2,048 rows each, whose buffers are C memory, and
// the result's schema, with no copy into one record in Go's heap (for a
// task that keeps a few of the rows: the join of a Parquet scan). The
// caller releases each record.
func (e *DB) QueryFilesBatches(ctx context.Context, dirs []string, query string) ([]arrow.RecordBatch, *arrow.Schema, error) {
	a, err := e.access.get(dirs, false)
	if err != nil {
		return nil, nil, err
	}
	defer e.access.put(a)
	conn, err := a.db.Conn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("dataframe: a DuckDB connection: %w", err)
	}
	defer conn.Close()
	var out []arrow.RecordBatch
	var schema *arrow.Schema
	err = conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		rr, err := ar.QueryContext(ctx, query)
		if err != nil {
			return &QueryError{Query: query, Message: duckMessage(err)}
		}
		defer rr.Release()
		schema = rr.Schema()
		for rr.Next() {
			b := rr.RecordBatch()
			b.Retain()
			out = append(out, b)
		}
		if err := rr.Err(); err != nil {
			return &QueryError{Query: query, Message: duckMessage(err)}
		}
		return nil
	})
	if err != nil {
		for _, b := range out {
			b.Release()
		}
		return nil, nil, contextFirst(ctx, err)
	}
	return out, schema, nil
}

// QueryAt is Query in a database that may read and write files under
// dirs (see access.go): for COPY ... TO a file dusk writes.
func (e *DB) QueryAt(ctx context.Context, dirs []string, query string, inputs ...Input) (arrow.RecordBatch, error) {
	a, err := e.access.get(dirs, true)
	if err != nil {
		return nil, err
	}
	defer e.access.put(a)
	return runArrow(ctx, a.db, query, inputs)
}

// queryArrow runs query and collects its result into one record; orig is
// the query as the caller wrote it, for errors.
func queryArrow(ctx context.Context, ar *duckdb.Arrow, query, orig string) (arrow.RecordBatch, error) {
	rr, err := ar.QueryContext(ctx, query)
	if err != nil {
		return nil, &QueryError{Query: orig, Message: duckMessage(err)}
	}
	defer rr.Release()
	out, err := collect(rr)
	if err != nil {
		return nil, &QueryError{Query: orig, Message: duckMessage(err)}
	}
	return out, nil
}

// contextFirst returns ctx's error if it ended (the query failed because
// of it), else err.
func contextFirst(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// Input is a record a query reads under a name: Rec, or Recs, records of
// one schema read as one table in their order with no copy made of them
// (a run of partitions).
type Input struct {
	Name string
	Rec  arrow.RecordBatch
	Recs []arrow.RecordBatch
}

// batches returns the input's records cut into zero-copy slices DuckDB
// can scan in parallel, or an error naming the input when its records'
// schemas differ.
func (in Input) batches() ([]arrow.RecordBatch, error) {
	recs := in.Recs
	if in.Rec != nil {
		recs = []arrow.RecordBatch{in.Rec}
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("dataframe: input %s has no records; give Rec or Recs", in.Name)
	}
	var out []arrow.RecordBatch
	for i, r := range recs {
		if !r.Schema().Equal(recs[0].Schema()) {
			return nil, fmt.Errorf("dataframe: record %d of input %s has schema %s, record 0 has %s; the records of an input must share one schema", i, in.Name, r.Schema(), recs[0].Schema())
		}
		out = append(out, scanSlices(r)...)
	}
	return out, nil
}

// QueryError is a query DuckDB refused or failed: its message and the
// query.
type QueryError struct {
	Query   string
	Message string
}

// Error shows DuckDB's message and the query.
func (e *QueryError) Error() string {
	return fmt.Sprintf("DuckDB: %s\n  in the query: %s", e.Message, e.Query)
}

// Query runs query over the inputs and returns the result as one record
// whose buffers live in Go's heap. The query names each input by its name
// quoted ("name"), must read it whole and once (see disabledOptimizers):
// read it through WithCTE and ScanView, which do both.
func (e *DB) Query(ctx context.Context, query string, inputs ...Input) (arrow.RecordBatch, error) {
	q, ok := emptyInputs(query, inputs)
	if !ok {
		return runArrow(ctx, e.db, query, inputs)
	}
	if s := e.planned.get(q); s != nil {
		return kernels.EmptyRecord(s), nil
	}
	out, err := runArrow(ctx, e.db, query, inputs)
	if err == nil && out.NumRows() == 0 {
		e.planned.put(q, out.Schema())
	}
	return out, err
}

// runArrow runs query over the inputs on a connection of db.
func runArrow(ctx context.Context, db *sql.DB, query string, inputs []Input) (arrow.RecordBatch, error) {
	orig := query
	if q, ok := emptyInputs(query, inputs); ok {
		// No rows in: no view to register (see empty.go).
		query, inputs = q, nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("dataframe: a DuckDB connection: %w", err)
	}
	defer conn.Close()
	var out arrow.RecordBatch
	err = conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		// Each query registers its inputs under names of its own:
		// concurrent registrations of one name fail in DuckDB.
		views := make([]string, len(inputs))
		for i, in := range inputs {
			views[i] = fmt.Sprintf("%s_%d", in.Name, viewSeq.Add(1))
			query = strings.ReplaceAll(query, QuoteIdent(in.Name), QuoteIdent(views[i]))
			// A record registered with DuckDB is exported through the C
			// data interface, whose release drops a reference: the
			// reader holds one of each batch for it, so that the
			// caller's records stay intact.
			batches, err := in.batches()
			if err != nil {
				return err
			}
			rdr, err := array.NewRecordReader(batches[0].Schema(), batches)
			if err != nil {
				return err
			}
			// The stream owns the reader from here on: its release (below,
			// or on failure inside RegisterView) releases the reader.
			release, err := ar.RegisterView(rdr, views[i])
			if err != nil {
				return fmt.Errorf("registering input %s with DuckDB: %w", in.Name, err)
			}
			defer release()
		}
		defer func() {
			if ex, ok := dc.(driver.ExecerContext); ok {
				for _, v := range views {
					_, _ = ex.ExecContext(context.Background(), "DROP VIEW IF EXISTS "+v, nil)
				}
			}
		}()
		out, err = queryArrow(ctx, ar, query, orig)
		return err
	})
	if err != nil {
		return nil, contextFirst(ctx, err)
	}
	return out, nil
}

// viewSeq numbers the views queries register.
var viewSeq atomic.Int64

// scanSlices cuts rec into zero-copy slices DuckDB can scan in parallel.
func scanSlices(rec arrow.RecordBatch) []arrow.RecordBatch {
	n := rec.NumRows()
	if n <= scanSlice {
		return []arrow.RecordBatch{rec}
	}
	var out []arrow.RecordBatch
	for s := int64(0); s < n; s += scanSlice {
		out = append(out, rec.NewSlice(s, min(n, s+scanSlice)))
	}
	return out
}

// collect reads a DuckDB result into one record in Go memory, releasing
// DuckDB's batches (whose buffers are C memory) as it goes.
func collect(rr array.RecordReader) (arrow.RecordBatch, error) {
	schema := kernels.NullableSchema(rr.Schema())
	var batches []arrow.RecordBatch
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	for rr.Next() {
		b := rr.RecordBatch()
		b.Retain()
		batches = append(batches, b)
	}
	if err := rr.Err(); err != nil {
		return nil, err
	}
	return kernels.Concat(schema, batches, true)
}

// duckMessage strips the driver's wrapping from a DuckDB error.
func duckMessage(err error) string {
	var de *duckdb.Error
	if errors.As(err, &de) {
		return de.Error()
	}
	return err.Error()
}
