package dataframe

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/engine"
)

// Concat stacks the rows of several DataFrames (pandas' concat of rows):
// the partitions of the first, then those of the second, and so on.
// Columns are matched by name, in the order they first appear; a column
// missing from a frame is null in its rows. A column of different types
// in different frames takes the type that holds all their values exactly
// (int32 and int64 give int64, uint8 and int8 int16, int32 and float64
// float64, a categorical column and a string column string); types with
// no such common type (int64 and float64, a number and a string) are an
// error naming the column and both types. The frames must share a client.
func Concat(frames ...*DataFrame) *DataFrame {
	if len(frames) == 0 {
		return &DataFrame{err: opError("Concat", errors.New("no frames given"))}
	}
	for i, f := range frames {
		if f == nil {
			return &DataFrame{err: opError("Concat", fmt.Errorf("frame %d is nil", i))}
		}
		if f.err != nil {
			return f
		}
		if f.c != frames[0].c {
			return frames[0].fail("Concat", fmt.Errorf("frame %d has another client than frame 0; Concat works on frames of one cluster", i))
		}
	}
	// The columns, in the order they first appear, and their common types.
	var names []string
	types := map[string]arrow.DataType{}
	from := map[string]int{} // the frame that gave the type
	for i, f := range frames {
		for _, fld := range f.Schema().Fields() {
			t, ok := types[fld.Name]
			if !ok {
				names = append(names, fld.Name)
				types[fld.Name], from[fld.Name] = fld.Type, i
				continue
			}
			p, ok := promote(t, fld.Type, frames[from[fld.Name]].n.meta().cats[fld.Name], f.n.meta().cats[fld.Name])
			if !ok {
				return frames[0].fail("Concat", fmt.Errorf("column %q is %s in frame %d and %s in frame %d, and no type holds both exactly; Astype one of them first",
					fld.Name, typeName(t), from[fld.Name], typeName(fld.Type), i))
			}
			types[fld.Name] = p
			if arrow.TypeEqual(p, fld.Type) {
				from[fld.Name] = i
			}
		}
	}
	fields := make([]arrow.Field, len(names))
	cats := map[string][]string{}
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: types[n], Nullable: true}
		if _, ok := types[n].(*arrow.DictionaryType); ok {
			cats[n] = frames[from[n]].n.meta().cats[n]
		}
	}
	if len(cats) == 0 {
		cats = nil
	}
	schema := arrow.NewSchema(fields, nil)
	cn := &concatNode{m: &meta{schema: schema, cats: cats}}
	for i, f := range frames {
		m := f.n.meta()
		cn.m.nparts += m.nparts
		if m.bytes < 0 || cn.m.bytes < 0 {
			cn.m.bytes = -1
		} else {
			cn.m.bytes += m.bytes
		}
		q, err := reshapeQuery(m, schema)
		if err != nil {
			return frames[0].fail("Concat", fmt.Errorf("frame %d: %w", i, err))
		}
		cn.inputs = append(cn.inputs, f.n)
		cn.queries = append(cn.queries, q)
	}
	return frames[0].derive(cn)
}

// promote returns the type that holds every value of types a and b
// exactly (ca and cb are the categories of categorical ones).
func promote(a, b arrow.DataType, ca, cb []string) (arrow.DataType, bool) {
	if arrow.TypeEqual(a, b) {
		if _, ok := a.(*arrow.DictionaryType); ok && !slices.Equal(ca, cb) {
			return arrow.BinaryTypes.String, true
		}
		return a, true
	}
	if a.ID() == arrow.NULL {
		return b, true
	}
	if b.ID() == arrow.NULL {
		return a, true
	}
	isStr := func(t arrow.DataType) bool {
		_, dict := t.(*arrow.DictionaryType)
		return dict || t.ID() == arrow.STRING
	}
	if isStr(a) && isStr(b) {
		return arrow.BinaryTypes.String, true
	}
	ab, as := intBits(a)
	bb, bs := intBits(b)
	switch {
	case ab > 0 && bb > 0:
		if as == bs {
			return intType(max(ab, bb), as), true
		}
		// One signed, one unsigned: a signed type wider than the
		// unsigned one.
		u, s := ab, bb
		if as {
			u, s = bb, ab
		}
		if s > u {
			return intType(s, true), true
		}
		if u < 64 {
			return intType(2*u, true), true
		}
	case arrow.IsFloating(a.ID()) && arrow.IsFloating(b.ID()):
		if a.ID() == arrow.FLOAT64 || b.ID() == arrow.FLOAT64 {
			return arrow.PrimitiveTypes.Float64, true
		}
	case ab > 0 && arrow.IsFloating(b.ID()), bb > 0 && arrow.IsFloating(a.ID()):
		bits, f := ab, b
		if bb > 0 {
			bits, f = bb, a
		}
		// float32 holds integers of up to 24 bits exactly, float64 of up
		// to 53.
		if f.ID() == arrow.FLOAT32 && bits <= 16 {
			return arrow.PrimitiveTypes.Float32, true
		}
		if bits <= 32 {
			return arrow.PrimitiveTypes.Float64, true
		}
	}
	return nil, false
}

func intType(bits int, signed bool) arrow.DataType {
	switch {
	case bits == 8 && signed:
		return arrow.PrimitiveTypes.Int8
	case bits == 16 && signed:
		return arrow.PrimitiveTypes.Int16
	case bits == 32 && signed:
		return arrow.PrimitiveTypes.Int32
	case signed:
		return arrow.PrimitiveTypes.Int64
	case bits == 8:
		return arrow.PrimitiveTypes.Uint8
	case bits == 16:
		return arrow.PrimitiveTypes.Uint16
	case bits == 32:
		return arrow.PrimitiveTypes.Uint32
	}
	return arrow.PrimitiveTypes.Uint64
}

// reshapeQuery returns the query that gives a frame's partitions the
// schema to (columns cast, missing ones null), or "" when they have it.
func reshapeQuery(m *meta, to *arrow.Schema) (string, error) {
	same := m.schema.NumFields() == to.NumFields()
	sel := make([]string, to.NumFields())
	for i, f := range to.Fields() {
		q := engine.QuoteIdent(f.Name)
		typ := sqlType(f.Type)
		if _, ok := f.Type.(*arrow.DictionaryType); ok {
			typ = "VARCHAR"
		}
		idx := m.schema.FieldIndices(f.Name)
		switch {
		case len(idx) > 0 && arrow.TypeEqual(m.schema.Field(idx[0]).Type, f.Type):
			sel[i] = q
			same = same && idx[0] == i
		case typ == "":
			// Only a missing column of a type with no SQL name here.
			return "", fmt.Errorf("has no column %q (of type %s), which Concat fills with nulls only for integer, float, string and bool columns", f.Name, typeName(f.Type))
		case len(idx) > 0:
			sel[i] = fmt.Sprintf("CAST(%s AS %s) AS %s", q, typ, q)
			same = false
		default:
			sel[i] = fmt.Sprintf("CAST(NULL AS %s) AS %s", typ, q)
			same = false
		}
	}
	if same {
		return "", nil
	}
	query := "SELECT " + strings.Join(sel, ", ") + " FROM part"
	// Check it gives the types planned (categorical columns aside, which
	// come back as strings and are restored from their categories).
	got, _, err := planSQL(&meta{schema: m.schema}, query)
	if err != nil {
		return "", err
	}
	for i, f := range to.Fields() {
		g := got.Field(i).Type
		if _, ok := f.Type.(*arrow.DictionaryType); ok {
			continue
		}
		if !arrow.TypeEqual(g, f.Type) {
			return "", fmt.Errorf("column %q comes out as %s, not %s", f.Name, typeName(g), typeName(f.Type))
		}
	}
	return engine.WithCTE("part", engine.ScanView(engine.ViewIn), query), nil
}

// concatNode is the partitions of its inputs, one after another, each
// input's reshaped by its query (when it has one).
type concatNode struct {
	inputs  []node
	queries []string
	m       *meta
}

func (n *concatNode) meta() *meta      { return n.m }
func (n *concatNode) children() []node { return n.inputs }
func (n *concatNode) label() string {
	counts := make([]string, len(n.inputs))
	for i, in := range n.inputs {
		counts[i] = fmt.Sprint(in.meta().nparts)
	}
	return fmt.Sprintf("Concat %d frames (%s partitions) -> %d partitions", len(n.inputs), strings.Join(counts, " + "), n.m.nparts)
}

// rewritten returns the step over its inputs as the optimizer rewrites
// them: when fewer columns than the frame's are needed, each input is asked
// for those it has and its query keeps only them (nulls for those it lacks,
// as before); otherwise every column is kept (each input's query names its
// columns).
func (n *concatNode) rewritten(o *optimizer, need map[string]bool) node {
	if p := n.projected(o, need); p != nil {
		return p
	}
	inputs := make([]node, len(n.inputs))
	changed := false
	nparts := 0
	for i, in := range n.inputs {
		inputs[i] = o.node(in, allColumns(in))
		changed = changed || inputs[i] != in
		nparts += inputs[i].meta().nparts
	}
	if !changed {
		return n
	}
	m := *n
	m.inputs = inputs
	m.m = n.m.clone()
	m.m.nparts = nparts
	return &m
}

func (n *concatNode) lower(lw *lowering) ([]part, error) {
	var out []part
	for i, in := range n.inputs {
		parts, err := lw.parts(in)
		if err != nil {
			return nil, err
		}
		if n.queries[i] == "" {
			out = append(out, parts...)
			continue
		}
		for _, p := range parts {
			out = append(out, dusk.Call[arrow.RecordBatch](fnSQL, p, n.queries[i], n.m.cats))
		}
	}
	return out, nil
}

// projected returns the step keeping only the needed columns, over inputs
// rewritten to produce them; nil when every column is needed or an input's
// reshaping does not plan (then the inputs keep every column).
func (n *concatNode) projected(o *optimizer, need map[string]bool) node {
	var fields []arrow.Field
	for _, f := range n.m.schema.Fields() {
		if need[f.Name] {
			fields = append(fields, f)
		}
	}
	if len(fields) == 0 || len(fields) == n.m.schema.NumFields() {
		return nil
	}
	to := arrow.NewSchema(fields, nil)
	m := &concatNode{inputs: make([]node, len(n.inputs)), queries: make([]string, len(n.inputs))}
	nparts := 0
	for i, in := range n.inputs {
		has := map[string]bool{}
		for _, f := range in.meta().schema.Fields() {
			if need[f.Name] {
				has[f.Name] = true
			}
		}
		if len(has) == 0 {
			// It has none of them: its rows are nulls in those columns,
			// read from its first column.
			has[in.meta().schema.Field(0).Name] = true
		}
		r := o.node(in, has)
		q, err := reshapeQuery(r.meta(), to)
		if err != nil {
			return nil
		}
		m.inputs[i], m.queries[i] = r, q
		nparts += r.meta().nparts
	}
	m.m = n.m.clone()
	m.m.schema = to
	m.m.nparts = nparts
	m.m.cats = copyCats(m.m.cats, to)
	if m.m.divs != nil && !need[m.m.divs.Column] {
		m.m.divs = nil
	}
	for _, h := range m.m.hashed {
		if !need[h] {
			m.m.hashed = nil
			break
		}
	}
	if m.m.bytes > 0 {
		m.m.bytes = m.m.bytes * int64(len(fields)) / int64(n.m.schema.NumFields())
	}
	return m
}
