package scheduler

import (
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/scheduler/state"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// A client releasing more keys at once than releaseChunk has them all
// forgotten, the core handling them in parts (one stimulus each).
func TestLargeReleaseIsHandledInParts(t *testing.T) {
	cfg := state.DefaultConfig()
	cfg.Record = true
	s, err := New(Options{Security: wire.Security{Token: "t"}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), State: cfg, EventCapacity: 1 << 17})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	c := &clientConn{id: "c1", out: wire.NewBatcher[pb.ClientEventBatch]()}
	s.mu.Lock()
	s.clients[c.id] = c
	s.mu.Unlock()
	s.submit(&state.ClientAdded{At: state.At{Now: time.Now()}, ID: c.id})

	n := 3*releaseChunk + 5
	u := &pb.UpdateGraph{}
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("t-%d", i)
		b, err := wire.EncodeTask(&graph.Task{Key: graph.Key(keys[i]), Func: "f", Args: []graph.Arg{graph.Value([]byte{byte(i)})}})
		if err != nil {
			t.Fatal(err)
		}
		u.Tasks = append(u.Tasks, b)
	}
	u.Wanted = keys
	if err := s.clientMessages(c, &pb.ClientBatch{Msgs: []*pb.ClientMsg{{Msg: &pb.ClientMsg_UpdateGraph{UpdateGraph: u}}}}); err != nil {
		t.Fatal(err)
	}
	if got := s.nTasks(); got != n {
		t.Fatalf("the scheduler holds %d tasks after a graph of %d", got, n)
	}
	from := s.ring.Total()
	if err := s.clientMessages(c, &pb.ClientBatch{Release: keys}); err != nil {
		t.Fatal(err)
	}
	if got := s.nTasks(); got != 0 {
		t.Fatalf("the scheduler still holds %d tasks after the client released all %d", got, n)
	}
	evs, _, _ := s.ring.Since(from, 0)
	causes := map[uint64]bool{}
	forgotten := 0
	for _, e := range evs {
		if e.Kind == event.Transition && e.To == "forgotten" {
			forgotten++
			causes[e.Cause] = true
		}
	}
	if forgotten != n || len(causes) != 4 {
		t.Fatalf("the release forgot %d tasks under %d stimuli; want %d under 4 (parts of %d)", forgotten, len(causes), n, releaseChunk)
	}
}

func (s *Server) nTasks() int {
	s.stMu.Lock()
	defer s.stMu.Unlock()
	return s.st.NTasks()
}
