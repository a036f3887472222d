package shuffle

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// A piece is the rows of one input partition bound for one output
// partition. When every column is of a plain type (numbers, dates and
// times, booleans, strings, binary) a Transfer writes its rows straight
// from the input's columns into the message, in the layout below, and the
// output's Unpack copies every piece's buffers once into the output's
// columns: one copy on each side, where Arrow IPC would first reorder the
// input (a copy), encode it (another) and decode it (a third) before the
// pieces are concatenated (a fourth). Other columns (dictionaries, nested
// types) go as Arrow IPC.
//
// Layout, little-endian, every buffer starting at a multiple of 8 bytes:
//
//	magic "dsp1", ncols uint32, rows uint64
//	per column: flags uint32 (1: a validity bitmap follows), width uint32
//	            (bytes per value; widthString: int32 offsets from 0 then
//	            the bytes; widthBool: a bitmap), data uint64 (string bytes)
//	per column: [validity bitmap] values [string bytes]
const (
	pieceMagic   = "dsp1"
	widthString  = 0
	widthBool    = math.MaxUint32
	headerBytes  = 16
	columnHeader = 16
	flagValidity = 1
)

// isPiece reports whether data is a piece in the layout above (and not
// Arrow IPC, which starts with 0xFFFFFFFF).
func isPiece(data []byte) bool { return len(data) >= 4 && string(data[:4]) == pieceMagic }

// plainWidth returns the width code of a column type the piece layout
// holds, or false.
func plainWidth(t arrow.DataType) (uint32, bool) {
	switch t.ID() {
	case arrow.STRING, arrow.BINARY:
		return widthString, true
	case arrow.BOOL:
		return widthBool, true
	case arrow.DICTIONARY, arrow.EXTENSION:
		return 0, false
	}
	fw, ok := t.(arrow.FixedWidthDataType)
	if !ok || fw.BitWidth()%8 != 0 || fw.BitWidth() == 0 {
		return 0, false
	}
	if len(t.Layout().Buffers) != 2 {
		return 0, false
	}
	return uint32(fw.BitWidth() / 8), true
}

// plainSchema reports whether every column of s fits the piece layout.
func plainSchema(s *arrow.Schema) bool {
	for _, f := range s.Fields() {
		if _, ok := plainWidth(f.Type); !ok {
			return false
		}
	}
	return true
}

func pad8(n int) int { return (n + 7) &^ 7 }

// pieceWriter writes pieces of one input record.
type pieceWriter struct {
	names  []string
	cols   []arrow.Array
	widths []uint32
	offs   [][]int32 // string columns' offsets, from 0
	data   [][]byte  // string columns' bytes, fixed columns' values
}

// newPieceWriter returns a writer of rec's rows; every column must fit the
// piece layout (plainSchema).
func newPieceWriter(rec arrow.RecordBatch) *pieceWriter {
	n := int(rec.NumCols())
	w := &pieceWriter{names: make([]string, n), cols: rec.Columns(), widths: make([]uint32, n), offs: make([][]int32, n), data: make([][]byte, n)}
	for i, c := range w.cols {
		w.names[i] = rec.ColumnName(i)
		w.widths[i], _ = plainWidth(c.DataType())
		switch w.widths[i] {
		case widthString:
			w.offs[i], w.data[i] = stringParts(c)
		case widthBool:
		default:
			w.data[i] = fixedBytes(c, int(w.widths[i]))
		}
	}
	return w
}

// rowBytes returns about how many bytes a row takes in a piece.
func (w *pieceWriter) rowBytes() int64 {
	var b int64
	for i, c := range w.cols {
		switch w.widths[i] {
		case widthString:
			b += 4 + int64(len(w.data[i]))/int64(max(c.Len(), 1))
		case widthBool:
			b++
		default:
			b += int64(w.widths[i])
		}
	}
	return max(b, 1)
}

// stringParts returns a string or binary column's offsets, counted from
// the start of its bytes, and those bytes.
func stringParts(c arrow.Array) (offs []int32, data []byte) {
	switch a := c.(type) {
	case *array.String:
		offs, data = a.ValueOffsets(), a.ValueBytes()
	case *array.Binary:
		offs, data = a.ValueOffsets(), a.ValueBytes()
	}
	if len(offs) > 0 && offs[0] != 0 {
		// A slice: its bytes start at its first value.
		base := offs[0]
		rel := make([]int32, len(offs))
		for i, o := range offs {
			rel[i] = o - base
		}
		offs = rel
	}
	return offs, data
}

// fixedBytes returns the bytes of a fixed-width column's values, from its
// first row (slices included).
func fixedBytes(c arrow.Array, width int) []byte {
	d := c.Data()
	buf := d.Buffers()[1]
	if buf == nil {
		return nil
	}
	return buf.Bytes()[d.Offset()*width : (d.Offset()+d.Len())*width]
}

// outPiece is one written piece: its output, its sequence number among
// that output's pieces from this input, and its bytes.
type outPiece struct {
	out, seq int
	data     []byte
}

// writeAll writes the rows of every output (targets[i] is row i's) as
// pieces of at most per rows, in the rows' order. It reads the input's
// columns once, in order, scattering each row's values to its piece: the
// reads stream through memory and the writes go to one place per piece.
func (w *pieceWriter) writeAll(targets []int32, nout, per int) ([]outPiece, error) {
	// Pieces: the chunks of each output, numbered output by output.
	counts := make([]int, nout)
	for _, t := range targets {
		counts[t]++
	}
	first := make([]int32, nout) // each output's first piece
	var pieces []outPiece
	var rows []int // rows per piece
	for t, c := range counts {
		first[t] = int32(len(pieces))
		for seq, lo := 0, 0; lo < c; seq, lo = seq+1, lo+per {
			pieces = append(pieces, outPiece{out: t, seq: seq})
			rows = append(rows, min(per, c-lo))
		}
	}
	if len(pieces) == 0 {
		return nil, nil
	}
	// The piece of each row: its target's, when every output has one.
	pid := targets
	if len(pieces) != nout || slices.Contains(counts, 0) {
		pid = make([]int32, len(targets))
		rank := make([]int, nout)
		for i, t := range targets {
			pid[i] = first[t] + int32(rank[t]/per)
			rank[t]++
		}
	}
	// Sizes and headers.
	np, nc := len(pieces), len(w.cols)
	strLens := make([][]int64, nc)
	for c := range w.cols {
		if w.widths[c] != widthString {
			continue
		}
		lens := make([]int64, np)
		offs := w.offs[c]
		for i, p := range pid {
			lens[p] += int64(offs[i+1] - offs[i])
		}
		for _, l := range lens {
			if l > math.MaxInt32 {
				return nil, fmt.Errorf("shuffle: a piece's strings in column %q pass 2 GiB", w.names[c])
			}
		}
		strLens[c] = lens
	}
	// at[c][p] is where column c's buffers start in piece p.
	at := make([][]int, nc)
	for c := range at {
		at[c] = make([]int, np)
	}
	for p := range pieces {
		n := rows[p]
		pos := headerBytes + columnHeader*nc
		for c, col := range w.cols {
			at[c][p] = pos
			if col.NullN() > 0 {
				pos += pad8(int(bitutil.BytesForBits(int64(n))))
			}
			switch w.widths[c] {
			case widthString:
				pos += pad8(4*(n+1)) + pad8(int(strLens[c][p]))
			case widthBool:
				pos += pad8(int(bitutil.BytesForBits(int64(n))))
			default:
				pos += pad8(n * int(w.widths[c]))
			}
		}
		b := make([]byte, pos)
		copy(b, pieceMagic)
		binary.LittleEndian.PutUint32(b[4:], uint32(nc))
		binary.LittleEndian.PutUint64(b[8:], uint64(n))
		for c, col := range w.cols {
			h := b[headerBytes+columnHeader*c:]
			if col.NullN() > 0 {
				binary.LittleEndian.PutUint32(h, flagValidity)
			}
			binary.LittleEndian.PutUint32(h[4:], w.widths[c])
			if strLens[c] != nil {
				binary.LittleEndian.PutUint64(h[8:], uint64(strLens[c][p]))
			}
		}
		pieces[p].data = b
	}
	// The columns, one at a time.
	cur := make([]int32, np)
	for c, col := range w.cols {
		region := at[c]
		if col.NullN() > 0 {
			scatterBits(pieces, region, pid, cur, col.IsValid)
			for p := range pieces {
				region[p] += pad8(int(bitutil.BytesForBits(int64(rows[p]))))
			}
		}
		clear(cur)
		switch width := w.widths[c]; width {
		case widthString:
			offs, data := w.offs[c], w.data[c]
			ov := make([][]int32, np)
			dv := make([][]byte, np)
			for p := range pieces {
				n := rows[p]
				ov[p] = arrow.Int32Traits.CastFromBytes(pieces[p].data[region[p] : region[p]+4*(n+1)])
				d := region[p] + pad8(4*(n+1))
				dv[p] = pieces[p].data[d : d+int(strLens[c][p])]
			}
			end := make([]int32, np)
			for i, p := range pid {
				o := end[p]
				ov[p][cur[p]] = o
				cur[p]++
				lo, hi := offs[i], offs[i+1]
				if d := dv[p]; hi-lo <= 8 && int(o)+8 <= len(d) && int(lo)+8 <= len(data) {
					// A short string as one 8-byte load and store: the
					// bytes past it are overwritten by the piece's next
					// strings (the last ones of a piece take the copy).
					binary.LittleEndian.PutUint64(d[o:], binary.LittleEndian.Uint64(data[lo:]))
					end[p] = o + hi - lo
					continue
				}
				end[p] = o + int32(copy(dv[p][o:], data[lo:hi]))
			}
			for p := range pieces {
				ov[p][rows[p]] = end[p]
			}
		case widthBool:
			scatterBits(pieces, region, pid, cur, col.(*array.Boolean).Value)
		case 8:
			scatter(arrow.Int64Traits.CastFromBytes, w.data[c], pieces, region, rows, pid, cur)
		case 4:
			scatter(arrow.Int32Traits.CastFromBytes, w.data[c], pieces, region, rows, pid, cur)
		default:
			wd := int(width)
			src := w.data[c]
			for i, p := range pid {
				o := region[p] + int(cur[p])*wd
				copy(pieces[p].data[o:o+wd], src[i*wd:(i+1)*wd])
				cur[p]++
			}
		}
	}
	return pieces, nil
}

// scatterBits sets, in each piece's bitmap at its region, the bit of each
// of its rows for which set is true (row i is piece pid[i]'s next). cur
// counts each piece's rows and starts at zero.
func scatterBits(pieces []outPiece, region []int, pid, cur []int32, set func(int) bool) {
	clear(cur)
	bms := make([][]byte, len(pieces))
	for p := range pieces {
		bms[p] = pieces[p].data[region[p]:]
	}
	for i, p := range pid {
		if set(i) {
			bitutil.SetBit(bms[p], int(cur[p]))
		}
		cur[p]++
	}
}

// scatter copies values of a fixed-width column (src's bytes, viewed as
// []T by view) to their pieces: row i's value to piece pid[i], at the next
// place of its region.
func scatter[T int64 | int32](view func([]byte) []T, src []byte, pieces []outPiece, region, rows []int, pid, cur []int32) {
	vals := view(src)
	var zero T
	width := int(unsafe.Sizeof(zero))
	dst := make([][]T, len(pieces))
	for p := range pieces {
		dst[p] = view(pieces[p].data[region[p] : region[p]+width*rows[p]])
	}
	for i, p := range pid {
		dst[p][cur[p]] = vals[i]
		cur[p]++
	}
}

// pieceColumn is one column of a parsed piece.
type pieceColumn struct {
	validity []byte // nil: no nulls
	values   []byte // fixed values, a bitmap, or string offsets
	data     []byte // string bytes
}

// parsedPiece is a piece's rows and columns, sharing its bytes.
type parsedPiece struct {
	rows int
	cols []pieceColumn
}

var errShortPiece = errors.New("the piece is shorter than its header says")

// parsePiece reads a piece's layout and checks it against the widths of
// the output's schema.
func parsePiece(b []byte, widths []uint32) (parsedPiece, error) {
	if len(b) < headerBytes || !isPiece(b) {
		return parsedPiece{}, errors.New("not a shuffle piece")
	}
	ncols := int(binary.LittleEndian.Uint32(b[4:]))
	rows64 := binary.LittleEndian.Uint64(b[8:])
	if ncols != len(widths) {
		return parsedPiece{}, fmt.Errorf("the piece has %d columns, the schema %d", ncols, len(widths))
	}
	if rows64 > math.MaxInt32 {
		return parsedPiece{}, fmt.Errorf("the piece claims %d rows", rows64)
	}
	n := int(rows64)
	pos := headerBytes + columnHeader*ncols
	if len(b) < pos {
		return parsedPiece{}, errShortPiece
	}
	take := func(k int) ([]byte, error) {
		if k < 0 || pos+k > len(b) {
			return nil, errShortPiece
		}
		s := b[pos : pos+k]
		pos = min(pos+pad8(k), len(b))
		return s, nil
	}
	p := parsedPiece{rows: n, cols: make([]pieceColumn, ncols)}
	bitmapLen := int(bitutil.BytesForBits(int64(n)))
	for i := range ncols {
		h := b[headerBytes+columnHeader*i:]
		flags, width := binary.LittleEndian.Uint32(h), binary.LittleEndian.Uint32(h[4:])
		strLen := binary.LittleEndian.Uint64(h[8:])
		if width != widths[i] {
			return parsedPiece{}, fmt.Errorf("column %d has width code %d in the piece, %d in the schema", i, width, widths[i])
		}
		c := &p.cols[i]
		var err error
		if flags&flagValidity != 0 {
			if c.validity, err = take(bitmapLen); err != nil {
				return parsedPiece{}, err
			}
		}
		switch width {
		case widthString:
			if strLen > math.MaxInt32 {
				return parsedPiece{}, fmt.Errorf("column %d claims %d bytes of strings", i, strLen)
			}
			if c.values, err = take(4 * (n + 1)); err != nil {
				return parsedPiece{}, err
			}
			if c.data, err = take(int(strLen)); err != nil {
				return parsedPiece{}, err
			}
			if end := binary.LittleEndian.Uint32(c.values[4*n:]); uint64(end) != strLen || binary.LittleEndian.Uint32(c.values) != 0 {
				return parsedPiece{}, fmt.Errorf("column %d's string offsets do not span its %d bytes", i, strLen)
			}
		case widthBool:
			if c.values, err = take(bitmapLen); err != nil {
				return parsedPiece{}, err
			}
		default:
			if c.values, err = take(n * int(width)); err != nil {
				return parsedPiece{}, err
			}
		}
	}
	return p, nil
}

// assemble joins pieces, in their order, into one record of schema s
// (whose columns all fit the piece layout).
func assemble(s *arrow.Schema, raw [][]byte) (arrow.RecordBatch, error) {
	widths := make([]uint32, s.NumFields())
	for i, f := range s.Fields() {
		widths[i], _ = plainWidth(f.Type)
	}
	pieces := make([]parsedPiece, len(raw))
	rows := 0
	for i, b := range raw {
		p, err := parsePiece(b, widths)
		if err != nil {
			return nil, fmt.Errorf("shuffle: piece %d of %d: %w", i+1, len(raw), err)
		}
		pieces[i] = p
		rows += p.rows
	}
	cols := make([]arrow.Array, s.NumFields())
	for i, f := range s.Fields() {
		c, err := assembleColumn(f.Type, widths[i], pieces, i, rows)
		if err != nil {
			for _, c := range cols[:i] {
				c.Release()
			}
			return nil, fmt.Errorf("shuffle: column %q: %w", f.Name, err)
		}
		cols[i] = c
	}
	return array.NewRecordBatch(s, cols, int64(rows)), nil
}

// assembleColumn builds column i of the output from the pieces.
func assembleColumn(t arrow.DataType, width uint32, pieces []parsedPiece, i, rows int) (arrow.Array, error) {
	var validity []byte
	nulls := 0
	for _, p := range pieces {
		if p.cols[i].validity != nil {
			validity = make([]byte, bitutil.BytesForBits(int64(rows)))
			break
		}
	}
	if validity != nil {
		at := 0
		for _, p := range pieces {
			if v := p.cols[i].validity; v != nil {
				bitutil.CopyBitmap(v, 0, p.rows, validity, at)
			} else {
				bitutil.SetBitsTo(validity, int64(at), int64(p.rows), true)
			}
			at += p.rows
		}
		nulls = rows - bitutil.CountSetBits(validity, 0, rows)
	}
	bitmap := func() *memory.Buffer {
		if validity == nil {
			return nil
		}
		return memory.NewBufferBytes(validity)
	}
	var bufs []*memory.Buffer
	switch width {
	case widthString:
		total := 0
		for _, p := range pieces {
			total += len(p.cols[i].data)
		}
		if total > math.MaxInt32 {
			return nil, fmt.Errorf("its strings take %d bytes, more than an Arrow string column holds (2 GiB)", total)
		}
		offs := make([]int32, rows+1)
		data := make([]byte, total)
		at, base := 0, int32(0)
		for _, p := range pieces {
			c := p.cols[i]
			dst := arrow.Int32Traits.CastToBytes(offs[at : at+p.rows])
			copy(dst, c.values[:4*p.rows])
			if base != 0 {
				for k := at; k < at+p.rows; k++ {
					offs[k] += base
				}
			}
			copy(data[base:], c.data)
			at += p.rows
			base += int32(len(c.data))
		}
		offs[rows] = base
		for k := 1; k <= rows; k++ {
			if offs[k] < offs[k-1] {
				return nil, errors.New("a piece's string offsets go backwards")
			}
		}
		bufs = []*memory.Buffer{bitmap(), memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offs)), memory.NewBufferBytes(data)}
	case widthBool:
		vals := make([]byte, bitutil.BytesForBits(int64(rows)))
		at := 0
		for _, p := range pieces {
			bitutil.CopyBitmap(p.cols[i].values, 0, p.rows, vals, at)
			at += p.rows
		}
		bufs = []*memory.Buffer{bitmap(), memory.NewBufferBytes(vals)}
	default:
		vals := make([]byte, rows*int(width))
		at := 0
		for _, p := range pieces {
			at += copy(vals[at:], p.cols[i].values)
		}
		bufs = []*memory.Buffer{bitmap(), memory.NewBufferBytes(vals)}
	}
	d := array.NewData(t, rows, bufs, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d), nil
}
