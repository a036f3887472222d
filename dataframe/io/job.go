package io

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe/shuffle"
)

// A write job (ToParquet, ToCSV) writes its parts into a temporary
// directory beside the target, renamed to the target once every part is
// there. The client that runs the job holds a lock file in the temporary
// directory (a shared flock) for as long as the job runs: if it dies, the
// lock is free, and whoever sees that removes the directory, so a killed
// client leaves no half-written dataset behind. The workers' writing tasks
// look when they end (and their tasks are cancelled when the client
// leaves); the next job writing beside the same target sweeps what is
// left. The lock needs a file system with working flock, as the workers'
// own directories do.

// jobLockName is the lock file of a write job's temporary directory.
const jobLockName = ".dusk-job.lock"

// ErrJobGone is a writing task whose job's client is gone: the job's
// temporary directory was removed.
var ErrJobGone = errors.New("the client that asked for this write is gone; its temporary directory was removed")

// Job is a running write job, held by this process.
type Job struct {
	// Dir is the temporary directory the parts go to.
	Dir  string
	lock *os.File
}

// StartJob removes what dead jobs left beside target, and makes a new
// job's temporary directory, locked by this process.
func StartJob(target string, log *slog.Logger) (*Job, error) {
	parent, base := filepath.Dir(target), filepath.Base(target)
	prefix := "." + base + ".dusk-tmp-"
	stale, _ := filepath.Glob(filepath.Join(parent, prefix+"*"))
	for _, d := range stale {
		if ownerGone(d) {
			if err := os.RemoveAll(d); err == nil {
				log.Info("removed what a dead write job left", "dir", d)
			}
		}
	}
	dir := filepath.Join(parent, prefix+shuffle.NewID())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(dir, jobLockName))
	if err == nil {
		if err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
			f.Close()
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("locking the job's directory %s: %w", dir, err)
	}
	return &Job{Dir: dir, lock: f}, nil
}

// Finish renames the job's directory to target; an existing target (with
// overwrite) is moved aside first and removed last.
// The lock file goes last, once the directory has its final name (where
// no sweep looks).
func (j *Job) Finish(target string, overwrite bool) error {
	defer j.lock.Close()
	if err := j.rename(target, overwrite); err != nil {
		return err
	}
	return os.Remove(filepath.Join(target, jobLockName))
}

func (j *Job) rename(target string, overwrite bool) error {
	if _, err := os.Stat(target); err == nil {
		if !overwrite {
			return fmt.Errorf("%s appeared while the job ran; pass dataframe.Overwrite() to replace it", target)
		}
		old := j.Dir + ".old"
		if err := os.Rename(target, old); err != nil {
			return err
		}
		if err := os.Rename(j.Dir, target); err != nil {
			os.Rename(old, target)
			return err
		}
		return os.RemoveAll(old)
	}
	return os.Rename(j.Dir, target)
}

// Abort removes the job's directory.
func (j *Job) Abort() {
	os.RemoveAll(j.Dir)
	j.lock.Close()
}

// ownerGone reports whether the job whose temporary directory is dir has
// no living client: its lock file can be locked exclusively (or is gone).
func ownerGone(dir string) bool {
	f, err := os.Open(filepath.Join(dir, jobLockName))
	if err != nil {
		return errors.Is(err, os.ErrNotExist)
	}
	defer f.Close()
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}

// checkJob removes the temporary directory dir of a job whose client is
// gone and says so (ErrJobGone); a writing task calls it when it ends.
func checkJob(dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return ErrJobGone // removed already
	}
	if !ownerGone(dir) {
		return nil
	}
	os.RemoveAll(dir)
	return ErrJobGone
}

// WriteParquetTask is WriteParquetPart as a task: when it ends, a job
// whose client is gone has its directory removed (ErrJobGone).
func WriteParquetTask(ctx context.Context, rec arrow.RecordBatch, spec WriteSpec) (Written, error) {
	return jobTask(WriteParquetPart)(ctx, rec, spec)
}

// WriteCSVTask is WriteCSVPart as a task (see WriteParquetTask).
func WriteCSVTask(ctx context.Context, rec arrow.RecordBatch, spec WriteSpec) (Written, error) {
	return jobTask(WriteCSVPart)(ctx, rec, spec)
}

// jobTask wraps a part writer: the job's client is checked once the part
// is written (or failed to be).
func jobTask(write func(context.Context, arrow.RecordBatch, WriteSpec) (Written, error)) func(context.Context, arrow.RecordBatch, WriteSpec) (Written, error) {
	return func(ctx context.Context, rec arrow.RecordBatch, spec WriteSpec) (Written, error) {
		w, err := write(ctx, rec, spec)
		if gone := checkJob(spec.Dir); gone != nil {
			return Written{}, fmt.Errorf("writing %s: %w", spec.Name, gone)
		}
		return w, err
	}
}
