//go:build duckdb_arrow

package engine

import (
	"context"
	"errors"
	"path/filepath"
	"sync"

	"github.com/dusk-go/dusk/task"
)

// extensionName is the name of the worker extension that holds a worker's
// DuckDB database.
const extensionName = "dataframe.duckdb"

// memoryShare is the part of a worker's memory limit given to its DuckDB
// (the rest holds the worker's Arrow partitions, which live in Go's heap,
// outside DuckDB's accounting).
const memoryShare = 0.4

// extension is a worker's DuckDB, as a worker extension: built on the
// first task that needs it and closed with the worker.
type extension struct{ db *DB }

// Receive refuses messages: peers have nothing to send a DuckDB.
func (x *extension) Receive(ctx context.Context, topic string, data []byte) error {
	return errors.New("dataframe: the DuckDB extension takes no messages")
}

// Close closes the worker's DuckDB with the worker.
func (x *extension) Close() error { return x.db.Close() }

func init() {
	task.RegisterExtension(extensionName, func(rt task.Runtime) (task.Extension, error) {
		s := Settings{Threads: rt.NThreads()}
		if lim := rt.MemoryLimit(); lim > 0 {
			s.MemoryLimit = max(int64(float64(lim)*memoryShare), 64<<20)
		}
		dir, err := rt.Dir()
		if err != nil {
			return nil, err
		}
		s.TempDir = filepath.Join(dir, "duckdb")
		db, err := Open(s)
		if err != nil {
			return nil, err
		}
		return &extension{db: db}, nil
	})
}

var (
	localOnce sync.Once
	localDB   *DB
	localErr  error
)

// For returns the DuckDB of the worker running the task whose context ctx
// is, or outside a task this process's own (used to check expressions and
// schemas where they are written).
func For(ctx context.Context) (*DB, error) {
	if rt, ok := task.FromContext(ctx); ok {
		ext, err := rt.Extension(extensionName)
		if err != nil {
			return nil, err
		}
		return ext.(*extension).db, nil
	}
	localOnce.Do(func() {
		localDB, localErr = Open(Settings{Threads: 1, MemoryLimit: 512 << 20})
	})
	return localDB, localErr
}
