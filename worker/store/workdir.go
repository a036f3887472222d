package store

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// A worker's directory (its spill files, its scratch files) lives under a
// base directory, named dusk-worker-*, and holds a lock file that the
// processes using it keep locked (a shared flock) for as long as they
// live: the worker itself, and the nanny that made it for a worker process
// (the worker process joins the lock: JoinWorkDir). A process that can
// lock such a directory exclusively knows its owners died without
// cleaning up (killed, or its machine restarted) and removes it, so spill
// files do not pile up on disk across crashes. The lock needs a file
// system with working flock (local disks do; some network ones do not).

const (
	workDirPrefix = "dusk-worker-"
	newDirPrefix  = ".dusk-worker-new-"
	lockFileName  = ".lock"
)

// WorkDir is a worker's directory, locked by this process.
type WorkDir struct {
	joined bool // another process (the nanny) made it and removes it
	path   string
	lock   *os.File
}

// NewWorkDir removes what dead processes left under base, then makes a
// fresh worker directory there, locked by this process. The directory is
// made under a temporary name, locked, and then renamed, so that another
// process never sees it unlocked.
func NewWorkDir(base string, log *slog.Logger) (*WorkDir, error) {
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, fmt.Errorf("dusk: creating the worker directory under %s: %w", base, err)
	}
	PurgeStale(base, log)
	tmp, err := os.MkdirTemp(base, newDirPrefix)
	if err != nil {
		return nil, fmt.Errorf("dusk: creating the worker directory under %s: %w", base, err)
	}
	f, err := os.OpenFile(filepath.Join(tmp, lockFileName), os.O_CREATE|os.O_RDWR, 0o600)
	if err == nil {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
		if err != nil {
			f.Close()
		}
	}
	final := filepath.Join(base, workDirPrefix+strings.TrimPrefix(filepath.Base(tmp), newDirPrefix))
	if err == nil {
		err = os.Rename(tmp, final)
		if err != nil {
			f.Close()
		}
	}
	if err != nil {
		_ = os.RemoveAll(tmp)
		return nil, fmt.Errorf("dusk: creating the worker directory under %s: %w", base, err)
	}
	return &WorkDir{path: final, lock: f}, nil
}

// JoinWorkDir takes a share of the lock of the worker directory at path,
// which another process (a worker's nanny) made: the directory then stays
// while either process lives, and is purged only once both are gone. The
// process that uses a directory holds its lock, so a nanny that dies
// cannot leave a live worker's files to be purged.
func JoinWorkDir(path string) (*WorkDir, error) {
	f, err := os.Open(filepath.Join(path, lockFileName))
	if err != nil {
		return nil, fmt.Errorf("dusk: the worker directory %s (made by the nanny) is gone or not one: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("dusk: locking the worker directory %s: %w", path, err)
	}
	return &WorkDir{path: path, lock: f, joined: true}, nil
}

// Remove deletes the directory, then releases its lock. A joined
// directory keeps its lock file (its maker removes the rest): only what
// is in it goes.
func (d *WorkDir) Remove() error {
	defer d.lock.Close()
	if !d.joined {
		return os.RemoveAll(d.path)
	}
	es, err := os.ReadDir(d.path)
	for _, e := range es {
		if e.Name() != lockFileName {
			err = errors.Join(err, os.RemoveAll(filepath.Join(d.path, e.Name())))
		}
	}
	return err
}

// PurgeStale removes the worker directories under base that no living
// process holds locked. NewWorkDir does so first; a process that keeps
// making directories there (a nanny) does so again later, for a
// directory whose owner was still dying then (a process keeps its locks
// until its last thread has exited, after it already reads as dead).
func PurgeStale(base string, log *slog.Logger) {
	dirs, _ := filepath.Glob(filepath.Join(base, workDirPrefix+"*"))
	for _, dir := range dirs {
		f, err := os.Open(filepath.Join(dir, lockFileName))
		if err != nil {
			continue // not a worker directory, or being removed
		}
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			// Its owner is gone: ours now, while we remove it.
			if rerr := os.RemoveAll(dir); rerr != nil {
				log.Warn("removing a dead worker's directory", "dir", dir, "err", rerr)
			} else {
				log.Info("removed a dead worker's directory", "dir", dir)
			}
		} else if !errors.Is(err, syscall.EWOULDBLOCK) {
			log.Debug("checking a worker directory's lock", "dir", dir, "err", err)
		}
		f.Close()
	}
}

// Path returns the directory's path.
func (d *WorkDir) Path() string { return d.path }
