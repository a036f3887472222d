package shuffle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/dusk-go/dusk/task"
)

// Extension is the name of the worker extension that receives pieces.
const Extension = "dataframe.shuffle"

// bufferShare is the part of a worker's memory limit its receiver keeps in
// memory before it spills; defaultBudget is the budget of a worker with no
// limit.
const (
	bufferShare   = 0.25
	defaultBudget = 1 << 30
)

// receiver is a worker's shuffle extension: it holds the pieces peers
// deliver, in memory up to budget bytes, the rest in spill files.
type receiver struct {
	budget int64
	dir    func() (string, error)

	mu        sync.Mutex // protects the fields below
	shuffles  map[string]map[int]*outBuf
	forgotten map[string]bool
	inMemory  int64 // bytes of pieces held in memory
	spilled   int64 // bytes written to spill files (live or not)
	peak      int64 // the most bytes held in memory at once
	closed    bool
}

// pieceKey orders the pieces of one output: by input, then sequence.
type pieceKey struct{ in, seq int }

// span is where a spilled piece is in its output's spill file.
type span struct{ off, n int64 }

// outBuf is what one output partition received so far.
type outBuf struct {
	mem      map[pieceKey][]byte
	memBytes int64
	file     *os.File
	fileLen  int64
	disk     map[pieceKey]span
}

func newReceiver(budget int64, dir func() (string, error)) *receiver {
	return &receiver{budget: budget, dir: dir, shuffles: map[string]map[int]*outBuf{}, forgotten: map[string]bool{}}
}

// receivers are the receivers of this process (one per in-process
// worker), for Forget, which runs outside any task.
var receivers sync.Map // *receiver -> struct{}

func init() {
	task.RegisterExtension(Extension, func(rt task.Runtime) (task.Extension, error) {
		budget := int64(defaultBudget)
		if lim := rt.MemoryLimit(); lim > 0 {
			budget = int64(float64(lim) * bufferShare)
		}
		r := newReceiver(budget, func() (string, error) {
			d, err := rt.Dir()
			if err != nil {
				return "", err
			}
			return filepath.Join(d, "shuffle"), nil
		})
		receivers.Store(r, struct{}{})
		return r, nil
	})
}

// Receive stores one piece; past the memory budget it spills the largest
// buffers first, which holds the sender back until there is room.
func (r *receiver) Receive(ctx context.Context, topic string, data []byte) error {
	id, out, in, seq, err := parseTopic(topic)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return errors.New("shuffle: the worker is closing")
	}
	if r.forgotten[id] {
		return fmt.Errorf("shuffle %s was dropped (its computation ended or started again)", id)
	}
	outs := r.shuffles[id]
	if outs == nil {
		outs = map[int]*outBuf{}
		r.shuffles[id] = outs
	}
	b := outs[out]
	if b == nil {
		b = &outBuf{mem: map[pieceKey][]byte{}}
		outs[out] = b
	}
	k := pieceKey{in, seq}
	if old, ok := b.mem[k]; ok { // a Transfer that ran again
		b.memBytes -= int64(len(old))
		r.inMemory -= int64(len(old))
	}
	delete(b.disk, k)
	b.mem[k] = data
	b.memBytes += int64(len(data))
	r.inMemory += int64(len(data))
	r.peak = max(r.peak, r.inMemory)
	for r.inMemory > r.budget {
		if err := r.spillLargest(); err != nil {
			return err
		}
	}
	return nil
}

// spillLargest writes the largest in-memory buffer to its spill file.
// r.mu is held.
func (r *receiver) spillLargest() error {
	var big *outBuf
	var bigID string
	var bigOut int
	for id, outs := range r.shuffles {
		for o, b := range outs {
			if big == nil || b.memBytes > big.memBytes {
				big, bigID, bigOut = b, id, o
			}
		}
	}
	if big == nil || big.memBytes == 0 {
		return nil
	}
	if big.file == nil {
		dir, err := r.dir()
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, bigID), 0o755); err != nil {
			return fmt.Errorf("shuffle: creating the spill directory: %w", err)
		}
		f, err := os.Create(filepath.Join(dir, bigID, fmt.Sprintf("out-%d.pieces", bigOut)))
		if err != nil {
			return fmt.Errorf("shuffle: creating a spill file: %w", err)
		}
		big.file = f
		big.disk = map[pieceKey]span{}
	}
	for k, data := range big.mem {
		if _, err := big.file.Write(data); err != nil {
			return fmt.Errorf("shuffle: spilling to %s: %w", big.file.Name(), err)
		}
		big.disk[k] = span{off: big.fileLen, n: int64(len(data))}
		big.fileLen += int64(len(data))
		r.spilled += int64(len(data))
	}
	r.inMemory -= big.memBytes
	big.memBytes = 0
	clear(big.mem)
	return nil
}

// take removes one output's pieces and returns them ordered by input and
// sequence number.
func (r *receiver) take(id string, out int) ([][]byte, error) {
	r.mu.Lock()
	b := r.shuffles[id][out]
	if b != nil {
		delete(r.shuffles[id], out)
		r.inMemory -= b.memBytes
	}
	r.mu.Unlock()
	if b == nil {
		return nil, nil
	}
	keys := make([]pieceKey, 0, len(b.mem)+len(b.disk))
	for k := range b.mem {
		keys = append(keys, k)
	}
	for k := range b.disk {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, c pieceKey) int {
		if a.in != c.in {
			return a.in - c.in
		}
		return a.seq - c.seq
	})
	out2 := make([][]byte, 0, len(keys))
	for _, k := range keys {
		if d, ok := b.mem[k]; ok {
			out2 = append(out2, d)
			continue
		}
		sp := b.disk[k]
		d := make([]byte, sp.n)
		if _, err := b.file.ReadAt(d, sp.off); err != nil && !errors.Is(err, io.EOF) {
			b.drop()
			return nil, fmt.Errorf("shuffle: reading spilled pieces back from %s: %w", b.file.Name(), err)
		}
		out2 = append(out2, d)
	}
	b.drop()
	return out2, nil
}

// drop deletes the buffer's spill file.
func (b *outBuf) drop() {
	if b.file != nil {
		name := b.file.Name()
		b.file.Close()
		os.Remove(name)
		b.file = nil
	}
}

// forget drops everything of the shuffle and refuses its later pieces.
func (r *receiver) forget(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.forgotten[id] = true
	for _, b := range r.shuffles[id] {
		r.inMemory -= b.memBytes
		b.drop()
	}
	delete(r.shuffles, id)
	if dir, err := r.dir(); err == nil {
		os.RemoveAll(filepath.Join(dir, id))
	}
}

// Stats are a receiver's counters.
type Stats struct {
	InMemory, Spilled, Peak int64
}

func (r *receiver) stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Stats{InMemory: r.inMemory, Spilled: r.spilled, Peak: r.peak}
}

// Close drops every buffer when the worker closes.
func (r *receiver) Close() error {
	r.mu.Lock()
	ids := make([]string, 0, len(r.shuffles))
	for id := range r.shuffles {
		ids = append(ids, id)
	}
	r.closed = true
	r.mu.Unlock()
	for _, id := range ids {
		r.forget(id)
	}
	receivers.Delete(r)
	return nil
}
