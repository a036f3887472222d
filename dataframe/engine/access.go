//go:build duckdb_arrow

package engine

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Every DuckDB dusk opens is locked down before any query runs: no access
// to files or the network (enable_external_access off), no extension
// installed or loaded on its own, and the configuration locked, so that no
// query can turn any of it back on. The worker's main database, where
// users' expressions run over Arrow data, may touch no file at all. Files
// dusk itself reads (Parquet through DuckDB's reader) or writes (Parquet
// through COPY ... TO) go through databases that may reach only the
// directories dusk named for them (allowed_directories): one such database
// per set of directories, a few kept open and the least recently used
// closed when idle. DuckDB's own spill files go to its temp_directory,
// which it may always use.

// lockdown returns the settings that lock a database down, allowing files
// under dirs only.
func lockdown(dirs []string) []string {
	allowed := make([]string, len(dirs))
	for i, d := range dirs {
		allowed[i] = SQLString(strings.TrimSuffix(d, "/") + "/")
	}
	return []string{
		"SET allowed_directories = [" + strings.Join(allowed, ", ") + "]",
		"SET enable_external_access = false",
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
		"SET lock_configuration = true",
	}
}

// maxIdleAccess bounds the databases with file access kept open while no
// query uses them.
const maxIdleAccess = 4

// access is an open database that may touch files under some directories.
type access struct {
	key       string
	db        *sql.DB
	connector *duckdb.Connector
	inUse     int
	lastUse   uint64
}

// accessCache holds the databases with file access of a DB, by the
// directories they may reach and whether they scan Arrow inputs.
type accessCache struct {
	open func(dirs []string, arrowScans bool) (*access, error)

	mu     sync.Mutex // protects the fields below
	dbs    map[string]*access
	clock  uint64
	closed bool
}

// get returns the database for dirs, opening it when needed; the caller
// puts it back when its query is done.
func (c *accessCache) get(dirs []string, arrowScans bool) (*access, error) {
	dirs, err := cleanDirs(dirs)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%v|%s", arrowScans, strings.Join(dirs, "\x00"))
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, errors.New("dataframe: the worker's DuckDB is closed")
	}
	a := c.dbs[key]
	if a == nil {
		c.mu.Unlock()
		fresh, err := c.open(dirs, arrowScans)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if a = c.dbs[key]; a == nil { // nobody opened it meanwhile
			if c.dbs == nil {
				c.dbs = map[string]*access{}
			}
			fresh.key = key
			c.dbs[key] = fresh
			a = fresh
		} else {
			defer closeAccess(fresh)
		}
	}
	a.inUse++
	c.clock++
	a.lastUse = c.clock
	c.mu.Unlock()
	return a, nil
}

// put returns a database got from get, and closes the least recently used
// idle ones past maxIdleAccess.
func (c *accessCache) put(a *access) {
	c.mu.Lock()
	a.inUse--
	var idle []*access
	for _, x := range c.dbs {
		if x.inUse == 0 {
			idle = append(idle, x)
		}
	}
	var drop []*access
	if len(idle) > maxIdleAccess {
		slices.SortFunc(idle, func(x, y *access) int { return int(x.lastUse) - int(y.lastUse) })
		drop = idle[:len(idle)-maxIdleAccess]
		for _, x := range drop {
			delete(c.dbs, x.key)
		}
	}
	c.mu.Unlock()
	for _, x := range drop {
		closeAccess(x)
	}
}

// close closes every database; later gets fail.
func (c *accessCache) close() error {
	c.mu.Lock()
	c.closed = true
	dbs := c.dbs
	c.dbs = nil
	c.mu.Unlock()
	var err error
	for _, a := range dbs {
		err = errors.Join(err, closeAccess(a))
	}
	return err
}

func closeAccess(a *access) error {
	return errors.Join(a.db.Close(), a.connector.Close())
}

// cleanDirs makes dirs absolute and clean, sorted and without repeats.
func cleanDirs(dirs []string) ([]string, error) {
	out := make([]string, 0, len(dirs))
	for _, d := range dirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			return nil, fmt.Errorf("dataframe: directory %s: %w", d, err)
		}
		out = append(out, abs)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// openAccess opens a database that may touch files under dirs only: with
// the main database's threads, a share of its memory limit and a temp
// directory of its own; for Arrow scans with the optimizers that must be
// off for them (see disabledOptimizers), else with every optimizer on.
func (e *DB) openAccess(dirs []string, arrowScans bool) (*access, error) {
	s := e.settings
	init := []string{fmt.Sprintf("SET threads = %d", s.Threads)}
	if s.MemoryLimit > 0 {
		init = append(init, fmt.Sprintf("SET memory_limit = '%dB'", max(int64(float64(s.MemoryLimit)*filesMemoryShare), 32<<20)))
	}
	if s.TempDir != "" {
		dir, err := os.MkdirTemp(s.TempDir, "files-")
		if err != nil {
			return nil, fmt.Errorf("dataframe: creating DuckDB's temp directory: %w", err)
		}
		init = append(init, "SET temp_directory = "+SQLString(dir))
	}
	if arrowScans {
		init = append(init, "SET disabled_optimizers = "+SQLString(disabledOptimizers))
	}
	connector, db, err := openDuckDB(s.Threads, append(init, lockdown(dirs)...))
	if err != nil {
		return nil, err
	}
	return &access{db: db, connector: connector}, nil
}
