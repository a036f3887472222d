package dusk

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
	"github.com/dusk-go/dusk/worker/transfer"
)

// ScatterOption changes where Scatter places data.
type ScatterOption func(*scatterOptions)

type scatterOptions struct {
	broadcast bool
	workers   []string
}

// Broadcast places a copy on every worker: for data every task reads (the
// guide's "scatter once, broadcast, use the reference").
func Broadcast() ScatterOption { return func(o *scatterOptions) { o.broadcast = true } }

// OnWorkers places the data on these workers (addresses or names) only.
func OnWorkers(names ...string) ScatterOption {
	return func(o *scatterOptions) { o.workers = append(o.workers, names...) }
}

// Scatter places v on the cluster once and returns a future that tasks
// take as an argument instead of v itself.
func Scatter[T any](ctx context.Context, c *Client, v T, opts ...ScatterOption) (*Future[T], error) {
	fs, err := ScatterEach(ctx, c, []T{v}, opts...)
	if err != nil {
		return nil, err
	}
	return fs[0], nil
}

// ScatterEach places each value on the cluster, spread over the workers
// (or on every worker with Broadcast), and returns their futures in order.
func ScatterEach[T any](ctx context.Context, c *Client, vs []T, opts ...ScatterOption) ([]*Future[T], error) {
	var o scatterOptions
	for _, f := range opts {
		f(&o)
	}
	if err := codec.CheckTravels(reflect.TypeFor[T]()); err != nil {
		return nil, fmt.Errorf("dusk: scatter: %w", err)
	}
	prefix := "scatter-" + keyPrefix(typeLabel(reflect.TypeFor[T]()))
	items := make([]scatterItem, len(vs))
	for i, v := range vs {
		b, err := codec.Encode(v)
		if err != nil {
			return nil, fmt.Errorf("dusk: scatter: value %d: %w", i, err)
		}
		items[i] = scatterItem{key: graph.NewKey(prefix), data: b, nbytes: codec.SizeOf(v)}
	}
	sts, err := c.scatterEncoded(ctx, items, reflect.TypeFor[T]().String(), o)
	if err != nil {
		return nil, err
	}
	fs := make([]*Future[T], len(sts))
	for i, st := range sts {
		fs[i] = adoptFuture[T](c, st)
	}
	return fs, nil
}

// scatterItem is one encoded value to place on the workers.
type scatterItem struct {
	key    graph.Key
	data   []byte
	nbytes int64
}

// scatterEncoded places encoded values of Go type typ on the workers (as
// o says), declares them to the scheduler, and returns their future
// states, one reference each.
func (c *Client) scatterEncoded(ctx context.Context, items []scatterItem, typ string, o scatterOptions) ([]*futureState, error) {
	workers, err := c.Workers(ctx)
	if err != nil {
		return nil, err
	}
	workers = slices.DeleteFunc(workers, func(w WorkerInfo) bool {
		if w.Status != "running" {
			return true
		}
		return len(o.workers) > 0 && !slices.Contains(o.workers, w.Address) && !slices.Contains(o.workers, w.Name) && !slices.Contains(o.workers, w.ID)
	})
	if len(workers) == 0 {
		if len(o.workers) > 0 {
			return nil, fmt.Errorf("dusk: scatter: none of the workers %s is connected and running", strings.Join(o.workers, ", "))
		}
		return nil, errors.New("dusk: scatter: no running workers to place data on")
	}
	// Least loaded first, so that data spreads evenly.
	slices.SortStableFunc(workers, func(a, b WorkerInfo) int { return int(a.NBytes - b.NBytes) })
	byWorker := make(map[string][]scatterItem, len(workers))
	keys := make([]graph.Key, len(items))
	for i, it := range items {
		keys[i] = it.key
		if o.broadcast {
			for _, w := range workers {
				byWorker[w.Address] = append(byWorker[w.Address], it)
			}
		} else {
			w := workers[i%len(workers)]
			byWorker[w.Address] = append(byWorker[w.Address], it)
		}
	}
	holders := make(map[graph.Key][]string, len(items))
	sizes := make(map[graph.Key]int64, len(items))
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	for addr, items := range byWorker {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, err := putData(ctx, c, addr, func(send func(*pb.DataBatch) error) error {
				cw := transfer.NewChunkWriter(send, transfer.DefaultChunkSize)
				for _, it := range items {
					if err := cw.Value(string(it.key), it.data, it.nbytes, typ); err != nil {
						return err
					}
				}
				return cw.Flush()
			})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			for _, it := range items {
				holders[it.key] = append(holders[it.key], id)
				sizes[it.key] = it.nbytes
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("dusk: scatter: %w", firstErr)
	}
	sts := make([]*futureState, len(keys))
	msg := &pb.Scattered{}
	for i, k := range keys {
		c.mu.Lock()
		sts[i] = c.futureLocked(k)
		sts[i].scattered = true
		c.mu.Unlock()
		msg.Keys = append(msg.Keys, &pb.ScatteredKey{Key: string(k), Nbytes: sizes[k], Type: typ, Workers: holders[k]})
	}
	if err := c.send(&pb.ClientMsg{Msg: &pb.ClientMsg_Scattered{Scattered: msg}}); err != nil {
		for _, st := range sts {
			c.release(st.key)
		}
		return nil, err
	}
	return sts, nil
}

func putData(ctx context.Context, c *Client, addr string, write func(send func(*pb.DataBatch) error) error) (string, error) {
	cli, err := c.peers.Client(addr)
	if err != nil {
		return "", err
	}
	stream, err := cli.PutData(ctx)
	if err != nil {
		return "", wire.Explain(err, "worker "+addr)
	}
	if err := write(stream.Send); err != nil {
		return "", wire.Explain(err, "worker "+addr)
	}
	reply, err := stream.CloseAndRecv()
	if err != nil {
		return "", wire.Explain(err, "worker "+addr)
	}
	return reply.GetWorkerId(), nil
}

func typeLabel(t reflect.Type) string {
	s := t.String()
	s = strings.NewReplacer("[]", "slice_", "*", "ptr_", ".", "_", " ", "", "[", "_", "]", "_").Replace(s)
	if len(s) > 32 {
		s = s[:32]
	}
	return s
}
