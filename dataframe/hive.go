package dataframe

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/io"
)

var (
	fnWriteHive   = dusk.Register("dataframe.write-hive", io.WriteHiveTask)
	fnHiveColumns = dusk.Register("dataframe.hive-columns", hiveColumns)
)

// PartitionOn makes ToParquet write a Hive-partitioned dataset: the rows
// of each combination of values of cols go to dir/col=value/.../part.N.
// parquet (N the partition they come from), and the files do not hold
// those columns, as Hive, Spark and Dask write them. The columns must be
// integers, strings, bools, dates or categorical; a null is the directory
// col=__HIVE_DEFAULT_PARTITION__, and characters a path cannot hold are
// escaped as %XX. No _metadata file is written. ReadParquet of dir reads
// the columns back.
func PartitionOn(cols ...string) WriteOption {
	return func(o *writeOptions) { o.partitionOn = append([]string(nil), cols...) }
}

// toHiveParquet is ToParquet with PartitionOn.
func (df *DataFrame) toHiveParquet(ctx context.Context, dir string, o writeOptions) error {
	if df.err != nil {
		return df.err
	}
	s := df.Schema()
	for i, c := range o.partitionOn {
		idx, err := columnIndex(s, c, "PartitionOn")
		if err != nil {
			return opError("ToParquet", err)
		}
		if !hiveType(s.Field(idx).Type) {
			return opError("ToParquet", fmt.Errorf("PartitionOn: column %q is %s; partition on integers, strings, bools, dates or categorical columns", c, typeName(s.Field(idx).Type)))
		}
		if slices.Contains(o.partitionOn[:i], c) {
			return opError("ToParquet", fmt.Errorf("PartitionOn: column %q given twice", c))
		}
	}
	if len(o.partitionOn) >= s.NumFields() {
		return opError("ToParquet", fmt.Errorf("PartitionOn: every column names directories, none would be left for the files; keep at least one"))
	}
	return df.write(ctx, "ToParquet", dir, o, fnWriteHive, "parquet", nil)
}

func hiveType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.STRING, arrow.LARGE_STRING, arrow.BOOL, arrow.DATE32:
		return true
	case arrow.DICTIONARY:
		return hiveType(t.(*arrow.DictionaryType).ValueType)
	}
	return false
}

// hiveDir is one leaf directory of a Hive-partitioned dataset.
type hiveDir struct {
	rel  string   // its path under the dataset's directory
	vals []string // its values, one per key, unescaped (io.HiveNull: null)
	pq   *parquetNode
}

// hiveNode reads a Hive-partitioned Parquet dataset: the files of each
// directory, with the directories' values added as columns.
type hiveNode struct {
	path  string
	keys  []string
	types []arrow.DataType // the keys' column types
	all   []hiveDir
	dirs  []hiveDir // the directories read (after pruning)
	preds []predicate
	m     *meta
}

// planHive plans reading path as a Hive-partitioned dataset: a directory
// whose Parquet files are in col=value directories, as many levels deep
// and with the same columns everywhere, each directory's row groups in
// partitions of up to target bytes (see ParquetBlockSize). ok is false
// when path is not one.
func planHive(path string, target int64) (_ *hiveNode, ok bool, _ error) {
	if st, err := os.Stat(path); err != nil || !st.IsDir() {
		return nil, false, nil
	}
	if flat, _ := filepath.Glob(filepath.Join(path, "*.parquet")); len(flat) > 0 {
		return nil, false, nil
	}
	var leaves []string
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != path && (strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && strings.HasSuffix(name, ".parquet") {
			if dir := filepath.Dir(p); !slices.Contains(leaves, dir) {
				leaves = append(leaves, dir)
			}
		}
		return nil
	})
	if err != nil || len(leaves) == 0 {
		return nil, false, err
	}
	n := &hiveNode{path: path}
	var first string
	for _, leaf := range leaves {
		rel, _ := filepath.Rel(path, leaf)
		var keys, vals []string
		for _, c := range strings.Split(rel, string(filepath.Separator)) {
			k, v, found := strings.Cut(c, "=")
			if !found || k == "" {
				return nil, true, fmt.Errorf("%s holds Parquet files in %s, which is not a col=value directory of a Hive-partitioned dataset", path, leaf)
			}
			keys, vals = append(keys, io.HiveUnescape(k)), append(vals, io.HiveUnescape(v))
		}
		if n.keys == nil {
			n.keys, first = keys, leaf
		} else if !slices.Equal(keys, n.keys) {
			return nil, true, fmt.Errorf("%s is partitioned on [%s] but %s on [%s]", leaf, strings.Join(keys, ", "), first, strings.Join(n.keys, ", "))
		}
		pq, err := planParquet(leaf, target)
		if err != nil {
			return nil, true, err
		}
		if len(n.all) > 0 && !pq.full.Equal(n.all[0].pq.full) {
			return nil, true, fmt.Errorf("the files of %s (%s) differ from those of %s (%s)", leaf, schemaString(pq.full), first, schemaString(n.all[0].pq.full))
		}
		n.all = append(n.all, hiveDir{rel: rel, vals: vals, pq: pq})
	}
	slices.SortStableFunc(n.all, func(a, b hiveDir) int { return strings.Compare(a.rel, b.rel) })
	n.dirs = n.all
	for i, k := range n.keys {
		if len(n.all[0].pq.full.FieldIndices(k)) > 0 {
			return nil, true, fmt.Errorf("%s: the directories' column %q is a column of the files as well", path, k)
		}
		vals := make([]string, len(n.all))
		for j, d := range n.all {
			vals[j] = d.vals[i]
		}
		n.types = append(n.types, hiveTypeOf(vals))
	}
	n.m = n.metaOf()
	return n, true, nil
}

// hiveTypeOf infers a directory column's type from its values: int64 when
// all are integers, bool when all are true or false, date32 when all are
// dates (2006-01-02), else string.
func hiveTypeOf(vals []string) arrow.DataType {
	all := func(ok func(string) bool) bool {
		seen := false
		for _, v := range vals {
			if v == io.HiveNull {
				continue
			}
			if !ok(v) {
				return false
			}
			seen = true
		}
		return seen
	}
	switch {
	case all(func(v string) bool { _, err := strconv.ParseInt(v, 10, 64); return err == nil }):
		return arrow.PrimitiveTypes.Int64
	case all(func(v string) bool { return v == "true" || v == "false" }):
		return arrow.FixedWidthTypes.Boolean
	case all(func(v string) bool { _, err := time.Parse(time.DateOnly, v); return err == nil }):
		return arrow.FixedWidthTypes.Date32
	}
	return arrow.BinaryTypes.String
}

// metaOf returns the node's meta: the files' columns read, then the keys.
func (n *hiveNode) metaOf() *meta {
	pm := n.all[0].pq.m
	fields := append([]arrow.Field(nil), pm.schema.Fields()...)
	for i, k := range n.keys {
		fields = append(fields, arrow.Field{Name: k, Type: n.types[i], Nullable: true})
	}
	m := &meta{schema: arrow.NewSchema(fields, nil), cats: pm.cats}
	for _, d := range n.dirs {
		m.nparts += d.pq.m.nparts
		m.bytes += d.pq.m.bytes
	}
	m.nparts = max(m.nparts, 1)
	return m
}

func (n *hiveNode) meta() *meta      { return n.m }
func (n *hiveNode) children() []node { return nil }
func (n *hiveNode) label() string {
	files, groups, all := 0, 0, 0
	for _, d := range n.all {
		all += len(d.pq.all)
	}
	for _, d := range n.dirs {
		files += d.pq.files
		groups += len(d.pq.groups)
	}
	cols := "all"
	if len(n.dirs) > 0 && n.dirs[0].pq.cols != nil {
		cols = strings.Join(fieldNames(n.m.schema), ", ")
	}
	s := fmt.Sprintf("ReadParquet %s hive=[%s] dirs=%d/%d files=%d row-groups=%d/%d columns=[%s] partitions=%d",
		n.path, strings.Join(n.keys, ", "), len(n.dirs), len(n.all), files, groups, all, cols, n.m.nparts)
	if len(n.preds) > 0 {
		ps := make([]string, len(n.preds))
		for i, p := range n.preds {
			ps[i] = p.String()
		}
		s += " pruned-by=[" + strings.Join(ps, " AND ") + "]"
	}
	return s
}

// hiveSpec tells a task the directory columns to add to a partition.
type hiveSpec struct {
	Names  []string
	Types  []string // "int64", "bool", "date32" or "string"
	Values []string // io.HiveNull for null
}

func (n *hiveNode) spec(d hiveDir) hiveSpec {
	sp := hiveSpec{Names: n.keys, Values: d.vals}
	for _, t := range n.types {
		sp.Types = append(sp.Types, t.String())
	}
	return sp
}

func (n *hiveNode) lower(lw *lowering) ([]part, error) {
	dirs := n.dirs
	if len(dirs) == 0 {
		// Every directory was pruned: one empty partition keeps the plan
		// whole.
		d := n.all[0]
		pq := *d.pq
		pq.groups = nil
		d.pq = &pq
		dirs = []hiveDir{d}
	}
	var out []part
	for _, d := range dirs {
		in, err := d.pq.lower(lw)
		if err != nil {
			return nil, err
		}
		for _, p := range in {
			out = append(out, dusk.Call[arrow.RecordBatch](fnHiveColumns, p, n.spec(d)))
		}
	}
	return out, nil
}

// hiveColumns adds a directory's values to a partition read from its
// files, as constant columns.
func hiveColumns(rec arrow.RecordBatch, sp hiveSpec) (arrow.RecordBatch, error) {
	rows := int(rec.NumRows())
	fields := append([]arrow.Field(nil), rec.Schema().Fields()...)
	cols := append([]arrow.Array(nil), rec.Columns()...)
	for i, name := range sp.Names {
		var b array.Builder
		v, null := sp.Values[i], sp.Values[i] == io.HiveNull
		switch sp.Types[i] {
		case "int64":
			ib := array.NewInt64Builder(mem)
			x, err := strconv.ParseInt(v, 10, 64)
			if err != nil && !null {
				return nil, fmt.Errorf("dataframe: directory value %s=%s is not an integer", name, v)
			}
			for range rows {
				if null {
					ib.AppendNull()
				} else {
					ib.Append(x)
				}
			}
			b = ib
		case "bool":
			bb := array.NewBooleanBuilder(mem)
			for range rows {
				if null {
					bb.AppendNull()
				} else {
					bb.Append(v == "true")
				}
			}
			b = bb
		case "date32":
			db := array.NewDate32Builder(mem)
			t, err := time.Parse(time.DateOnly, v)
			if err != nil && !null {
				return nil, fmt.Errorf("dataframe: directory value %s=%s is not a date", name, v)
			}
			for range rows {
				if null {
					db.AppendNull()
				} else {
					db.Append(arrow.Date32FromTime(t))
				}
			}
			b = db
		default:
			sb := array.NewStringBuilder(mem)
			for range rows {
				if null {
					sb.AppendNull()
				} else {
					sb.Append(v)
				}
			}
			b = sb
		}
		a := b.NewArray()
		b.Release()
		defer a.Release()
		fields = append(fields, arrow.Field{Name: name, Type: a.DataType(), Nullable: true})
		cols = append(cols, a)
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(rows)), nil
}

// withColumns returns the node reading only the files' columns in need
// (the directories' columns are always there).
func (n *hiveNode) withColumns(need map[string]bool) node {
	c := *n
	changed := false
	c.all = slices.Clone(n.all)
	c.dirs = nil
	for i, d := range n.all {
		pq := d.pq.withColumns(need)
		if pq != node(d.pq) {
			changed = true
			c.all[i].pq = pq.(*parquetNode)
		}
	}
	if !changed {
		return n
	}
	for _, d := range n.dirs {
		i := slices.IndexFunc(n.all, func(a hiveDir) bool { return a.rel == d.rel })
		nd := c.all[i]
		if len(d.pq.preds) > 0 {
			nd.pq = nd.pq.withPredicates(d.pq.preds)
		}
		c.dirs = append(c.dirs, nd)
	}
	c.m = c.metaOf()
	return &c
}

// withPredicates returns the node without the directories whose values
// show the predicates on the directories' columns cannot hold, and
// without the row groups whose statistics show those on the files'
// columns cannot.
func (n *hiveNode) withPredicates(preds []predicate) *hiveNode {
	var onDirs, onFiles []predicate
	for _, p := range preds {
		if slices.Contains(n.keys, p.col) {
			onDirs = append(onDirs, p)
		} else {
			onFiles = append(onFiles, p)
		}
	}
	c := *n
	c.preds = preds
	c.dirs = nil
	for _, d := range n.dirs {
		keep := true
		for _, p := range onDirs {
			i := slices.Index(n.keys, p.col)
			v, null := d.vals[i], d.vals[i] == io.HiveNull
			var val any = v
			if n.types[i].ID() == arrow.INT64 && !null {
				x, _ := strconv.ParseInt(v, 10, 64)
				val = x
			}
			// A comparison with null is never true.
			if null || !p.mayHold(io.ColumnStats{OK: true, Min: val, Max: val}) {
				keep = false
				break
			}
		}
		if !keep {
			continue
		}
		if len(onFiles) > 0 {
			d.pq = d.pq.withPredicates(onFiles)
			if len(d.pq.groups) == 0 {
				continue
			}
		}
		c.dirs = append(c.dirs, d)
	}
	c.m = c.metaOf()
	return &c
}
