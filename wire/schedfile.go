package wire

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// SchedulerFile is what a scheduler started with --scheduler-file writes
// for its workers and clients to find it (Dask's scheduler file, as JSON):
// on a shared file system a batch job's workers need no address on their
// command line. It holds no secret: the token travels apart.
type SchedulerFile struct {
	// Type is "Scheduler".
	Type string `json:"type"`
	// ID is the scheduler's ID.
	ID string `json:"id"`
	// Address is where workers and clients connect, as tcp://host:port.
	Address string `json:"address"`
	// Dashboard is the dashboard's URL; empty when it is off.
	Dashboard string `json:"dashboard,omitempty"`
}

// WriteSchedulerFile writes f to path whole or not at all (through a
// temporary file renamed into place), readable by the user only.
func WriteSchedulerFile(path string, f SchedulerFile) error {
	f.Type = "Scheduler"
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".scheduler-file-*")
	if err != nil {
		return fmt.Errorf("writing the scheduler file: %w", err)
	}
	_, err = tmp.Write(append(b, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing the scheduler file %s: %w", path, err)
	}
	return nil
}

// ReadSchedulerFile returns the scheduler address written in the file at
// path. A file not there yet (the scheduler has not started) is waited
// for until ctx ends; a file that is there but not a scheduler file is an
// error at once.
func ReadSchedulerFile(ctx context.Context, path string) (SchedulerFile, error) {
	wait := 10 * time.Millisecond
	for {
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			var f SchedulerFile
			if err := json.Unmarshal(b, &f); err != nil {
				return f, fmt.Errorf("scheduler file %s: not a scheduler file (%v); dusk scheduler --scheduler-file writes it", path, err)
			}
			if f.Address == "" {
				return f, fmt.Errorf("scheduler file %s names no address; dusk scheduler --scheduler-file writes it", path)
			}
			return f, nil
		case !errors.Is(err, fs.ErrNotExist):
			return SchedulerFile{}, fmt.Errorf("reading the scheduler file: %w", err)
		}
		select {
		case <-ctx.Done():
			return SchedulerFile{}, fmt.Errorf("scheduler file %s: no scheduler wrote it (%w)", path, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}
