package codec

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// appendWriter is an io.Writer that appends to a byte slice.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// ipcSizeHint guesses the length of the IPC stream of batches holding data
// bytes in cols columns: the data, padding and the schema and batch headers.
func ipcSizeHint(data int64, cols int64, batches int) int {
	return int(data) + int(cols)*(64+3*8) + batches*(256+int(cols)*48) + 1024
}

// appendArrowRecord appends rec as the format byte and an IPC stream that
// holds one record batch.
func appendArrowRecord(dst []byte, rec arrow.RecordBatch) ([]byte, error) {
	if isNil(rec) {
		return dst, errors.New("codec: cannot encode a nil arrow.RecordBatch")
	}
	hint := ipcSizeHint(recordWireBytes(rec), rec.NumCols(), 1)
	w := &appendWriter{b: slices.Grow(dst, 1+hint)}
	w.b = append(w.b, byte(ArrowRecord))
	iw := ipc.NewWriter(w, ipc.WithSchema(rec.Schema()))
	if err := iw.Write(rec); err != nil {
		return dst, fmt.Errorf("codec: writing an Arrow record as IPC: %w", err)
	}
	if err := iw.Close(); err != nil {
		return dst, fmt.Errorf("codec: closing an Arrow IPC stream: %w", err)
	}
	return w.b, nil
}

// appendArrowTable appends tbl as the format byte and an IPC stream with one
// record batch per run of rows that share chunks in every column.
func appendArrowTable(dst []byte, tbl arrow.Table) ([]byte, error) {
	if isNil(tbl) {
		return dst, errors.New("codec: cannot encode a nil arrow.Table")
	}
	hint := ipcSizeHint(tableWireBytes(tbl), tbl.NumCols(), tableChunks(tbl))
	w := &appendWriter{b: slices.Grow(dst, 1+hint)}
	w.b = append(w.b, byte(ArrowTable))
	iw := ipc.NewWriter(w, ipc.WithSchema(tbl.Schema()))
	tr := array.NewTableReader(tbl, 0)
	defer tr.Release()
	for tr.Next() {
		if err := iw.Write(tr.RecordBatch()); err != nil {
			return dst, fmt.Errorf("codec: writing an Arrow table as IPC: %w", err)
		}
	}
	if err := tr.Err(); err != nil {
		return dst, fmt.Errorf("codec: reading an Arrow table's chunks: %w", err)
	}
	if err := iw.Close(); err != nil {
		return dst, fmt.Errorf("codec: closing an Arrow IPC stream: %w", err)
	}
	return w.b, nil
}

// tableChunks returns the largest chunk count among tbl's columns.
func tableChunks(tbl arrow.Table) int {
	n := 1
	for i := range int(tbl.NumCols()) {
		n = max(n, len(tbl.Column(i).Data().Chunks()))
	}
	return n
}

// isNil reports whether v is nil or a typed nil pointer.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// setArrow decodes an Arrow payload of kind k into dst, which must be an
// arrow.RecordBatch, an arrow.Table or an empty interface. A record may be
// decoded as a one-batch table; a table cannot be decoded as a record.
func (d Decoder) setArrow(dst reflect.Value, k Kind, payload []byte) error {
	wantTable := k == ArrowTable
	switch {
	case dst.Type() == tableType:
		wantTable = true
	case dst.Type() == recordBatchType:
		if k == ArrowTable {
			return errors.New("an Arrow table decodes into arrow.Table or any, not arrow.RecordBatch")
		}
	case dst.Kind() == reflect.Interface && dst.NumMethod() == 0:
	default:
		return fmt.Errorf("an Arrow %s decodes into arrow.RecordBatch, arrow.Table or any", arrowNoun(k))
	}
	schema, recs, err := d.readIPC(payload)
	if err != nil {
		return err
	}
	if k == ArrowRecord && len(recs) != 1 {
		releaseAll(recs)
		return fmt.Errorf("an Arrow record stream must hold one record batch, not %d", len(recs))
	}
	if !wantTable {
		dst.Set(reflect.ValueOf(recs[0]))
		return nil
	}
	tbl := array.NewTableFromRecords(schema, recs)
	releaseAll(recs)
	dst.Set(reflect.ValueOf(tbl))
	return nil
}

func arrowNoun(k Kind) string {
	if k == ArrowTable {
		return "table"
	}
	return "record"
}

// readIPC reads every record batch of the IPC stream in payload, validating
// each in full. Buffers come from d's allocator, and the stream may not make
// the reader allocate much more than its own length (see boundedAllocator).
func (d Decoder) readIPC(payload []byte) (*arrow.Schema, []arrow.RecordBatch, error) {
	if err := checkIPCStream(payload); err != nil {
		return nil, nil, err
	}
	mem := d.Allocator
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	alloc := newBoundedAllocator(mem, allocBudget(len(payload)))
	defer alloc.lift()
	limit := int64(max(len(payload), 1))
	r, err := ipc.NewReader(bytes.NewReader(payload),
		ipc.WithAllocator(alloc),
		ipc.WithMetadataSizeLimit(limit),
		ipc.WithBodySizeLimit(limit))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the Arrow IPC schema: %w", err)
	}
	defer r.Release()
	var recs []arrow.RecordBatch
	for r.Next() {
		rec := r.RecordBatch()
		if err := array.ValidateRecordFull(rec); err != nil {
			releaseAll(recs)
			return nil, nil, fmt.Errorf("invalid Arrow record batch %d: %w", len(recs), err)
		}
		rec.Retain()
		recs = append(recs, rec)
	}
	if err := r.Err(); err != nil {
		releaseAll(recs)
		return nil, nil, fmt.Errorf("reading Arrow IPC record batch %d: %w", len(recs), err)
	}
	return r.Schema(), recs, nil
}

func releaseAll(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}

// recordWireBytes estimates the bytes of rec's values an IPC stream
// writes (see wireBytes).
func recordWireBytes(rec arrow.RecordBatch) int64 {
	var n int64
	for _, col := range rec.Columns() {
		n += wireBytes(col)
	}
	return n
}

// tableWireBytes estimates the bytes of tbl's values an IPC stream
// writes (see wireBytes).
func tableWireBytes(tbl arrow.Table) int64 {
	var n int64
	for i := range int(tbl.NumCols()) {
		for _, chunk := range tbl.Column(i).Data().Chunks() {
			n += wireBytes(chunk)
		}
	}
	return n
}

// wireBytes estimates the bytes of arr's values an IPC stream writes. A
// slice of a larger array (a partition cut from a table) shares the whole
// buffers, but only its rows are written: its share of the buffers
// counts. Sizing the output by the whole buffers made cutting a table of
// n bytes into p partitions allocate (and clear) n bytes p times.
func wireBytes(arr arrow.Array) int64 {
	full := arrayBytes(arr)
	rows, held := int64(arr.Len()), bufferRows(arr)
	if held > rows && held > 0 {
		return full*rows/held + 64
	}
	return full
}

// bufferRows is how many rows arr's buffers hold (more than arr.Len()
// for a slice), as far as its type tells; else its offset plus length.
func bufferRows(arr arrow.Array) int64 {
	d := arr.Data()
	bufs := d.Buffers()
	least := int64(d.Offset() + d.Len())
	if len(bufs) < 2 || bufs[1] == nil {
		return least
	}
	n := int64(bufs[1].Len())
	switch t := arr.DataType().(type) {
	case *arrow.StringType, *arrow.BinaryType, *arrow.ListType, *arrow.MapType:
		n = n/4 - 1 // 32-bit offsets, one more than the rows
	case *arrow.LargeStringType, *arrow.LargeBinaryType, *arrow.LargeListType:
		n = n/8 - 1
	case arrow.FixedWidthDataType:
		if w := t.BitWidth(); w > 0 {
			n = n * 8 / int64(w)
		} else {
			return least
		}
	default:
		return least
	}
	return max(n, least)
}
