package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"
	"time"

	"google.golang.org/grpc"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
	wstate "github.com/dusk-go/dusk/worker/state"
)

// dataService serves a worker's data to peers and clients.
type dataService struct {
	pb.UnimplementedWorkerServer
	w *Worker
}

// GetData streams the requested values in chunks; a key the worker does
// not hold is answered with a chunk marked missing. Small values share a
// message.
func (d *dataService) GetData(req *pb.GetDataRequest, stream pb.Worker_GetDataServer) error {
	w := d.w
	cw := NewChunkWriter(stream.Send, w.opts.ChunkSize)
	for _, k := range req.GetKeys() {
		b, nbytes, typ, err := w.store.Encoded(graph.Key(k))
		if errors.Is(err, errNotHere) {
			if err := cw.Missing(k); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if err := cw.Value(k, b, nbytes, typ); err != nil {
			return err
		}
		w.bytesOut.Add(int64(len(b)))
	}
	return cw.Flush()
}

// ChunkWriter packs values into DataBatch messages of about size bytes: a
// small value shares a message with others, a large one is cut into pieces.
type ChunkWriter struct {
	send  func(*pb.DataBatch) error
	size  int
	cur   *pb.DataBatch
	bytes int
}

// NewChunkWriter returns a writer that sends batches with send.
func NewChunkWriter(send func(*pb.DataBatch) error, size int) *ChunkWriter {
	if size <= 0 {
		size = 1 << 20
	}
	return &ChunkWriter{send: send, size: size}
}

func (cw *ChunkWriter) add(c *pb.DataChunk) error {
	if cw.cur == nil {
		cw.cur = &pb.DataBatch{}
	}
	cw.cur.Chunks = append(cw.cur.Chunks, c)
	cw.bytes += len(c.Data) + len(c.Key) + 16
	if cw.bytes >= cw.size || len(cw.cur.Chunks) >= 4096 {
		return cw.Flush()
	}
	return nil
}

// Value writes one encoded value with its size in memory and type.
func (cw *ChunkWriter) Value(key string, b []byte, nbytes int64, typ string) error {
	first := true
	for {
		n := min(len(b), cw.size)
		c := &pb.DataChunk{Key: key, Data: b[:n], Last: n == len(b)}
		if first {
			c.Nbytes, c.Type, c.Total = nbytes, typ, int64(len(b))
			first = false
		}
		if err := cw.add(c); err != nil {
			return err
		}
		b = b[n:]
		if c.Last {
			return nil
		}
	}
}

// Missing writes that key is not here.
func (cw *ChunkWriter) Missing(key string) error {
	return cw.add(&pb.DataChunk{Key: key, Missing: true, Last: true})
}

// Flush sends what is pending.
func (cw *ChunkWriter) Flush() error {
	if cw.cur == nil || len(cw.cur.Chunks) == 0 {
		return nil
	}
	b := cw.cur
	cw.cur, cw.bytes = nil, 0
	return cw.send(b)
}

// Assembler joins chunks back into values.
type Assembler struct {
	key    string
	buf    []byte
	nbytes int64
	typ    string
}

// Add takes the next chunk. When a value is complete it returns it, with
// done true; a missing key comes back with missing true.
func (a *Assembler) Add(c *pb.DataChunk) (key string, data []byte, nbytes int64, typ string, done, missing bool, err error) {
	if c.GetMissing() {
		return c.GetKey(), nil, 0, "", true, true, nil
	}
	if a.key == "" {
		a.key, a.nbytes, a.typ = c.GetKey(), c.GetNbytes(), c.GetType()
		if c.GetLast() {
			// A value in one chunk: keep its buffer as it is.
			a.buf = c.GetData()
		} else {
			const maxPrealloc = 1 << 30 // a hostile size must not allocate blindly
			a.buf = make([]byte, 0, min(c.GetTotal(), maxPrealloc))
			a.buf = append(a.buf, c.GetData()...)
		}
	} else if c.GetKey() != a.key {
		return "", nil, 0, "", false, false, fmt.Errorf("chunk of %s arrived in the middle of %s", c.GetKey(), a.key)
	} else {
		a.buf = append(a.buf, c.GetData()...)
	}
	if !c.GetLast() {
		return "", nil, 0, "", false, false, nil
	}
	key, data, nbytes, typ = a.key, a.buf, a.nbytes, a.typ
	*a = Assembler{}
	return key, data, nbytes, typ, true, false, nil
}

// PutData stores scattered values.
func (d *dataService) PutData(stream pb.Worker_PutDataServer) error {
	w := d.w
	var asm Assembler
	reply := &pb.PutDataReply{WorkerId: w.ID()}
	var stored []wstate.KeySize
	for {
		batch, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		for _, c := range batch.GetChunks() {
			key, data, nbytes, typ, done, _, err := asm.Add(c)
			if err != nil {
				return err
			}
			if !done {
				continue
			}
			w.store.PutEncoded(graph.Key(key), data, nbytes, typ)
			w.bytesIn.Add(int64(len(data)))
			if nbytes <= 0 {
				nbytes = int64(len(data))
			}
			reply.Keys = append(reply.Keys, key)
			reply.Nbytes = append(reply.Nbytes, nbytes)
			stored = append(stored, wstate.KeySize{Key: graph.Key(key), NBytes: nbytes})
		}
	}
	if len(stored) > 0 {
		w.handle(&wstate.Stored{Keys: stored})
	}
	return stream.SendAndClose(reply)
}

// Run calls a registered function on this worker (Client.Run).
func (d *dataService) Run(ctx context.Context, req *pb.RunRequest) (*pb.RunReply, error) {
	w := d.w
	reply := &pb.RunReply{WorkerId: w.ID()}
	f, ok := w.reg.Lookup(req.GetFunc())
	if !ok {
		reply.Error = (&UnknownFuncError{Func: req.GetFunc(), Worker: w.ID()}).Error()
		return reply, nil
	}
	if err := f.CheckCount(len(req.GetArgs())); err != nil {
		reply.Error = err.Error()
		return reply, nil
	}
	args := make([]reflect.Value, 0, f.NumIn())
	n := f.NumIn()
	fixed := n
	if f.Variadic() {
		fixed = n - 1
	}
	for i := 0; i < fixed; i++ {
		v, err := codec.Decode(req.GetArgs()[i], f.In(i))
		if err != nil {
			reply.Error = fmt.Sprintf("%s: argument %d: %v", f.Name(), i+1, err)
			return reply, nil
		}
		args = append(args, v)
	}
	if f.Variadic() {
		st := f.In(n - 1)
		rest := reflect.MakeSlice(st, 0, len(req.GetArgs())-fixed)
		for i := fixed; i < len(req.GetArgs()); i++ {
			v, err := codec.Decode(req.GetArgs()[i], st.Elem())
			if err != nil {
				reply.Error = fmt.Sprintf("%s: argument %d: %v", f.Name(), i+1, err)
				return reply, nil
			}
			rest = reflect.Append(rest, v)
		}
		args = append(args, rest)
	}
	res, err := f.Call(ctx, args)
	if err != nil {
		reply.Error = err.Error()
		return reply, nil
	}
	if b, err := codec.Encode(res); err != nil {
		reply.Error = fmt.Sprintf("%s: encoding its result: %v", f.Name(), err)
	} else {
		reply.Result = b
	}
	return reply, nil
}

// fetch gets keys from a peer and posts what arrived.
func (w *Worker) fetch(peer string, keys []graph.Key) {
	ev := &wstate.Fetched{Peer: peer}
	start := time.Now()
	got, missing, err := FetchFrom(w.ctx, w.peers, peer, keys, w.addr, func(k graph.Key, data []byte, nbytes int64, typ string) {
		w.store.PutEncoded(k, data, nbytes, typ)
		w.bytesIn.Add(int64(len(data)))
	})
	stop := time.Now()
	w.mem.spillToTarget() // before the next fetch may start
	ev.Got, ev.Missing, ev.Err = got, missing, err
	if err != nil {
		w.log.Warn("fetch from peer failed", "peer", peer, "keys", len(keys), "err", err)
	}
	var msgs []*pb.WorkerMsg
	for _, ks := range got {
		msgs = append(msgs, &pb.WorkerMsg{Msg: &pb.WorkerMsg_Transfer{Transfer: &pb.TransferDone{
			Key: string(ks.Key), Peer: peer, Nbytes: ks.NBytes, StartNs: start.UnixNano(), StopNs: stop.UnixNano()}}})
	}
	if len(msgs) > 0 {
		w.send(msgs...)
	}
	w.handle(ev)
}

// FetchFrom asks a worker for keys and hands each complete value to put.
// It returns the keys received (with sizes) and those the peer lacks.
func FetchFrom(ctx context.Context, peers *peerPool, peer string, keys []graph.Key, requester string,
	put func(k graph.Key, data []byte, nbytes int64, typ string)) ([]wstate.KeySize, []graph.Key, error) {
	cli, err := peers.client(peer)
	if err != nil {
		return nil, nil, err
	}
	stream, err := cli.GetData(ctx, &pb.GetDataRequest{Keys: wire.Keys(keys), Requester: requester})
	if err != nil {
		return nil, nil, wire.Explain(err, "worker "+peer)
	}
	var got []wstate.KeySize
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
			got = append(got, wstate.KeySize{Key: graph.Key(key), NBytes: nbytes})
		}
	}
}

// peerPool keeps one connection per peer address.
type peerPool struct {
	sec   wire.Security
	mu    sync.Mutex // protects conns
	conns map[string]*grpc.ClientConn
}

func newPeerPool(sec wire.Security) *peerPool {
	return &peerPool{sec: sec, conns: make(map[string]*grpc.ClientConn)}
}

// NewPeerPool returns a pool of connections to workers, for clients.
func NewPeerPool(sec wire.Security) *PeerPool { return &PeerPool{p: newPeerPool(sec)} }

// PeerPool is a set of connections to workers, one per address.
type PeerPool struct{ p *peerPool }

// Fetch gets keys from the worker at addr (see FetchFrom).
func (pp *PeerPool) Fetch(ctx context.Context, addr string, keys []graph.Key,
	put func(k graph.Key, data []byte, nbytes int64, typ string)) ([]wstate.KeySize, []graph.Key, error) {
	return FetchFrom(ctx, pp.p, addr, keys, "client", put)
}

// Client returns the gRPC client of the worker at addr.
func (pp *PeerPool) Client(addr string) (pb.WorkerClient, error) { return pp.p.client(addr) }

// Close closes every connection.
func (pp *PeerPool) Close() { pp.p.close() }

func (p *peerPool) client(addr string) (pb.WorkerClient, error) {
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

func (p *peerPool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for a, cc := range p.conns {
		_ = cc.Close()
		delete(p.conns, a)
	}
}
