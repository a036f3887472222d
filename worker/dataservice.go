package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"time"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/registry"
	"github.com/dusk-go/dusk/wire/pb"
	"github.com/dusk-go/dusk/worker/exec"
	wstate "github.com/dusk-go/dusk/worker/state"
	"github.com/dusk-go/dusk/worker/store"
	"github.com/dusk-go/dusk/worker/transfer"
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
	cw := transfer.NewChunkWriter(stream.Send, w.opts.ChunkSize)
	for _, k := range req.GetKeys() {
		head, body, nbytes, typ, err := w.store.EncodedParts(graph.Key(k))
		if errors.Is(err, store.ErrNotHere) {
			if err := cw.Missing(k); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if err := cw.ValueParts(k, head, body, nbytes, typ); err != nil {
			return err
		}
		w.bytesOut.Add(int64(len(head) + len(body)))
	}
	return cw.Flush()
}

// PutData stores scattered values.
func (d *dataService) PutData(stream pb.Worker_PutDataServer) error {
	w := d.w
	var asm transfer.Assembler
	reply := &pb.PutDataReply{WorkerId: w.ID()}
	var stored []graph.KeySize
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
			stored = append(stored, graph.KeySize{Key: graph.Key(key), NBytes: nbytes})
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
		reply.Error = (&exec.UnknownFuncError{Func: req.GetFunc(), Worker: w.ID()}).Error()
		return reply, nil
	}
	args, err := decodeArgs(f, req.GetArgs())
	if err != nil {
		reply.Error = err.Error()
		return reply, nil
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

// fetch gets keys from a peer for the given session and posts what
// arrived.
func (w *Worker) fetch(ctx context.Context, session uint64, peer string, keys []graph.Key) {
	defer w.inflight.done()
	ev := &wstate.Fetched{Peer: peer}
	start := time.Now()
	var received int64
	got, missing, err := w.peers.Fetch(ctx, peer, keys, w.addr, func(k graph.Key, data []byte, nbytes int64, typ string) {
		received += int64(len(data))
		if w.sessions.Load() != session {
			return // for a scheduler that was lost
		}
		w.store.PutEncoded(k, data, nbytes, typ)
		w.bytesIn.Add(int64(len(data)))
	})
	stop := time.Now()
	if err == nil {
		w.fetchRate.add(received, stop.Sub(start))
	}
	w.mem.SpillToTarget() // before the next fetch may start
	ev.Got, ev.Missing, ev.Err = got, missing, err
	if w.sessions.Load() != session {
		return
	}
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

// decodeArgs checks the count of encoded arguments against f and decodes
// them into its parameter types (a variadic tail into one slice).
func decodeArgs(f *registry.Func, raw [][]byte) ([]reflect.Value, error) {
	if err := f.CheckCount(len(raw)); err != nil {
		return nil, err
	}
	n := f.NumIn()
	fixed := n
	if f.Variadic() {
		fixed = n - 1
	}
	args := make([]reflect.Value, 0, n)
	for i := 0; i < fixed; i++ {
		v, err := codec.Decode(raw[i], f.In(i))
		if err != nil {
			return nil, fmt.Errorf("%s: argument %d: %w", f.Name(), i+1, err)
		}
		args = append(args, v)
	}
	if f.Variadic() {
		st := f.In(n - 1)
		rest := reflect.MakeSlice(st, 0, len(raw)-fixed)
		for i := fixed; i < len(raw); i++ {
			v, err := codec.Decode(raw[i], st.Elem())
			if err != nil {
				return nil, fmt.Errorf("%s: argument %d: %w", f.Name(), i+1, err)
			}
			rest = reflect.Append(rest, v)
		}
		args = append(args, rest)
	}
	return args, nil
}
