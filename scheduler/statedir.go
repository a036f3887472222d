package scheduler

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/fxamacker/cbor/v2"

	"github.com/dusk-go/dusk/scheduler/state"
)

// namedStateFile is the file of the state directory that holds the named
// state; it is replaced whole (written beside it, then renamed), so a
// scheduler killed mid-write leaves the previous version. It is not
// synced to the disk: it survives the scheduler process's death, which is
// what it is for, without the synced write (about 6 ms against 1 ms on
// ext4, BenchmarkStateDirectoryWrite) that the scheduler would wait for
// at every change; a power cut of the scheduler's machine may lose the
// latest changes, as it loses the workers there.
const namedStateFile = "named-state.cbor"

// namedStateFormat numbers the file's layout; a scheduler refuses a file
// of a layout it does not know rather than misread it.
const namedStateFormat = 1

// savedFile is the file's content.
type savedFile struct {
	Format int
	Named  *state.SavedCoord
}

// stateDir keeps the scheduler's named state on disk (see
// scheduler.state-directory).
type stateDir struct {
	path    string // the named state's file
	version uint64 // the state's CoordVersion last saved
	failing bool   // the last save failed (said once until one succeeds)
}

// openStateDir makes dir if needed and reads the named state a scheduler
// saved there, if any (nil: none).
func openStateDir(dir string) (*stateDir, *state.SavedCoord, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("dusk scheduler: the state directory (scheduler.state-directory): %w", err)
	}
	d := &stateDir{path: filepath.Join(dir, namedStateFile)}
	b, err := os.ReadFile(d.path)
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("dusk scheduler: reading the saved named state: %w", err)
	}
	var f savedFile
	if err := cbor.Unmarshal(b, &f); err != nil {
		return nil, nil, fmt.Errorf("dusk scheduler: %s is not a named state this scheduler can read (%w); move it away to start without it", d.path, err)
	}
	if f.Format != namedStateFormat {
		return nil, nil, fmt.Errorf("dusk scheduler: %s holds named state of layout %d, and this scheduler reads layout %d; start the scheduler version that wrote it, or move the file away to start without it",
			d.path, f.Format, namedStateFormat)
	}
	return d, f.Named, nil
}

// save writes the named state if it changed since the last save. A
// failed write (a full disk) is logged, once until a write succeeds:
// the state stays right in memory, and only its survival of the
// scheduler's death is at stake.
func (d *stateDir) save(st *state.State, log *slog.Logger) {
	v := st.CoordVersion()
	if v == d.version {
		return
	}
	err := d.write(st.SaveCoord())
	if err != nil {
		if !d.failing {
			log.Error("could not save the named state: a scheduler started again would not have the latest datasets, queues and variables; free the disk or fix scheduler.state-directory",
				"file", d.path, "err", err)
		}
		d.failing = true
		return
	}
	if d.failing {
		log.Info("saving the named state again", "file", d.path)
	}
	d.failing = false
	d.version = v
}

func (d *stateDir) write(named *state.SavedCoord) error {
	b, err := cbor.Marshal(savedFile{Format: namedStateFormat, Named: named})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(d.path), namedStateFile+".*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), d.path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}
