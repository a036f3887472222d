package scheduler

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/registry"
	"github.com/dusk-go/dusk/scheduler/state"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// clientConn is a connected client's stream.
type clientConn struct {
	id  string
	out *wire.Batcher[pb.ClientEventBatch]
}

func (s *Server) serveClient(stream pb.Scheduler_ClientServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	var hello *pb.ClientHello
	if len(first.GetMsgs()) > 0 {
		hello = first.GetMsgs()[0].GetHello()
	}
	if hello == nil || hello.GetId() == "" {
		return errorf("a client's first message must say hello with its ID")
	}
	c := &clientConn{id: hello.GetId(), out: wire.NewBatcher[pb.ClientEventBatch]()}
	var mine []registry.Entry
	for _, e := range hello.GetRegistry() {
		mine = append(mine, registry.Entry{Name: e.GetName(), Signature: e.GetSignature()})
	}
	welcome := &pb.ClientWelcome{SchedulerId: s.id, Warning: s.registryWarning(mine)}
	if err := stream.Send(&pb.ClientEventBatch{Events: []*pb.ClientEvent{{Ev: &pb.ClientEvent_Welcome{Welcome: welcome}}}}); err != nil {
		return err
	}
	s.mu.Lock()
	s.clients[c.id] = c
	s.mu.Unlock()
	s.submit(&state.ClientAdded{At: state.At{Now: time.Now()}, ID: c.id})
	s.log.Info("client connected", "client", c.id)
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	sendErr := make(chan error, 1)
	go func() {
		sendErr <- c.out.Run(ctx, stream.Send)
	}()
	defer func() {
		s.mu.Lock()
		if s.clients[c.id] == c {
			delete(s.clients, c.id)
		}
		s.mu.Unlock()
		c.out.Close()
		s.submit(&state.ClientRemoved{At: state.At{Now: time.Now()}, ID: c.id})
		s.log.Info("client disconnected", "client", c.id)
	}()
	for {
		b, err := stream.Recv()
		if err != nil {
			if errors.Is(err, io.EOF) || ctx.Err() != nil {
				return nil
			}
			return err
		}
		if err := s.clientMessages(c, b); err != nil {
			return err
		}
		select {
		case err := <-sendErr:
			return err
		default:
		}
	}
}

// registryWarning compares a client's functions with the workers'.
func (s *Server) registryWarning(mine []registry.Entry) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range s.workers {
		if d := registry.Mismatch(mine, w.registry); d != "" {
			return "worker " + w.id + " runs a different build: " + d + "; start workers from the same binary as the client"
		}
	}
	return ""
}

func (s *Server) clientMessages(c *clientConn, b *pb.ClientBatch) error {
	at := state.At{Now: time.Now()}
	evs := make([]state.Event, 0, len(b.GetMsgs())+1)
	for _, m := range b.GetMsgs() {
		switch x := m.GetMsg().(type) {
		case *pb.ClientMsg_UpdateGraph:
			u := x.UpdateGraph
			tasks := make([]*graph.Task, 0, len(u.GetTasks()))
			// A graph calls few functions: their names are held once,
			// not once per task.
			funcs := map[string]string{}
			for _, p := range u.GetTasks() {
				t, err := wire.DecodeTask(p)
				if err != nil {
					return err
				}
				if f, ok := funcs[t.Func]; ok {
					t.Func = f
				} else {
					funcs[t.Func] = t.Func
				}
				tasks = append(tasks, t)
			}
			var order map[graph.Key]int
			if len(u.GetOrder()) > 0 {
				order = make(map[graph.Key]int, len(u.GetOrder()))
				for i, k := range u.GetOrder() {
					order[graph.Key(k)] = i
				}
			}
			evs = append(evs, &state.GraphSubmitted{At: at, Client: c.id, Tasks: tasks, Wanted: wire.GraphKeys(u.GetWanted()), Order: order,
				Reclaim: wire.GraphKeys(u.GetReclaim()), PartOf: u.GetPartOf(), More: u.GetMore()})
			if u.GetMore() {
				// A part of a graph with more to come: its tasks go to the
				// workers before the next part is read.
				s.submit(evs...)
				evs = evs[:0]
			}
		case *pb.ClientMsg_Release:
			evs = s.submitReleases(evs, at, c.id, x.Release.GetKeys())
		case *pb.ClientMsg_Cancel:
			evs = append(evs, &state.KeysCancelled{At: at, Client: c.id, Keys: wire.GraphKeys(x.Cancel.GetKeys())})
		case *pb.ClientMsg_Sync:
			// Everything before it is applied once the events gathered so
			// far are.
			if len(evs) > 0 {
				s.submit(evs...)
				evs = evs[:0]
			}
			id := x.Sync.GetId()
			c.out.Edit(func(b *pb.ClientEventBatch) {
				b.Events = append(b.Events, &pb.ClientEvent{Ev: &pb.ClientEvent_Synced{Synced: &pb.Synced{Id: id}}})
			})
		case *pb.ClientMsg_Coord:
			evs = append(evs, coordRequest(at, c.id, x.Coord))
		case *pb.ClientMsg_CoordCancel:
			evs = append(evs, &state.CoordCancelled{At: at, Client: c.id, ID: x.CoordCancel.GetId()})
		case *pb.ClientMsg_Advice:
			a := x.Advice
			s.ring.Add(event.Event{Kind: event.Advice, Time: at.Now, Worker: "client " + c.id, Key: a.GetRule(),
				Detail: a.GetMessage(), Remedy: a.GetRemedy(), Fixed: a.GetFixed()})
		case *pb.ClientMsg_Scattered:
			ks := make([]state.ScatteredKey, len(x.Scattered.GetKeys()))
			for i, k := range x.Scattered.GetKeys() {
				ks[i] = state.ScatteredKey{Key: graph.Key(k.GetKey()), NBytes: k.GetNbytes(), Type: k.GetType(), Workers: k.GetWorkers()}
			}
			evs = append(evs, &state.KeysScattered{At: at, Client: c.id, Keys: ks})
		}
	}
	if rel := b.GetRelease(); len(rel) > 0 {
		evs = s.submitReleases(evs, at, c.id, rel)
	}
	if len(evs) > 0 {
		s.submit(evs...)
	}
	return nil
}

// releaseChunk is the most keys of one release the core handles between
// two flushes: small enough that the core's output buffers for one part
// (two transitions a key) stay within the size it reuses (ready.go).
const releaseChunk = 4096

// submitReleases adds a client's release of keys to evs. A release of
// more than releaseChunk keys (a client dropping a million futures) is
// handled in parts, each carried out before the next, after the events
// before it: what the core produces for one part (transitions, messages
// freeing the keys on the workers) is sent and its memory reused, instead
// of piling up for the whole release. It returns the events still to
// submit.
func (s *Server) submitReleases(evs []state.Event, at state.At, client string, keys []string) []state.Event {
	if len(keys) <= releaseChunk {
		return append(evs, &state.KeysReleased{At: at, Client: client, Keys: wire.GraphKeys(keys)})
	}
	if len(evs) > 0 {
		s.submit(evs...)
		evs = evs[:0]
	}
	for len(keys) > 0 {
		n := min(len(keys), releaseChunk)
		s.submit(&state.KeysReleased{At: at, Client: client, Keys: wire.GraphKeys(keys[:n])})
		keys = keys[n:]
	}
	return evs
}

// coordRequest turns a client's Coord message into the core's event; an
// operation the core does not know is given as 0, which it refuses by
// name.
func coordRequest(at state.At, client string, m *pb.Coord) *state.CoordRequested {
	op, _ := state.ParseCoordOp(m.GetOp())
	it := m.GetItem()
	return &state.CoordRequested{At: at, Client: client, ID: m.GetId(), Req: state.CoordRequest{
		Op: op, Name: m.GetName(), Keys: wire.GraphKeys(m.GetKeys()), Meta: m.GetMeta(), Max: int(m.GetMax()),
		Lease: m.GetLease(), Wait: m.GetWait(), Override: m.GetOverride(),
		Item: state.Item{Data: it.GetData(), Type: it.GetType(), Key: graph.Key(it.GetKey())},
	}}
}
