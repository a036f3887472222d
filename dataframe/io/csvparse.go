package io

import (
	"bytes"
	"errors"
	"fmt"
	stdio "io"
	"math"
	"os"
	"strconv"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The column kinds the CSV reader reads and infers.
const (
	kindInt64     = "int64"
	kindInt32     = "int32"
	kindFloat64   = "float64"
	kindFloat32   = "float32"
	kindBool      = "bool"
	kindDate      = "date32"
	kindTimestamp = "timestamp[us]"
	kindString    = "string"
)

// csvKindOf maps an Arrow type of a given schema to a CSV column kind.
func csvKindOf(t arrow.DataType) (string, error) {
	switch t.ID() {
	case arrow.INT64:
		return kindInt64, nil
	case arrow.INT32:
		return kindInt32, nil
	case arrow.FLOAT64:
		return kindFloat64, nil
	case arrow.FLOAT32:
		return kindFloat32, nil
	case arrow.BOOL:
		return kindBool, nil
	case arrow.DATE32:
		return kindDate, nil
	case arrow.TIMESTAMP:
		return kindTimestamp, nil
	case arrow.STRING:
		return kindString, nil
	}
	return "", fmt.Errorf("the CSV reader reads int64, int32, float64, float32, bool, date32, timestamp and string columns, not %s", t)
}

func arrowTypeOfKind(k string) arrow.DataType {
	switch k {
	case kindInt64:
		return arrow.PrimitiveTypes.Int64
	case kindInt32:
		return arrow.PrimitiveTypes.Int32
	case kindFloat64:
		return arrow.PrimitiveTypes.Float64
	case kindFloat32:
		return arrow.PrimitiveTypes.Float32
	case kindBool:
		return arrow.FixedWidthTypes.Boolean
	case kindDate:
		return arrow.FixedWidthTypes.Date32
	case kindTimestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	}
	return arrow.BinaryTypes.String
}

// CSVSplit is one partition of a CSV file: the rows that start in the
// byte range [Start, End).
type CSVSplit struct {
	Path      string
	Start     int64
	End       int64
	Header    bool     // the file's first line names the columns
	Names     []string // every column of the file
	Kinds     []string // every column's kind
	Read      []int    // the columns to read, in order (nil: all)
	Delim     byte
	Inferred  []string // where each column's kind was decided, for errors
	BlockSize int64
}

// CSVError is a row of a CSV file that cannot be read: it names the file,
// the line and the column.
type CSVError struct {
	Path   string
	Line   int64
	Column string // "" when the row as a whole is wrong
	Msg    string
}

// Error names the file, the line and (when known) the column.
func (e *CSVError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("read_csv: %s line %d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("read_csv: %s line %d, column %q: %s", e.Path, e.Line, e.Column, e.Msg)
}

// readSplitBytes reads the bytes of a split's rows: from the first row that
// starts at or after Start to the end of the row that starts before End.
// It returns them and the file offset of their first byte.
func readSplitBytes(f *os.File, size int64, sp *CSVSplit) ([]byte, int64, error) {
	start := sp.Start
	if start > 0 {
		start-- // to see whether a row starts exactly at Start
	}
	end := min(sp.End, size)
	buf := make([]byte, end-start, end-start+64<<10)
	if _, err := f.ReadAt(buf, start); err != nil && !errors.Is(err, stdio.EOF) {
		return nil, 0, err
	}
	// Finish the last row, which may run past End.
	for end < size && (len(buf) == 0 || buf[len(buf)-1] != '\n') {
		more := make([]byte, min(64<<10, size-end))
		n, err := f.ReadAt(more, end)
		if err != nil && !errors.Is(err, stdio.EOF) {
			return nil, 0, err
		}
		if i := bytes.IndexByte(more[:n], '\n'); i >= 0 {
			buf = append(buf, more[:i+1]...)
			end += int64(i + 1)
			break
		}
		buf = append(buf, more[:n]...)
		end += int64(n)
	}
	off := start
	if sp.Start > 0 {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			return nil, end, nil // no row starts in this split
		}
		buf = buf[i+1:]
		off += int64(i + 1)
		if off >= sp.End {
			return nil, off, nil
		}
	} else if sp.Header {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			return nil, size, nil
		}
		buf = buf[i+1:]
		off += int64(i + 1)
	}
	return buf, off, nil
}

// parseCSV parses a split's bytes into a record.
func parseCSV(sp *CSVSplit, data []byte, off int64) (arrow.RecordBatch, error) {
	read := sp.Read
	if read == nil {
		read = make([]int, len(sp.Names))
		for i := range read {
			read[i] = i
		}
	}
	// Which builder, if any, each field of a row goes to.
	target := make([]int, len(sp.Names))
	for i := range target {
		target[i] = -1
	}
	cols := make([]colBuilder, len(read))
	est := len(data)/64 + 16
	for j, i := range read {
		target[i] = j
		cols[j] = newColBuilder(sp.Kinds[i], est)
	}
	p := &csvRowParser{delim: sp.Delim, fields: make([][]byte, 0, len(sp.Names))}
	var line int64 // lines consumed, from the split's first byte
	pos := 0
	for pos < len(data) {
		fields, next, lines, err := p.row(data, pos)
		if err != nil {
			return nil, sp.errorAt(off, line, "", err.Error())
		}
		rowLine := line
		line += lines
		pos = next
		if len(fields) == 1 && len(fields[0]) == 0 {
			continue // a blank line
		}
		if len(fields) != len(sp.Names) {
			return nil, sp.errorAt(off, rowLine, "", fmt.Sprintf("%d fields, but the header has %d (%s)", len(fields), len(sp.Names), quoteList(sp.Names)))
		}
		for i, f := range fields {
			j := target[i]
			if j < 0 {
				continue
			}
			if err := cols[j].add(f); err != nil {
				msg := fmt.Sprintf("cannot read %q as %s", f, sp.Kinds[i])
				if sp.Inferred != nil && sp.Inferred[i] != "" {
					msg += fmt.Sprintf(" (the type %s was inferred from %s; give the schema with dataframe.CSVSchema to read it otherwise)", sp.Kinds[i], sp.Inferred[i])
				}
				return nil, sp.errorAt(off, rowLine, sp.Names[i], msg)
			}
		}
	}
	fields := make([]arrow.Field, len(read))
	arrs := make([]arrow.Array, len(read))
	var rows int64
	for j, i := range read {
		fields[j] = arrow.Field{Name: sp.Names[i], Type: arrowTypeOfKind(sp.Kinds[i]), Nullable: true}
		arrs[j] = cols[j].finish()
		rows = int64(arrs[j].Len())
	}
	if len(read) == 0 {
		return nil, errors.New("read_csv: no columns to read")
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, rows), nil
}

// errorAt builds the error of the row that starts lines lines after the
// split's first byte (at file offset off); it counts the file's lines
// before off to name the line (only on this error path).
func (sp *CSVSplit) errorAt(off, lines int64, col, msg string) error {
	before := int64(0)
	if f, err := os.Open(sp.Path); err == nil {
		buf := make([]byte, 1<<20)
		for read := int64(0); read < off; {
			n, err := f.ReadAt(buf[:min(int64(len(buf)), off-read)], read)
			before += int64(bytes.Count(buf[:n], []byte{'\n'}))
			read += int64(n)
			if err != nil || n == 0 {
				break
			}
		}
		f.Close()
	}
	return &CSVError{Path: sp.Path, Line: before + lines + 1, Column: col, Msg: msg}
}

// csvRowParser splits rows into fields.
type csvRowParser struct {
	delim  byte
	fields [][]byte
}

// row splits the row at data[pos:] into fields and returns them, the
// position after the row, and how many lines it spans. Fields are slices
// of data, except quoted fields with doubled quotes, which are copies.
func (p *csvRowParser) row(data []byte, pos int) ([][]byte, int, int64, error) {
	p.fields = p.fields[:0]
	nl := bytes.IndexByte(data[pos:], '\n')
	end := len(data)
	if nl >= 0 {
		end = pos + nl
	}
	line := data[pos:end]
	if bytes.IndexByte(line, '"') < 0 {
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		for {
			i := bytes.IndexByte(line, p.delim)
			if i < 0 {
				p.fields = append(p.fields, line)
				break
			}
			p.fields = append(p.fields, line[:i])
			line = line[i+1:]
		}
		return p.fields, min(end+1, len(data)), 1, nil
	}
	return p.quotedRow(data, pos)
}

// quotedRow splits a row that has quotes; a quoted field may hold the
// delimiter, doubled quotes and newlines.
func (p *csvRowParser) quotedRow(data []byte, pos int) ([][]byte, int, int64, error) {
	lines := int64(1)
	i := pos
	for {
		if i < len(data) && data[i] == '"' {
			// A quoted field.
			var val []byte
			j := i + 1
			copied := false
			for {
				k := bytes.IndexByte(data[j:], '"')
				if k < 0 {
					return nil, 0, lines, errors.New("a quoted field has no closing quote")
				}
				lines += int64(bytes.Count(data[j:j+k], []byte{'\n'}))
				if j+k+1 < len(data) && data[j+k+1] == '"' {
					if !copied {
						val = append([]byte(nil), data[i+1:j+k]...)
						copied = true
					} else {
						val = append(val, data[j:j+k]...)
					}
					val = append(val, '"')
					j += k + 2
					continue
				}
				if copied {
					val = append(val, data[j:j+k]...)
				} else {
					val = data[i+1 : j+k]
				}
				j += k + 1
				break
			}
			p.fields = append(p.fields, val)
			i = j
			if i < len(data) && data[i] == '\r' {
				i++
			}
			switch {
			case i >= len(data):
				return p.fields, i, lines, nil
			case data[i] == '\n':
				return p.fields, i + 1, lines, nil
			case data[i] == p.delim:
				i++
				if i >= len(data) || data[i] == '\n' || data[i] == '\r' {
					p.fields = append(p.fields, nil)
					for i < len(data) && data[i] != '\n' {
						i++
					}
					return p.fields, min(i+1, len(data)), lines, nil
				}
				continue
			default:
				return nil, 0, lines, fmt.Errorf("unexpected %q after a quoted field", data[i])
			}
		}
		// An unquoted field.
		j := i
		for j < len(data) && data[j] != p.delim && data[j] != '\n' {
			j++
		}
		f := data[i:j]
		if n := len(f); n > 0 && f[n-1] == '\r' && (j >= len(data) || data[j] == '\n') {
			f = f[:n-1]
		}
		p.fields = append(p.fields, f)
		if j >= len(data) {
			return p.fields, j, lines, nil
		}
		if data[j] == '\n' {
			return p.fields, j + 1, lines, nil
		}
		i = j + 1
		if i >= len(data) || data[i] == '\n' {
			p.fields = append(p.fields, nil)
			return p.fields, min(i+1, len(data)), lines, nil
		}
	}
}

// colBuilder accumulates one column's values.
type colBuilder interface {
	add(field []byte) error
	finish() arrow.Array
}

func newColBuilder(kind string, est int) colBuilder {
	switch kind {
	case kindInt64:
		return &intCol{vals: make([]int64, 0, est), width: 64}
	case kindInt32:
		return &intCol{vals: make([]int64, 0, est), width: 32}
	case kindFloat64:
		return &floatCol{vals: make([]float64, 0, est)}
	case kindFloat32:
		return &floatCol{vals: make([]float64, 0, est), f32: true}
	case kindBool:
		return &boolCol{}
	case kindDate:
		return &timeCol{date: true}
	case kindTimestamp:
		return &timeCol{}
	}
	return &stringCol{offsets: append(make([]int32, 0, est+1), 0), data: make([]byte, 0, est*8)}
}

// validity tracks nulls: nil until the first null.
type validity struct {
	nulls []int // row numbers of nulls
}

func (v *validity) null(row int) { v.nulls = append(v.nulls, row) }

func (v *validity) bitmap(n int) *memory.Buffer {
	if len(v.nulls) == 0 {
		return nil
	}
	b := make([]byte, bitutil.BytesForBits(int64(n)))
	bitutil.SetBitsTo(b, 0, int64(n), true)
	for _, r := range v.nulls {
		bitutil.ClearBit(b, r)
	}
	return memory.NewBufferBytes(b)
}

type intCol struct {
	validity
	vals  []int64
	width int
}

func (c *intCol) add(f []byte) error {
	if len(f) == 0 {
		c.null(len(c.vals))
		c.vals = append(c.vals, 0)
		return nil
	}
	v, ok := parseInt(f)
	if !ok || (c.width == 32 && (v > math.MaxInt32 || v < math.MinInt32)) {
		return errors.New("not an integer")
	}
	c.vals = append(c.vals, v)
	return nil
}

func (c *intCol) finish() arrow.Array {
	n := len(c.vals)
	if c.width == 32 {
		v32 := make([]int32, n)
		for i, v := range c.vals {
			v32[i] = int32(v)
		}
		data := array.NewData(arrow.PrimitiveTypes.Int32, n, []*memory.Buffer{c.bitmap(n), memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(v32))}, nil, len(c.nulls), 0)
		defer data.Release()
		return array.NewInt32Data(data)
	}
	data := array.NewData(arrow.PrimitiveTypes.Int64, n, []*memory.Buffer{c.bitmap(n), memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(c.vals))}, nil, len(c.nulls), 0)
	defer data.Release()
	return array.NewInt64Data(data)
}

// parseInt reads a decimal integer with an optional sign.
func parseInt(f []byte) (int64, bool) {
	neg := false
	i := 0
	if f[0] == '-' || f[0] == '+' {
		neg = f[0] == '-'
		i = 1
		if len(f) == 1 {
			return 0, false
		}
	}
	if len(f)-i > 18 {
		v, err := strconv.ParseInt(unsafeString(f), 10, 64)
		return v, err == nil
	}
	var v int64
	for ; i < len(f); i++ {
		d := f[i] - '0'
		if d > 9 {
			return 0, false
		}
		v = v*10 + int64(d)
	}
	if neg {
		v = -v
	}
	return v, true
}

type floatCol struct {
	validity
	vals []float64
	f32  bool
}

func (c *floatCol) add(f []byte) error {
	if len(f) == 0 {
		c.null(len(c.vals))
		c.vals = append(c.vals, 0)
		return nil
	}
	v, err := parseFloat(unsafeString(f))
	if err != nil {
		var ne *strconv.NumError
		if !errors.As(err, &ne) || ne.Err != strconv.ErrRange {
			return err
		}
	}
	c.vals = append(c.vals, v)
	return nil
}

func (c *floatCol) finish() arrow.Array {
	n := len(c.vals)
	if c.f32 {
		v32 := make([]float32, n)
		for i, v := range c.vals {
			v32[i] = float32(v)
		}
		data := array.NewData(arrow.PrimitiveTypes.Float32, n, []*memory.Buffer{c.bitmap(n), memory.NewBufferBytes(arrow.Float32Traits.CastToBytes(v32))}, nil, len(c.nulls), 0)
		defer data.Release()
		return array.NewFloat32Data(data)
	}
	data := array.NewData(arrow.PrimitiveTypes.Float64, n, []*memory.Buffer{c.bitmap(n), memory.NewBufferBytes(arrow.Float64Traits.CastToBytes(c.vals))}, nil, len(c.nulls), 0)
	defer data.Release()
	return array.NewFloat64Data(data)
}

type stringCol struct {
	validity
	offsets []int32
	data    []byte
}

func (c *stringCol) add(f []byte) error {
	row := len(c.offsets) - 1
	if len(f) == 0 {
		c.null(row)
	}
	if len(c.data)+len(f) > math.MaxInt32 {
		return errors.New("the partition's strings pass 2 GiB; use a smaller block size")
	}
	c.data = append(c.data, f...)
	c.offsets = append(c.offsets, int32(len(c.data)))
	return nil
}

func (c *stringCol) finish() arrow.Array {
	n := len(c.offsets) - 1
	data := array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{c.bitmap(n),
		memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(c.offsets)), memory.NewBufferBytes(c.data)}, nil, len(c.nulls), 0)
	defer data.Release()
	return array.NewStringData(data)
}

type boolCol struct {
	validity
	vals []bool
}

func (c *boolCol) add(f []byte) error {
	if len(f) == 0 {
		c.null(len(c.vals))
		c.vals = append(c.vals, false)
		return nil
	}
	v, ok := parseBool(f)
	if !ok {
		return errors.New("not a bool")
	}
	c.vals = append(c.vals, v)
	return nil
}

func parseBool(f []byte) (bool, bool) {
	switch string(f) {
	case "true", "True", "TRUE":
		return true, true
	case "false", "False", "FALSE":
		return false, true
	}
	return false, false
}

func (c *boolCol) finish() arrow.Array {
	b := array.NewBooleanBuilder(mem)
	defer b.Release()
	valid := make([]bool, len(c.vals))
	for i := range valid {
		valid[i] = true
	}
	for _, r := range c.nulls {
		valid[r] = false
	}
	b.AppendValues(c.vals, valid)
	return b.NewArray()
}

type timeCol struct {
	validity
	vals []int64
	date bool
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"}

func parseTime(f []byte, date bool) (int64, bool) {
	s := unsafeString(f)
	if date {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return 0, false
		}
		return t.Unix() / 86400, true
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UnixMicro(), true
		}
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.UnixMicro(), true
	}
	return 0, false
}

func (c *timeCol) add(f []byte) error {
	if len(f) == 0 {
		c.null(len(c.vals))
		c.vals = append(c.vals, 0)
		return nil
	}
	v, ok := parseTime(f, c.date)
	if !ok {
		return errors.New("not a time")
	}
	c.vals = append(c.vals, v)
	return nil
}

func (c *timeCol) finish() arrow.Array {
	n := len(c.vals)
	if c.date {
		v32 := make([]int32, n)
		for i, v := range c.vals {
			v32[i] = int32(v)
		}
		data := array.NewData(arrow.FixedWidthTypes.Date32, n, []*memory.Buffer{c.bitmap(n), memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(v32))}, nil, len(c.nulls), 0)
		defer data.Release()
		return array.NewDate32Data(data)
	}
	data := array.NewData(&arrow.TimestampType{Unit: arrow.Microsecond}, n, []*memory.Buffer{c.bitmap(n), memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(c.vals))}, nil, len(c.nulls), 0)
	defer data.Release()
	return array.NewTimestampData(data)
}

func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// inferKind returns the narrowest kind that reads the value.
func inferKind(f []byte) string {
	if _, ok := parseInt(f); ok {
		return kindInt64
	}
	if _, err := strconv.ParseFloat(unsafeString(f), 64); err == nil {
		return kindFloat64
	}
	if _, ok := parseBool(f); ok {
		return kindBool
	}
	if _, ok := parseTime(f, true); ok {
		return kindDate
	}
	if _, ok := parseTime(f, false); ok {
		return kindTimestamp
	}
	return kindString
}

// mergeKinds returns the kind that reads values of both kinds, and whether
// that is a widening of numbers or times (not a mismatch).
func mergeKinds(a, b string) (string, bool) {
	switch {
	case a == "" || a == b:
		return b, true
	case b == "":
		return a, true
	case (a == kindInt64 && b == kindFloat64) || (a == kindFloat64 && b == kindInt64):
		return kindFloat64, true
	case (a == kindDate && b == kindTimestamp) || (a == kindTimestamp && b == kindDate):
		return kindTimestamp, true
	}
	return kindString, false
}
