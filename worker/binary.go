package worker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/dusk-go/dusk/registry"
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
	sum := b.GetSha256()
	if len(sum) != sha256.Size*2 {
		return "", fmt.Errorf("the scheduler named a binary by %q, not a SHA-256", sum)
	}
	if _, err := hex.DecodeString(sum); err != nil {
		return "", fmt.Errorf("the scheduler named a binary by %q, not a SHA-256", sum)
	}
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
	tmp, err := os.CreateTemp(dir, sum+".*.part")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name()) // nothing left once renamed
	h := sha256.New()
	var n int64
	for {
		c, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tmp.Close()
			return "", err
		}
		if _, err := tmp.Write(c.GetData()); err != nil {
			tmp.Close()
			return "", fmt.Errorf("writing the binary to %s: %w", dir, err)
		}
		h.Write(c.GetData())
		n += int64(len(c.GetData()))
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("writing the binary to %s: %w", dir, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum || n != b.GetSize() {
		return "", fmt.Errorf("the binary received (%d bytes, SHA-256 %s) is not the one shipped (%d bytes, SHA-256 %s)", n, got, b.GetSize(), sum)
	}
	if err := os.Chmod(tmp.Name(), 0o755); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", err
	}
	w.log.Info("fetched the shipped binary", "binary", path, "bytes", n, "took", time.Since(began).Round(time.Millisecond))
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
