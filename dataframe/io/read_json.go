package io

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	stdio "io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// jsonSampleLines is how many lines of each file's start type inference
// reads.
const jsonSampleLines = 1000

// The kinds of JSON columns.
const (
	jsonInt     = "int64"
	jsonFloat   = "float64"
	jsonBool    = "bool"
	jsonString  = "string"
	jsonTime    = "timestamp"    // "2006-01-02T15:04:05.999999", no zone
	jsonTimeUTC = "timestamp-tz" // RFC 3339, with a zone, kept as UTC
	jsonDate    = "date"         // "2006-01-02"
)

// JSONSplit is one partition of a newline-delimited JSON file: the lines
// that start in the byte range [Start, End).
type JSONSplit struct {
	Path       string
	Start, End int64
	Names      []string // the columns, in order
	Kinds      []string // each column's kind
	Inferred   string   // how the kinds were found, for errors
	// Read are the indexes in Names of the columns to read, in order;
	// nil reads them all. The keys of the others are still checked to be
	// columns, their values skipped.
	Read []int
}

// JSONError is a line of a JSON file that cannot be read: it names the
// file, the line and, when one is at fault, the key.
type JSONError struct {
	Path string
	Line int64
	Key  string
	Msg  string
}

// Error names the file, the line and (when known) the key.
func (e *JSONError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("read_json: %s line %d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("read_json: %s line %d, key %q: %s", e.Path, e.Line, e.Key, e.Msg)
}

// JSONPlan is how the files a pattern names are read.
type JSONPlan struct {
	Files  int
	Bytes  int64
	Schema *arrow.Schema
	Splits []JSONSplit
}

// PlanJSON finds the files that match pattern (in name order), infers the
// columns from the first lines of every file (or takes schema's) and cuts
// the files into splits of at most blockSize bytes.
func PlanJSON(pattern string, schema *arrow.Schema, blockSize int64) (*JSONPlan, error) {
	files, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("bad pattern %q: %w", pattern, err)
	}
	slices.Sort(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("no file matches %q", pattern)
	}
	var names, kinds []string
	inferred := "the schema given"
	if schema != nil {
		for _, f := range schema.Fields() {
			k, err := jsonKindOf(f.Type)
			if err != nil {
				return nil, fmt.Errorf("column %q: %w", f.Name, err)
			}
			names, kinds = append(names, f.Name), append(kinds, k)
		}
	} else {
		inferred = fmt.Sprintf("the first %d lines of each file", jsonSampleLines)
		where := map[string]string{} // column -> where its kind was decided
		for _, path := range files {
			if names, kinds, err = sampleJSON(path, names, kinds, where); err != nil {
				return nil, err
			}
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("the files of %q hold no JSON object with keys in their first %d lines; give the schema with dataframe.JSONSchema", pattern, jsonSampleLines)
		}
		for i, k := range kinds {
			if k == "" {
				kinds[i] = jsonString // null in every line read
			}
		}
	}
	p := &JSONPlan{Files: len(files)}
	fields := make([]arrow.Field, len(names))
	for i := range names {
		fields[i] = arrow.Field{Name: names[i], Type: jsonArrowType(kinds[i]), Nullable: true}
	}
	p.Schema = arrow.NewSchema(fields, nil)
	for _, path := range files {
		st, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		p.Bytes += st.Size()
		for start := int64(0); start < st.Size() || start == 0; start += blockSize {
			p.Splits = append(p.Splits, JSONSplit{Path: path, Start: start, End: min(start+blockSize, st.Size()), Names: names, Kinds: kinds, Inferred: inferred})
			if st.Size() == 0 {
				break
			}
		}
	}
	return p, nil
}

func jsonKindOf(t arrow.DataType) (string, error) {
	switch t.ID() {
	case arrow.INT64:
		return jsonInt, nil
	case arrow.FLOAT64:
		return jsonFloat, nil
	case arrow.BOOL:
		return jsonBool, nil
	case arrow.STRING:
		return jsonString, nil
	case arrow.DATE32:
		return jsonDate, nil
	case arrow.TIMESTAMP:
		ts := t.(*arrow.TimestampType)
		switch {
		case ts.Unit != arrow.Microsecond:
		case ts.TimeZone == "":
			return jsonTime, nil
		case ts.TimeZone == "UTC":
			return jsonTimeUTC, nil
		}
	}
	return "", fmt.Errorf("JSON columns are int64, float64, bool, string, date32 or timestamp[us] (without a zone, or UTC), not %s", t)
}

func jsonArrowType(k string) arrow.DataType {
	switch k {
	case jsonInt:
		return arrow.PrimitiveTypes.Int64
	case jsonFloat:
		return arrow.PrimitiveTypes.Float64
	case jsonBool:
		return arrow.FixedWidthTypes.Boolean
	case jsonDate:
		return arrow.FixedWidthTypes.Date32
	case jsonTime:
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	case jsonTimeUTC:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	}
	return arrow.BinaryTypes.String
}

// sampleJSON reads the first lines of path, adding the keys it finds to
// names (in order of appearance) and merging their kinds.
func sampleJSON(path string, names, kinds []string, where map[string]string) ([]string, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	for line := int64(1); line <= jsonSampleLines; line++ {
		b, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			keys, vals, perr := splitObject(b)
			if perr != nil {
				return nil, nil, &JSONError{Path: path, Line: line, Msg: perr.Error()}
			}
			for j, key := range keys {
				k := valueKind(vals[j])
				i := slices.Index(names, key)
				if i < 0 {
					names, kinds = append(names, key), append(kinds, "")
					i = len(names) - 1
				}
				if k == "" {
					continue
				}
				m, ok := mergeJSONKinds(kinds[i], k)
				if !ok {
					return nil, nil, fmt.Errorf("key %q is %s in %s but %s in %s line %d (%s); give the schema with dataframe.JSONSchema, or fix the files",
						key, kinds[i], where[key], k, path, line, vals[j])
				}
				if m != kinds[i] {
					kinds[i] = m
					where[key] = fmt.Sprintf("%s line %d (%s)", path, line, vals[j])
				}
			}
		}
		if errors.Is(err, stdio.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
	}
	return names, kinds, nil
}

// splitObject reads a line that holds one JSON object: its keys and raw
// values, in order.
func splitObject(line []byte) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	t, err := dec.Token()
	if err != nil {
		return nil, nil, fmt.Errorf("not JSON: %v", err)
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return nil, nil, fmt.Errorf("not a JSON object: each line must hold one object, such as {\"a\": 1}")
	}
	var keys []string
	var vals []json.RawMessage
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("not JSON: %v", err)
		}
		key, _ := t.(string)
		if slices.Contains(keys, key) {
			return nil, nil, fmt.Errorf("key %q appears twice", key)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, fmt.Errorf("not JSON: %v", err)
		}
		keys, vals = append(keys, key), append(vals, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, fmt.Errorf("not JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, stdio.EOF) {
		return nil, nil, fmt.Errorf("more than one JSON value; each line must hold one object")
	}
	return keys, vals, nil
}

// valueKind is the kind a raw value suggests ("" for null).
func valueKind(v json.RawMessage) string {
	switch v[0] {
	case 'n':
		return ""
	case 't', 'f':
		return jsonBool
	case '"':
		var s string
		if json.Unmarshal(v, &s) == nil {
			if _, err := time.Parse(time.DateOnly, s); err == nil {
				return jsonDate
			}
			if _, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
				return jsonTime
			}
			if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return jsonTimeUTC
			}
		}
		return jsonString
	case '{', '[':
		return jsonString
	}
	if bytes.ContainsAny(v, ".eE") {
		return jsonFloat
	}
	if _, err := strconv.ParseInt(string(v), 10, 64); err != nil {
		return jsonFloat
	}
	return jsonInt
}

// mergeJSONKinds returns the kind of a column seen as a and as b.
func mergeJSONKinds(a, b string) (string, bool) {
	switch {
	case a == "" || a == b:
		return b, true
	case (a == jsonInt && b == jsonFloat) || (a == jsonFloat && b == jsonInt):
		return jsonFloat, true
	case stringy(a) && stringy(b):
		// Dates, times and other strings: strings.
		return jsonString, true
	}
	return "", false
}

// stringy reports whether a kind is read from JSON strings.
func stringy(k string) bool {
	return k == jsonString || k == jsonDate || k == jsonTime || k == jsonTimeUTC
}

// ReadJSONSplit reads the lines of a split into one record.
func ReadJSONSplit(ctx context.Context, sp JSONSplit) (arrow.RecordBatch, error) {
	f, err := os.Open(sp.Path)
	if err != nil {
		return nil, fmt.Errorf("read_json: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read_json: %w", err)
	}
	data, off, err := readSplitBytes(f, st.Size(), &CSVSplit{Path: sp.Path, Start: sp.Start, End: sp.End})
	if err != nil {
		return nil, fmt.Errorf("read_json: reading %s: %w", sp.Path, err)
	}
	read := sp.Read
	if read == nil {
		read = make([]int, len(sp.Names))
		for i := range read {
			read[i] = i
		}
	}
	// out[i] is column i's place among the columns read, or -1.
	out := make([]int, len(sp.Names))
	for i := range out {
		out[i] = -1
	}
	fields := make([]arrow.Field, len(read))
	for j, i := range read {
		fields[j] = arrow.Field{Name: sp.Names[i], Type: jsonArrowType(sp.Kinds[i]), Nullable: true}
		out[i] = j
	}
	b := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
	defer b.Release()
	index := make(map[string]int, len(sp.Names))
	for i, n := range sp.Names {
		index[n] = i
	}
	set := make([]bool, len(read))
	lines := int64(0)
	fail := func(key, msg string) error {
		return &JSONError{Path: sp.Path, Line: linesBefore(sp.Path, off) + lines + 1, Key: key, Msg: msg}
	}
	for len(data) > 0 {
		if lines%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			lines++
			continue
		}
		keys, vals, err := splitObject(line)
		if err != nil {
			return nil, fail("", err.Error())
		}
		clear(set)
		for j, key := range keys {
			i, ok := index[key]
			if !ok {
				return nil, fail(key, fmt.Sprintf("not a column (the columns are %s, from %s); give the schema with dataframe.JSONSchema, or fix the file", quoteList(sp.Names), sp.Inferred))
			}
			o := out[i]
			if o < 0 {
				continue
			}
			if err := appendJSON(b.Field(o), sp.Kinds[i], vals[j]); err != nil {
				return nil, fail(key, fmt.Sprintf("%v (the column's type is from %s; give the schema with dataframe.JSONSchema, or fix the file)", err, sp.Inferred))
			}
			set[o] = true
		}
		for i, ok := range set {
			if !ok {
				b.Field(i).AppendNull()
			}
		}
		lines++
	}
	return b.NewRecordBatch(), nil
}

// appendJSON appends a raw value to a column of kind k, or says why it
// does not fit (no value is converted with a loss).
func appendJSON(b array.Builder, k string, v json.RawMessage) error {
	if v[0] == 'n' {
		b.AppendNull()
		return nil
	}
	bad := func() error { return fmt.Errorf("%s is not a %s", v, k) }
	switch k {
	case jsonInt:
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return bad()
		}
		b.(*array.Int64Builder).Append(n)
	case jsonFloat:
		if v[0] != '-' && (v[0] < '0' || v[0] > '9') {
			return bad()
		}
		x, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return bad()
		}
		b.(*array.Float64Builder).Append(x)
	case jsonBool:
		switch string(v) {
		case "true":
			b.(*array.BooleanBuilder).Append(true)
		case "false":
			b.(*array.BooleanBuilder).Append(false)
		default:
			return bad()
		}
	case jsonString:
		if v[0] != '"' {
			// A nested value or a number is kept as its JSON text.
			var buf bytes.Buffer
			if err := json.Compact(&buf, v); err != nil {
				return err
			}
			b.(*array.StringBuilder).Append(buf.String())
			return nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return err
		}
		b.(*array.StringBuilder).Append(s)
	case jsonDate, jsonTime, jsonTimeUTC:
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return bad()
		}
		layout := map[string]string{jsonDate: time.DateOnly, jsonTime: "2006-01-02T15:04:05.999999999", jsonTimeUTC: time.RFC3339Nano}[k]
		t, err := time.Parse(layout, s)
		if err != nil {
			return fmt.Errorf("%s is not a %s (%s)", v, k, layout)
		}
		if k == jsonDate {
			b.(*array.Date32Builder).Append(arrow.Date32FromTime(t))
		} else {
			if t.Nanosecond()%1000 != 0 {
				return fmt.Errorf("%s has nanoseconds; timestamps hold microseconds", v)
			}
			b.(*array.TimestampBuilder).Append(arrow.Timestamp(t.UnixMicro()))
		}
	default:
		return fmt.Errorf("a column of kind %q", k)
	}
	return nil
}

// linesBefore counts the lines of the file before byte off (on the error
// path only).
func linesBefore(path string, off int64) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := int64(0)
	buf := make([]byte, 1<<20)
	for read := int64(0); read < off; {
		m, err := f.ReadAt(buf[:min(int64(len(buf)), off-read)], read)
		n += int64(bytes.Count(buf[:m], []byte{'\n'}))
		read += int64(m)
		if err != nil || m == 0 {
			break
		}
	}
	return n
}
