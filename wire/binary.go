package wire

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/dusk-go/dusk/wire/pb"
)

// Shipped executables (dusk.ShipBinary) travel as streams of
// pb.BinaryChunk: from the client to the scheduler, and from the
// scheduler to each host's workers. This file holds both ends.

// MaxBinarySize bounds an executable a client ships.
const MaxBinarySize = 4 << 30

// binaryChunk is the size of the pieces a binary travels in.
const binaryChunk = 1 << 20

// DescribeBinary hashes the executable at path and describes it, with
// the build ID it reports when it runs (registry.BuildID).
func DescribeBinary(path, goos, goarch, buildID string) (*pb.BinaryInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return nil, err
	}
	return &pb.BinaryInfo{Sha256: hex.EncodeToString(h.Sum(nil)), Size: n, Goos: goos, Goarch: goarch, BuildId: buildID}, nil
}

// CheckBinaryInfo checks a description of a shipped binary.
func CheckBinaryInfo(b *pb.BinaryInfo) error {
	if b == nil {
		return errors.New("no description of the binary")
	}
	if _, err := hex.DecodeString(b.GetSha256()); err != nil || len(b.GetSha256()) != sha256.Size*2 {
		return fmt.Errorf("%q is not a hex SHA-256", b.GetSha256())
	}
	if b.GetSize() <= 0 || b.GetSize() > MaxBinarySize {
		return fmt.Errorf("a binary of %d bytes: give one of 1 byte to %d", b.GetSize(), int64(MaxBinarySize))
	}
	if b.GetGoos() == "" || b.GetGoarch() == "" || b.GetBuildId() == "" {
		return errors.New("the binary's platform and build ID are needed")
	}
	return nil
}

// SendBinary streams the file at path in chunks through send; the first
// chunk carries info when it is not nil (and is sent even for an empty
// file).
func SendBinary(path string, info *pb.BinaryInfo, send func(*pb.BinaryChunk) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, binaryChunk)
	first := true
	for {
		n, rerr := f.Read(buf)
		if n > 0 || first && info != nil {
			c := &pb.BinaryChunk{Data: buf[:n]}
			if first {
				c.Info = info
			}
			if err := send(c); err != nil {
				return err
			}
		}
		first = false
		if errors.Is(rerr, io.EOF) {
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}

// Errors of ReceiveBinary that are not the stream's.
var (
	// ErrBinaryMismatch: the bytes received are not the binary described.
	ErrBinaryMismatch = errors.New("the binary received is not the one announced")
	// ErrBinaryWrite: the binary could not be written to disk.
	ErrBinaryWrite = errors.New("writing the binary")
)

// ReceiveBinary writes the chunks recv returns (after first, if not nil),
// up to io.EOF, to a new file in dir, and checks them against want's size
// and SHA-256. It returns the file's path, for the caller to rename; on an
// error no file is left. Errors wrap ErrBinaryMismatch, ErrBinaryWrite or
// are recv's.
func ReceiveBinary(dir string, want *pb.BinaryInfo, first *pb.BinaryChunk, recv func() (*pb.BinaryChunk, error)) (path string, err error) {
	tmp, err := os.CreateTemp(dir, want.GetSha256()+".*.part")
	if err != nil {
		return "", fmt.Errorf("%w in %s: %w", ErrBinaryWrite, dir, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	var n int64
	for c := first; ; {
		if c != nil {
			if n += int64(len(c.GetData())); n > want.GetSize() {
				return "", fmt.Errorf("%w: more than the %d bytes announced", ErrBinaryMismatch, want.GetSize())
			}
			h.Write(c.GetData())
			if _, err := tmp.Write(c.GetData()); err != nil {
				return "", fmt.Errorf("%w to %s: %w", ErrBinaryWrite, dir, err)
			}
		}
		if c, err = recv(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", err
		}
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("%w to %s: %w", ErrBinaryWrite, dir, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want.GetSha256() || n != want.GetSize() {
		return "", fmt.Errorf("%w: %d bytes with SHA-256 %s, not %d bytes with %s", ErrBinaryMismatch, n, got, want.GetSize(), want.GetSha256())
	}
	return tmp.Name(), nil
}
