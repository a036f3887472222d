package transfer

import (
	"context"
	"errors"
	"io"
	"sync"

	"google.golang.org/grpc"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// Fetch asks the worker at peer for keys on behalf of requester (an
// address, or "client") and hands each complete value to put. It returns
// the keys received (with sizes) and those the peer lacks.
func (p *Pool) Fetch(ctx context.Context, peer string, keys []graph.Key, requester string,
	put func(k graph.Key, data []byte, nbytes int64, typ string)) ([]graph.KeySize, []graph.Key, error) {
	cli, err := p.Client(peer)
	if err != nil {
		return nil, nil, err
	}
	stream, err := cli.GetData(ctx, &pb.GetDataRequest{Keys: wire.Keys(keys), Requester: requester})
	if err != nil {
		return nil, nil, wire.Explain(err, "worker "+peer)
	}
	var got []graph.KeySize
	var missing []graph.Key
	var asm Assembler
	for {
		batch, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return got, missing, nil
		}
		if err != nil {
			return got, missing, wire.Explain(err, "worker "+peer)
		}
		for _, c := range batch.GetChunks() {
			key, data, nbytes, typ, done, miss, err := asm.Add(c)
			if err != nil {
				return got, missing, err
			}
			if !done {
				continue
			}
			if miss {
				missing = append(missing, graph.Key(key))
				continue
			}
			if nbytes <= 0 {
				nbytes = int64(len(data))
			}
			put(graph.Key(key), data, nbytes, typ)
			got = append(got, graph.KeySize{Key: graph.Key(key), NBytes: nbytes})
		}
	}
}

// Pool keeps one connection per worker address. It is safe for
// concurrent use.
type Pool struct {
	sec   wire.Security
	mu    sync.Mutex // protects conns
	conns map[string]*grpc.ClientConn
}

// NewPool returns an empty pool that dials with sec.
func NewPool(sec wire.Security) *Pool {
	return &Pool{sec: sec, conns: make(map[string]*grpc.ClientConn)}
}

// Client returns the gRPC client of the worker at addr, dialing it the
// first time.
func (p *Pool) Client(addr string) (pb.WorkerClient, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if cc := p.conns[addr]; cc != nil {
		return pb.NewWorkerClient(cc), nil
	}
	cc, err := p.sec.Dial(addr)
	if err != nil {
		return nil, err
	}
	p.conns[addr] = cc
	return pb.NewWorkerClient(cc), nil
}

// Close closes every connection.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for a, cc := range p.conns {
		_ = cc.Close()
		delete(p.conns, a)
	}
}
