package shuffle

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/task"
)

// maxPiece is the most rows' bytes sent as one message: larger pieces are
// cut, so that no message is huge and receivers can spill in steps.
const maxPiece = 8 << 20

// The shuffle's tasks, registered under stable names so that every worker
// binary that imports the package (the stock dusk worker does) runs them.
var (
	// Transfer(ctx, rec, spec, input) cuts an input partition by target
	// and delivers the pieces to their owners.
	Transfer = dusk.Register("dataframe.shuffle-transfer", transfer)
	// TransferRun(ctx, recs, spec, input) is Transfer of the records of a
	// run of partitions read as one input, record by record: the output
	// receives the rows in the order a Transfer of their concatenation
	// would send them, without the copy the concatenation makes.
	TransferRun = dusk.Register("dataframe.shuffle-transfer-run", transferRun)
	// Barrier(sents) waits for every Transfer and sums what they sent.
	Barrier = dusk.Register("dataframe.shuffle-barrier", barrier)
	// Unpack(ctx, total, spec, output) reads one output partition on its
	// owner.
	Unpack = dusk.Register("dataframe.shuffle-unpack", unpack)
	// UnpackRun(ctx, total, spec, from, to) reads outputs from..to-1,
	// which one worker owns, as one partition: their rows in output
	// order, assembled once (no copy joining the outputs afterwards).
	UnpackRun = dusk.Register("dataframe.shuffle-unpack-run", unpackRun)
	// Forget(ids) drops what shuffles left on a worker; run it with
	// dusk.Run.
	Forget = dusk.Register("dataframe.shuffle-forget", forget)
	// ReceiverStats() returns the receivers' counters of a worker process;
	// run it with dusk.Run.
	ReceiverStats = dusk.Register("dataframe.shuffle-stats", receiverStats)
)

func transfer(ctx context.Context, rec arrow.RecordBatch, spec Spec, input int) (Sent, error) {
	return transferRun(ctx, []arrow.RecordBatch{rec}, spec, input)
}

// transferRun sends each record's pieces in turn, numbering each output's
// pieces on from those of the records before.
func transferRun(ctx context.Context, recs []arrow.RecordBatch, spec Spec, input int) (Sent, error) {
	rt, ok := task.FromContext(ctx)
	if !ok {
		return Sent{}, errors.New("shuffle: Transfer runs as a task on a worker")
	}
	sent := Sent{ID: spec.ID, Rows: make([]int64, spec.NOut()), Bytes: make([]int64, spec.NOut())}
	seqs := make([]int, spec.NOut()) // each output's pieces sent so far
	for _, rec := range recs {
		if err := transferOne(ctx, rt, rec, spec, input, seqs, &sent); err != nil {
			return Sent{}, err
		}
	}
	return sent, nil
}

// transferOne cuts rec by target and delivers its pieces, the first of
// output j numbered seqs[j]; it adds what it sent to sent and seqs.
func transferOne(ctx context.Context, rt task.Runtime, rec arrow.RecordBatch, spec Spec, input int, seqs []int, sent *Sent) error {
	targets, err := Targets(rec, &spec)
	if err != nil {
		return err
	}
	var byOwner map[string][]task.Message
	if plainSchema(rec.Schema()) {
		byOwner, err = plainMessages(rec, targets, spec, input, sent.Rows, seqs)
	} else {
		byOwner, err = ipcMessages(rec, targets, spec, input, sent.Rows, seqs)
	}
	if err != nil {
		return err
	}
	for _, msgs := range byOwner {
		for _, m := range msgs {
			if _, out, _, _, err := parseTopic(m.Topic); err == nil {
				sent.Bytes[out] += int64(len(m.Data))
			}
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for owner, msgs := range byOwner {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := rt.Deliver(ctx, owner, Extension, msgs); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = deliveryError(spec.ID, owner, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// plainMessages cuts rec into pieces written column by column
// (piece.go), by owner, and counts the rows of each output in rows; the
// pieces of output j are numbered from seqs[j] on, and seqs[j] moves past
// them.
func plainMessages(rec arrow.RecordBatch, targets []int32, spec Spec, input int, rows []int64, seqs []int) (map[string][]task.Message, error) {
	for _, t := range targets {
		rows[t]++
	}
	pw := newPieceWriter(rec)
	pieces, err := pw.writeAll(targets, spec.NOut(), int(max(maxPiece/pw.rowBytes(), 1)))
	if err != nil {
		return nil, err
	}
	byOwner := map[string][]task.Message{}
	next := slices.Clone(seqs)
	for _, p := range pieces {
		owner := spec.Owners[p.out]
		seq := seqs[p.out] + p.seq
		byOwner[owner] = append(byOwner[owner], task.Message{Topic: topic(spec.ID, p.out, input, seq), Data: p.data})
		next[p.out] = max(next[p.out], seq+1)
	}
	copy(seqs, next)
	return byOwner, nil
}

// ipcMessages cuts rec into pieces of Arrow IPC, for the columns the
// piece layout does not hold (dictionaries, nested types), by owner, and
// counts the rows of each output in rows; the pieces are numbered as
// plainMessages numbers them.
func ipcMessages(rec arrow.RecordBatch, targets []int32, spec Spec, input int, rows []int64, seqs []int) (map[string][]task.Message, error) {
	pieces, err := Split(rec, targets, spec.NOut())
	if err != nil {
		return nil, err
	}
	byOwner := map[string][]task.Message{}
	for out, p := range pieces {
		rows[out] += p.NumRows()
		if p.NumRows() == 0 {
			continue
		}
		msgs, err := encodePieces(spec.ID, out, input, seqs[out], p)
		if err != nil {
			return nil, err
		}
		seqs[out] += len(msgs)
		byOwner[spec.Owners[out]] = append(byOwner[spec.Owners[out]], msgs...)
	}
	return byOwner, nil
}

// deliveryError marks a failed delivery as lost data unless the receiver
// itself refused the piece.
func deliveryError(id, owner string, err error) error {
	if strings.Contains(err.Error(), "dusk: extension ") {
		return fmt.Errorf("shuffle %s: worker %s refused a piece: %w", id, owner, err)
	}
	return fmt.Errorf("%s shuffle %s: delivering to worker %s failed (it left?) [lost=%s]: %w", LostMarker, id, owner, owner, err)
}

// encodePieces writes a piece as Arrow IPC messages of at most about
// maxPiece bytes each, numbered from first on.
func encodePieces(id string, out, input, first int, p arrow.RecordBatch) ([]task.Message, error) {
	nbytes := int64(0)
	for _, c := range p.Columns() {
		nbytes += sliceBytes(c)
	}
	n := int(nbytes/maxPiece) + 1
	if n > int(p.NumRows()) {
		n = int(p.NumRows())
	}
	var msgs []task.Message
	rows := p.NumRows()
	for i := range n {
		lo, hi := rows*int64(i)/int64(n), rows*int64(i+1)/int64(n)
		var buf bytes.Buffer
		w := ipc.NewWriter(&buf, ipc.WithSchema(p.Schema()))
		s := p.NewSlice(lo, hi)
		err := w.Write(s)
		s.Release()
		if err == nil {
			err = w.Close()
		}
		if err != nil {
			return nil, fmt.Errorf("shuffle: encoding a piece: %w", err)
		}
		msgs = append(msgs, task.Message{Topic: topic(id, out, input, first+i), Data: buf.Bytes()})
	}
	return msgs, nil
}

// sliceBytes returns about how many bytes of its buffers a (perhaps
// sliced) column's rows take: a piece is a slice of its input's reordered
// columns, whose buffers hold every output's rows.
func sliceBytes(c arrow.Array) int64 {
	n := int64(c.Len())
	switch a := c.(type) {
	case *array.String:
		offs := a.ValueOffsets()
		return 4*(n+1) + int64(offs[len(offs)-1]-offs[0]) + n/8
	case *array.Binary:
		offs := a.ValueOffsets()
		return 4*(n+1) + int64(offs[len(offs)-1]-offs[0]) + n/8
	}
	if fw, ok := c.DataType().(arrow.FixedWidthDataType); ok {
		return n*int64(max(fw.BitWidth()/8, 1)) + n/8
	}
	var total int64
	for _, b := range c.Data().Buffers() {
		if b != nil {
			total += int64(b.Len())
		}
	}
	return total
}

func barrier(sents []Sent) (Sent, error) {
	if len(sents) == 0 {
		return Sent{}, errors.New("shuffle: a barrier with no inputs")
	}
	total := Sent{ID: sents[0].ID, Rows: make([]int64, len(sents[0].Rows)), Bytes: make([]int64, len(sents[0].Rows))}
	for _, s := range sents {
		for j, n := range s.Rows {
			total.Rows[j] += n
		}
		for j, n := range s.Bytes {
			total.Bytes[j] += n
		}
	}
	return total, nil
}

func unpack(ctx context.Context, total Sent, spec Spec, out int) (arrow.RecordBatch, error) {
	return unpackRun(ctx, total, spec, out, out+1)
}

func unpackRun(ctx context.Context, total Sent, spec Spec, from, to int) (arrow.RecordBatch, error) {
	if from < 0 || to <= from || to > spec.NOut() {
		return nil, fmt.Errorf("shuffle %s: outputs %d to %d of %d", spec.ID, from, to-1, spec.NOut())
	}
	rt, ok := task.FromContext(ctx)
	if !ok {
		return nil, errors.New("shuffle: Unpack runs as a task on a worker")
	}
	schema, err := DecodeSchema(spec.Schema)
	if err != nil {
		return nil, err
	}
	ext, err := rt.Extension(Extension)
	if err != nil {
		return nil, err
	}
	r := ext.(*receiver)
	var pieces [][]byte
	var want int64
	for out := from; out < to; out++ {
		ps, err := r.take(spec.ID, out)
		if err != nil {
			return nil, err
		}
		pieces = append(pieces, ps...)
		want += total.Rows[out]
	}
	out := from // the output an error names
	direct := 0
	for _, p := range pieces {
		if isPiece(p) {
			direct++
		}
	}
	if direct > 0 || (len(pieces) == 0 && plainSchema(schema)) {
		if direct != len(pieces) {
			return nil, fmt.Errorf("shuffle %s: output %d received %d pieces written column by column and %d as Arrow IPC; the inputs' schemas differ", spec.ID, out, direct, len(pieces)-direct)
		}
		rec, err := assemble(schema, pieces)
		if err != nil {
			return nil, fmt.Errorf("shuffle %s: output %d: %w", spec.ID, out, err)
		}
		if rec.NumRows() != want {
			n := rec.NumRows()
			rec.Release()
			return nil, lostRows(spec, out, n, want, rt.Address())
		}
		return rec, nil
	}
	recs := make([]arrow.RecordBatch, 0, len(pieces))
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	var rows int64
	for _, p := range pieces {
		rd, err := ipc.NewReader(bytes.NewReader(p), ipc.WithAllocator(memory.DefaultAllocator))
		if err != nil {
			return nil, fmt.Errorf("shuffle %s: a piece of output %d does not decode: %w", spec.ID, out, err)
		}
		for rd.Next() {
			b := rd.RecordBatch()
			b.Retain()
			recs = append(recs, b)
			rows += b.NumRows()
		}
		err = rd.Err()
		rd.Release()
		if err != nil {
			return nil, fmt.Errorf("shuffle %s: a piece of output %d does not decode: %w", spec.ID, out, err)
		}
	}
	if rows != want {
		return nil, lostRows(spec, out, rows, want, rt.Address())
	}
	return concat(schema, recs)
}

// lostRows is the error of an output that received fewer rows than were
// sent to it. If the output ran on another worker than its owner, the
// owner left mid-shuffle: the error names it, for the restart to wait
// until the scheduler sees it gone. If the owner itself lacks pieces, it
// lost what it had received (its buffers went with a lost scheduler or a
// restarted process) and there is nobody to wait for.
func lostRows(spec Spec, out int, rows, want int64, self string) error {
	owner := spec.Owners[out]
	if owner == self {
		return fmt.Errorf("%s shuffle %s: output %d has %d of the %d rows sent to it on worker %s: the worker lost pieces it had received",
			LostMarker, spec.ID, out, rows, want, self)
	}
	return fmt.Errorf("%s shuffle %s: output %d has %d of the %d rows sent to worker %s; this worker is %s (a worker left mid-shuffle) [lost=%s]",
		LostMarker, spec.ID, out, rows, want, owner, self, owner)
}

// concat joins record batches of one schema into one record.
func concat(s *arrow.Schema, recs []arrow.RecordBatch) (arrow.RecordBatch, error) {
	if len(recs) == 1 {
		recs[0].Retain()
		return recs[0], nil
	}
	cols := make([]arrow.Array, s.NumFields())
	var rows int64
	for _, r := range recs {
		rows += r.NumRows()
	}
	for i := range cols {
		parts := make([]arrow.Array, len(recs))
		for j, r := range recs {
			parts[j] = r.Column(i)
		}
		if len(parts) == 0 {
			b := array.NewBuilder(memory.DefaultAllocator, s.Field(i).Type)
			cols[i] = b.NewArray()
			b.Release()
			continue
		}
		c, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			return nil, fmt.Errorf("shuffle: joining pieces of column %q: %w", s.Field(i).Name, err)
		}
		cols[i] = c
	}
	return array.NewRecordBatch(s, cols, rows), nil
}

func forget(ids []string) int {
	n := 0
	receivers.Range(func(k, _ any) bool {
		for _, id := range ids {
			k.(*receiver).forget(id)
		}
		n++
		return true
	})
	return n
}

// LocalStats returns the counters of this process's receivers: bytes held
// in memory now, bytes spilled so far, and the most held at once by one.
func LocalStats() Stats { return receiverStats() }

func receiverStats() Stats {
	var s Stats
	receivers.Range(func(k, _ any) bool {
		st := k.(*receiver).stats()
		s.InMemory += st.InMemory
		s.Spilled += st.Spilled
		s.Peak = max(s.Peak, st.Peak)
		return true
	})
	return s
}

// LostWorker returns the address of the worker a shuffle-lost error
// blames, if it names one.
func LostWorker(err error) (string, bool) {
	msg := err.Error()
	i := strings.Index(msg, "[lost=")
	if i < 0 {
		return "", false
	}
	rest := msg[i+len("[lost="):]
	j := strings.IndexByte(rest, ']')
	if j < 0 {
		return "", false
	}
	return rest[:j], true
}

// EncodeSchema writes s as an Arrow IPC stream with no batches.
func EncodeSchema(s *arrow.Schema) ([]byte, error) {
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(s))
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// DecodeSchema reads a schema written by EncodeSchema.
func DecodeSchema(b []byte) (*arrow.Schema, error) {
	r, err := ipc.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("shuffle: reading the schema: %w", err)
	}
	defer r.Release()
	return r.Schema(), nil
}
