package scheduler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// binaries holds the executables clients uploaded (PutBinary), each in a
// file named by its SHA-256, and the one the cluster's workers are to run
// (UseBinary).
type binaries struct {
	mu   sync.Mutex
	dir  string                    // made at the first upload, removed at Close
	have map[string]*pb.BinaryInfo // by SHA-256: received whole and checked
	use  *pb.BinaryInfo            // the cluster's binary; nil until UseBinary
}

// current returns the binary workers are to run, or nil.
func (b *binaries) current() *pb.BinaryInfo {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.use
}

// path returns where an uploaded binary is, or "" if it is not here.
func (b *binaries) path(sum string) (string, *pb.BinaryInfo) {
	b.mu.Lock()
	defer b.mu.Unlock()
	info := b.have[sum]
	if info == nil {
		return "", nil
	}
	return filepath.Join(b.dir, sum), info
}

// directory returns the directory uploads go to, made on first use.
func (b *binaries) directory() (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dir == "" {
		dir, err := os.MkdirTemp("", "dusk-scheduler-binaries-")
		if err != nil {
			return "", err
		}
		b.dir, b.have = dir, map[string]*pb.BinaryInfo{}
	}
	return b.dir, nil
}

func (b *binaries) close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dir == "" {
		return nil
	}
	return os.RemoveAll(b.dir)
}

// buildOf is what a worker told of its executable when it registered.
type buildOf struct {
	id, goos, goarch string
	supervised       bool // under a nanny, and accepting binaries
}

// cannotRun says why a worker cannot switch to binary b ("" if it can).
func (w buildOf) cannotRun(b *pb.BinaryInfo) string {
	switch {
	case !w.supervised:
		return "it has no nanny to start it on another binary, or refuses shipped binaries (started with --nanny=false, inside another program, or with worker.accept-binaries=false)"
	case w.goos != b.GetGoos() || w.goarch != b.GetGoarch():
		return fmt.Sprintf("it runs on %s/%s and the binary is for %s/%s: build the program for its platform (GOOS=%s GOARCH=%s go build) and start the workers from that",
			w.goos, w.goarch, b.GetGoos(), b.GetGoarch(), w.goos, w.goarch)
	}
	return ""
}

func (v *service) PutBinary(stream pb.Scheduler_PutBinaryServer) error {
	s := v.s
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	info := first.GetInfo()
	if err := wire.CheckBinaryInfo(info); err != nil {
		return status.Errorf(codes.InvalidArgument, "dusk: shipping a binary: %v", err)
	}
	if p, _ := s.bins.path(info.GetSha256()); p != "" {
		// Already here (another client shipped it).
		return stream.SendAndClose(&pb.PutBinaryReply{})
	}
	dir, err := s.bins.directory()
	if err != nil {
		return status.Errorf(codes.Internal, "dusk: shipping a binary: %v", err)
	}
	tmp, err := wire.ReceiveBinary(dir, info, first, stream.Recv)
	switch {
	case errors.Is(err, wire.ErrBinaryMismatch):
		return status.Errorf(codes.DataLoss, "dusk: shipping a binary: %v", err)
	case errors.Is(err, wire.ErrBinaryWrite):
		return status.Errorf(codes.ResourceExhausted, "dusk: the scheduler could not store the shipped binary: %v", err)
	case err != nil:
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, info.GetSha256())); err != nil {
		os.Remove(tmp)
		return status.Errorf(codes.Internal, "dusk: shipping a binary: %v", err)
	}
	s.bins.mu.Lock()
	s.bins.have[info.GetSha256()] = info
	s.bins.mu.Unlock()
	s.log.Info("a client shipped a binary", "sha256", info.GetSha256()[:12], "bytes", info.GetSize(), "platform", info.GetGoos()+"/"+info.GetGoarch())
	return stream.SendAndClose(&pb.PutBinaryReply{})
}

func (v *service) FetchBinary(req *pb.FetchBinaryRequest, stream pb.Scheduler_FetchBinaryServer) error {
	path, info := v.s.bins.path(req.GetSha256())
	if path == "" {
		return status.Errorf(codes.NotFound, "dusk: the scheduler has no binary %q", req.GetSha256())
	}
	if err := wire.SendBinary(path, nil, stream.Send); err != nil {
		return status.Errorf(codes.Internal, "dusk: sending the shipped binary: %v", err)
	}
	v.s.log.Info("sent the shipped binary to a worker", "sha256", info.GetSha256()[:12])
	return nil
}

func (v *service) UseBinary(ctx context.Context, req *pb.UseBinaryRequest) (*pb.UseBinaryReply, error) {
	timeout := time.Duration(req.GetTimeoutMs()) * time.Millisecond
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return v.s.useBinary(ctx, req.GetBinary())
}

// useBinary makes b the cluster's binary: workers that run another build
// and can switch are restarted, and switch when they register again (as
// will any worker that joins later); it waits until they are back.
func (s *Server) useBinary(ctx context.Context, want *pb.BinaryInfo) (*pb.UseBinaryReply, error) {
	_, b := s.bins.path(want.GetSha256())
	if b == nil {
		return &pb.UseBinaryReply{Missing: true}, nil
	}
	reply := &pb.UseBinaryReply{Refused: map[string]string{}}
	s.bins.mu.Lock()
	s.bins.use = b
	s.bins.mu.Unlock()
	s.mu.Lock()
	var old []*workerConn
	for _, w := range s.workers {
		switch why := w.build.cannotRun(b); {
		case w.build.id == b.GetBuildId():
			reply.Unchanged = append(reply.Unchanged, w.address)
		case why != "":
			reply.Refused[w.address] = why
		default:
			old = append(old, w)
		}
	}
	s.mu.Unlock()
	sort.Strings(reply.Unchanged)
	if len(old) == 0 {
		return reply, nil
	}
	s.log.Info("workers switch to the shipped binary", "workers", len(old), "sha256", b.GetSha256()[:12])
	reason := fmt.Sprintf("switching to the binary a client shipped (%.12s)", b.GetSha256())
	for _, w := range old {
		w.push(&pb.WorkerCommand{Cmd: &pb.WorkerCommand_Restart{Restart: &pb.RestartWorker{Reason: reason}}})
	}
	// Wait for the old ones to leave and as many to join on the binary.
	want2 := len(old) + len(reply.Unchanged)
	for {
		s.mu.Lock()
		gone := true
		for _, w := range old {
			gone = gone && s.workers[w.id] != w
		}
		var on []string
		for _, w := range s.workers {
			if w.build.id == b.GetBuildId() {
				on = append(on, w.address)
			}
		}
		joined := s.joined
		s.mu.Unlock()
		if gone && len(on) >= want2 {
			unchanged := map[string]bool{}
			for _, a := range reply.Unchanged {
				unchanged[a] = true
			}
			for _, a := range on {
				if !unchanged[a] {
					reply.Switched = append(reply.Switched, a)
				}
			}
			sort.Strings(reply.Switched)
			return reply, nil
		}
		select {
		case <-joined:
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return nil, status.Errorf(codes.DeadlineExceeded, "dusk: %d of %d workers run the shipped binary after the deadline: %v (see the workers' logs)", len(on), want2, ctx.Err())
		}
	}
}
