package worker

import (
	"bytes"
	"errors"
	"io"
	"runtime/pprof"

	"github.com/dusk-go/dusk/wire/pb"
	"google.golang.org/grpc/metadata"
)

// Profile records a CPU profile of the worker's process while the caller
// keeps the stream open. Samples of tasks carry the label "task" with the
// task's key prefix. Go profiles a whole process: workers that share one
// (a local cluster's in-process workers) cannot profile at once, and the
// second one answers with an error; its tasks are labelled all the same,
// since the first one's profile samples them.
//
// The reply's header goes out once the worker labels its tasks: a caller
// that waits for it (stream.Header) knows that every task from then on is
// labelled.
func (d *dataService) Profile(stream pb.Worker_ProfileServer) error {
	d.w.profiling.Add(1)
	defer d.w.profiling.Add(-1)
	var buf bytes.Buffer
	started := pprof.StartCPUProfile(&buf)
	if err := stream.SendHeader(metadata.MD{}); err != nil {
		if started == nil {
			pprof.StopCPUProfile()
		}
		return err
	}
	if err := started; err != nil {
		// Drain the caller's side so it can read the answer.
		for {
			if _, err := stream.Recv(); err != nil {
				break
			}
		}
		return stream.SendAndClose(&pb.ProfileReply{Error: "cannot profile: " + err.Error()})
	}
	for {
		_, err := stream.Recv()
		if err == nil {
			continue
		}
		pprof.StopCPUProfile()
		if !errors.Is(err, io.EOF) {
			return err
		}
		return stream.SendAndClose(&pb.ProfileReply{Pprof: buf.Bytes()})
	}
}
