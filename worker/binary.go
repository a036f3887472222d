package worker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/dusk-go/dusk/registry"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
	"github.com/dusk-go/dusk/worker/nanny"
)

// SwitchError ends Run when the scheduler told the worker to run another
// executable (a binary a client shipped), which the worker fetched to
// Path and named for its nanny (nanny.SwitchTo): the process is to exit
// with nanny.ExitSwitch.
type SwitchError struct{ Path string }

func (e *SwitchError) Error() string {
	return "dusk: the worker switches to the shipped binary " + e.Path
}

// switchable reports whether this worker can switch to a shipped binary:
// it is its process, under a nanny, and accepts binaries.
func (w *Worker) switchable() bool {
	return w.opts.OwnsProcess && !w.opts.RefuseBinaries &&
		os.Getenv(nanny.EnvSwitchFile) != "" && os.Getenv(nanny.EnvNannyPID) != ""
}

// binaryCache is the directory, shared by the workers of a host that use
// the same local directory, in which shipped binaries are kept by hash.
func (w *Worker) binaryCache() string {
	base := w.opts.LocalDirectory
	if base == "" {
		base = os.TempDir()
	}
	return filepath.Join(base, "dusk-binaries")
}

// switchBinary fetches the binary b from the scheduler into the host's
// cache (once per host: the workers of a host take turns, and find it
// there after the first), checks its SHA-256, and names it for the nanny.
// It returns a *SwitchError, or why it could not switch.
func (w *Worker) switchBinary(ctx context.Context, sched pb.SchedulerClient, b *pb.BinaryInfo) error {
	path, err := w.cacheBinary(ctx, sched, b)
	if err != nil {
		return fmt.Errorf("dusk: switching to the client's binary %.12s: %w", b.GetSha256(), err)
	}
	if err := nanny.SwitchTo(path); err != nil {
		return err
	}
	return &SwitchError{Path: path}
}

// cacheBinary returns the path of binary b in the host's cache, fetching
// it first if it is not there.
func (w *Worker) cacheBinary(ctx context.Context, sched pb.SchedulerClient, b *pb.BinaryInfo) (string, error) {
	if err := wire.CheckBinaryInfo(b); err != nil {
		return "", fmt.Errorf("the scheduler named a binary badly: %w", err)
	}
	sum := b.GetSha256()
	dir := w.binaryCache()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, sum)
	unlock, err := lockFile(ctx, path+".lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	if got, err := registry.FileSHA256(path); err == nil {
		if got == sum {
			w.log.Info("found the shipped binary in the host's cache", "binary", path)
			return path, nil
		}
		w.log.Warn("a cached binary does not match its hash; fetching it again", "binary", path, "sha256", got)
	}
	began := time.Now()
	stream, err := sched.FetchBinary(ctx, &pb.FetchBinaryRequest{Sha256: sum})
	if err != nil {
		return "", err
	}
	tmp, err := wire.ReceiveBinary(dir, b, nil, stream.Recv)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp) // nothing left once renamed
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	w.log.Info("fetched the shipped binary", "binary", path, "bytes", b.GetSize(), "took", time.Since(began).Round(time.Millisecond))
	return path, nil
}

// lockFile takes an exclusive lock on path (made if need be), waiting for
// it until ctx ends; unlock releases it.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
