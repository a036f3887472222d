package io

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	stdio "io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// csvSampleBytes is how much of each file's start type inference reads.
const csvSampleBytes = 256 << 10

// ReadCSVSplit reads the rows of a split into one record of the split's
// columns (Read, or all).
func ReadCSVSplit(ctx context.Context, sp CSVSplit) (arrow.RecordBatch, error) {
	f, err := os.Open(sp.Path)
	if err != nil {
		return nil, fmt.Errorf("read_csv: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read_csv: %w", err)
	}
	data, off, err := readSplitBytes(f, st.Size(), &sp)
	if err != nil {
		return nil, fmt.Errorf("read_csv: reading %s: %w", sp.Path, err)
	}
	return parseCSV(&sp, data, off)
}

// CSVOptions say how PlanCSV reads CSV files.
type CSVOptions struct {
	// BlockSize is the most bytes of a file one split reads; larger files
	// are cut (at row boundaries) into several splits. It must be
	// positive.
	BlockSize int64
	// Schema gives the columns' names and types; nil infers them.
	Schema *arrow.Schema
	// Delim is the field separator.
	Delim byte
}

// CSVPlan is how the files a pattern names are read: their schema and the
// splits that cut them, one partition each.
type CSVPlan struct {
	Files  int   // the files read
	Bytes  int64 // their total size
	Schema *arrow.Schema
	Splits []CSVSplit
}

// PlanCSV finds the files that match pattern (in name order), checks their
// headers, infers (or checks) the schema and cuts the files into splits.
// The first line of every file names the columns. Column types are
// inferred from the start of every file (integers, floats, bools, dates,
// timestamps, else strings), or given in o.Schema.
func PlanCSV(pattern string, o CSVOptions) (*CSVPlan, error) {
	files, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("bad pattern %q: %w", pattern, err)
	}
	slices.Sort(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("no file matches %q", pattern)
	}
	var names []string
	var kinds []string
	var dec []decided // where each kind was decided
	var headerFile string
	var total int64
	var splits []CSVSplit
	for _, path := range files {
		st, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		hdr, sample, err := csvSample(path, o.Delim)
		if err != nil {
			return nil, err
		}
		if names == nil {
			names, headerFile = hdr, path
			kinds = make([]string, len(names))
			dec = make([]decided, len(names))
		} else if !slices.Equal(hdr, names) {
			return nil, fmt.Errorf("the header of %s (%s) differs from that of %s (%s)", path, quoteList(hdr), headerFile, quoteList(names))
		}
		if o.Schema == nil {
			for i, col := range sample {
				if col.kind == "" {
					continue
				}
				k, ok := mergeKinds(kinds[i], col.kind)
				if !ok {
					d := dec[i]
					return nil, fmt.Errorf("column %q is %s in %s (line %d: %q) but %s in %s (line %d: %q); give the schema with dataframe.CSVSchema, or fix the files",
						names[i], kinds[i], d.path, d.line, d.value, col.kind, path, col.line, col.value)
				}
				if k != kinds[i] {
					kinds[i] = k
					dec[i] = decided{path: path, line: col.line, value: col.value}
				}
			}
		}
		total += st.Size()
		for start := int64(0); start < st.Size() || start == 0; start += o.BlockSize {
			splits = append(splits, CSVSplit{Path: path, Start: start, End: min(start+o.BlockSize, st.Size()), Header: true, Delim: o.Delim, BlockSize: o.BlockSize})
			if st.Size() == 0 {
				break
			}
		}
	}
	fields := make([]arrow.Field, len(names))
	if o.Schema != nil {
		if o.Schema.NumFields() != len(names) {
			have := make([]string, o.Schema.NumFields())
			for i, f := range o.Schema.Fields() {
				have[i] = f.Name
			}
			return nil, fmt.Errorf("the schema has %d columns (%s), the files %d (%s)", o.Schema.NumFields(), quoteList(have), len(names), quoteList(names))
		}
		for i, f := range o.Schema.Fields() {
			if f.Name != names[i] {
				return nil, fmt.Errorf("column %d is %q in the schema but %q in %s", i+1, f.Name, names[i], headerFile)
			}
			k, err := csvKindOf(f.Type)
			if err != nil {
				return nil, fmt.Errorf("column %q: %w", f.Name, err)
			}
			kinds[i] = k
		}
	}
	var from []string
	if o.Schema == nil {
		from = make([]string, len(names))
		for i, d := range dec {
			from[i] = headerFile
			if d.path != "" {
				from[i] = fmt.Sprintf("%s (line %d: %q)", d.path, d.line, d.value)
			}
		}
	}
	for i := range names {
		if kinds[i] == "" {
			kinds[i] = kindString
		}
		fields[i] = arrow.Field{Name: names[i], Type: arrowTypeOfKind(kinds[i]), Nullable: true}
	}
	for i := range splits {
		splits[i].Names, splits[i].Kinds, splits[i].Inferred = names, kinds, from
	}
	return &CSVPlan{Files: len(files), Bytes: total, Schema: arrow.NewSchema(fields, nil), Splits: splits}, nil
}

// decided is the sampled value that decided a column's kind.
type decided struct {
	path  string
	line  int64
	value string
}

// sampleCol is what a file's sample says of one column: its kind, and the
// first value of that kind with its line.
type sampleCol struct {
	kind  string
	line  int64
	value string
}

// csvSample reads a file's header and infers its columns' kinds from the
// rows in its first csvSampleBytes.
func csvSample(path string, delim byte) ([]string, []sampleCol, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	buf := make([]byte, csvSampleBytes)
	n, err := stdio.ReadFull(f, buf)
	if err != nil && !errors.Is(err, stdio.ErrUnexpectedEOF) && !errors.Is(err, stdio.EOF) {
		return nil, nil, err
	}
	buf = buf[:n]
	full := n < csvSampleBytes
	if !full {
		// Sample whole rows only.
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			buf = buf[:i+1]
		}
	}
	p := &csvRowParser{delim: delim}
	if len(buf) == 0 {
		return nil, nil, fmt.Errorf("read_csv: %s is empty; it needs at least a header line", path)
	}
	hdr, pos, _, err := p.row(buf, 0)
	if err != nil {
		return nil, nil, &CSVError{Path: path, Line: 1, Msg: err.Error()}
	}
	names := make([]string, len(hdr))
	for i, h := range hdr {
		names[i] = strings.TrimSpace(string(h))
		if names[i] == "" {
			names[i] = fmt.Sprintf("column%d", i)
		}
	}
	cols := make([]sampleCol, len(names))
	line := int64(2)
	for pos < len(buf) {
		fields, next, lines, err := p.row(buf, pos)
		if err != nil {
			if !full && next == 0 {
				break // a quoted field cut by the sample's end
			}
			return nil, nil, &CSVError{Path: path, Line: line, Msg: err.Error()}
		}
		pos = next
		if !(len(fields) == 1 && len(fields[0]) == 0) {
			if len(fields) != len(names) {
				return nil, nil, &CSVError{Path: path, Line: line, Msg: fmt.Sprintf("%d fields, but the header has %d (%s)", len(fields), len(names), quoteList(names))}
			}
			for i, v := range fields {
				if len(v) == 0 {
					continue
				}
				k := inferKind(v)
				m, _ := mergeKinds(cols[i].kind, k)
				if m != cols[i].kind {
					cols[i] = sampleCol{kind: m, line: line, value: string(v)}
				}
			}
		}
		line += lines
	}
	return names, cols, nil
}

func quoteList(xs []string) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%q", x)
	}
	return "[" + s + "]"
}
