package dusk

import (
	"context"
	"log/slog"
	"testing"

	"google.golang.org/grpc"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/wire/pb"
)

// whoHasNobody is a scheduler that knows a key but holds it nowhere: the
// cluster is computing it again.
type whoHasNobody struct {
	pb.SchedulerClient
	asked chan struct{}
}

func (s whoHasNobody) WhoHas(context.Context, *pb.WhoHasRequest, ...grpc.CallOption) (*pb.WhoHasReply, error) {
	close(s.asked)
	return &pb.WhoHasReply{}, nil
}

// A finished future whose result is being recomputed after its worker
// left: reading Done while a gather waits for the recomputation must not
// race with the wait (the race detector fails this test if it does), and
// Done stays closed, since the future was finished.
func TestDoneWhileResultIsRecomputed(t *testing.T) {
	sched := whoHasNobody{asked: make(chan struct{})}
	up := make(chan struct{})
	close(up) // connected
	c := &Client{sched: sched, futures: make(map[graph.Key]*futureState), stalled: make(map[graph.Key]string), log: slog.Default(), up: up}
	f := &Future[int]{c: c, st: c.future("inc-1")}
	c.mu.Lock()
	c.apply(&pb.ClientEvent{Ev: &pb.ClientEvent_Memory{Memory: &pb.KeyInMemory{Key: "inc-1", Addresses: []string{"gone:1"}}}})
	c.mu.Unlock()

	waited := make(chan error, 1)
	go func() { waited <- c.awaitRelocation(context.Background(), []*futureState{f.st}, []int{0}) }()
	<-sched.asked
	select {
	case <-f.Done():
	default:
		t.Fatal("Done is open while the finished result is recomputed")
	}
	// The recomputation ends: the result is in memory on another worker.
	c.mu.Lock()
	c.apply(&pb.ClientEvent{Ev: &pb.ClientEvent_Memory{Memory: &pb.KeyInMemory{Key: "inc-1", Addresses: []string{"w2:1"}}}})
	c.mu.Unlock()
	if err := <-waited; err != nil {
		t.Fatalf("awaitRelocation: %v", err)
	}
	if got := f.Workers(); len(got) != 1 || got[0] != "w2:1" {
		t.Fatalf("Workers after the recomputation = %v, want [w2:1]", got)
	}
}
