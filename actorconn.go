package dusk

import (
	"errors"
	"fmt"
	"sync"

	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// actorConns are a client's streams of actor calls, one per worker, shared
// by every actor handle that calls through the client: calls reach the
// worker in the order they were made, batched.
type actorConns struct {
	mu    sync.Mutex // protects conns
	conns map[string]*actorConn
}

// actorConn is one stream of calls to a worker, opened on the first call
// and used until it breaks or the client closes.
type actorConn struct {
	addr string
	out  *wire.Batcher[pb.ActorCallBatch]

	mu      sync.Mutex // protects the fields below
	nextID  uint64
	pending map[uint64]func(*pb.ActorResult, error)
	err     error // why the stream ended, once it did
}

// actorConnError is why a stream of actor calls ended with calls pending:
// their outcome is unknown.
type actorConnError struct {
	addr string
	err  error
}

func (e *actorConnError) Error() string {
	return fmt.Sprintf("the connection to worker %s ended with the call pending (%v)", e.addr, e.err)
}

func (e *actorConnError) Unwrap() error { return e.err }

// actorCall sends a call to the worker at addr; done gets its result, or
// the error that ended the stream (an *actorConnError, or the client's
// closing).
func (c *Client) actorCall(addr string, call *pb.ActorCall, done func(*pb.ActorResult, error)) error {
	conn, err := c.actorConn(addr)
	if err != nil {
		return err
	}
	conn.mu.Lock()
	defer conn.mu.Unlock()
	if conn.err != nil {
		// It broke since it was looked up: the call was not sent.
		go done(nil, conn.err)
		return nil
	}
	conn.nextID++
	call.Id = conn.nextID
	conn.pending[call.Id] = done
	// Under conn.mu, so that calls enter the batch in the order they were
	// registered.
	conn.out.Edit(func(b *pb.ActorCallBatch) { b.Calls = append(b.Calls, call) })
	return nil
}

// actorConn returns the client's stream to the worker at addr, starting
// it if there is none.
func (c *Client) actorConn(addr string) (*actorConn, error) {
	if c.isClosed() {
		return nil, errors.New("the client is closed")
	}
	c.actors.mu.Lock()
	defer c.actors.mu.Unlock()
	if conn := c.actors.conns[addr]; conn != nil {
		return conn, nil
	}
	if c.actors.conns == nil {
		c.actors.conns = make(map[string]*actorConn)
	}
	conn := &actorConn{addr: addr, out: wire.NewBatcher[pb.ActorCallBatch](), pending: make(map[uint64]func(*pb.ActorResult, error))}
	c.actors.conns[addr] = conn
	go c.serveActorConn(conn)
	return conn, nil
}

// serveActorConn opens the stream, sends the batched calls and hands each
// result to its call, until the stream ends; then the calls still pending
// fail.
func (c *Client) serveActorConn(conn *actorConn) {
	err := func() error {
		cli, err := c.peers.Client(conn.addr)
		if err != nil {
			return err
		}
		stream, err := cli.Actor(c.runCtx)
		if err != nil {
			return wire.Explain(err, "worker "+conn.addr)
		}
		go func() {
			if err := conn.out.Run(c.runCtx, stream.Send); err == nil {
				_ = stream.CloseSend()
			}
		}()
		for {
			b, err := stream.Recv()
			if err != nil {
				return wire.Explain(err, "worker "+conn.addr)
			}
			for _, r := range b.GetResults() {
				conn.mu.Lock()
				done := conn.pending[r.GetId()]
				delete(conn.pending, r.GetId())
				conn.mu.Unlock()
				if done != nil {
					done(r, nil)
				}
			}
		}
	}()
	// Later calls open a new stream.
	c.actors.mu.Lock()
	if c.actors.conns[conn.addr] == conn {
		delete(c.actors.conns, conn.addr)
	}
	c.actors.mu.Unlock()
	if c.runCtx.Err() != nil {
		err = errors.New("dusk: the client closed with the actor call pending")
	} else {
		err = &actorConnError{addr: conn.addr, err: err}
	}
	conn.mu.Lock()
	conn.err = err
	pending := conn.pending
	conn.pending = nil
	conn.mu.Unlock()
	conn.out.Close()
	for _, done := range pending {
		done(nil, err)
	}
}
