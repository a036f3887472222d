package dataframe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/dusk-go/dusk"
)

// datasetMeta is what Publish records of a persisted DataFrame besides its
// partitions: the plan's knowledge of the data, so that the DataFrame made
// again from the dataset plans as well as the one published.
type datasetMeta struct {
	Schema []byte              `json:"schema"` // an Arrow IPC stream with no record
	Divs   *datasetDivisions   `json:"divisions,omitempty"`
	Hashed []string            `json:"hashed,omitempty"`
	Bytes  int64               `json:"bytes"`
	Rows   []int64             `json:"rows,omitempty"`
	PBytes []int64             `json:"partition_bytes,omitempty"`
	Cats   map[string][]string `json:"categories,omitempty"`
	From   string              `json:"from"`
}

// datasetDivisions are Divisions with their bounds in typed lists, so that
// an int64 comes back an int64.
type datasetDivisions struct {
	Column string    `json:"column"`
	Ints   []int64   `json:"ints,omitempty"`
	Floats []float64 `json:"floats,omitempty"`
	Strs   []string  `json:"strings,omitempty"`
	Tied   bool      `json:"tied,omitempty"` // a value may be in two partitions (Divisions.tied)
}

var _ dusk.Publisher = (*DataFrame)(nil)

func (df *DataFrame) persistedNode() *persistedNode {
	p, _ := df.n.(*persistedNode)
	return p
}

// PublishKeys returns the keys of a persisted DataFrame's partitions (nil
// for one that Persist did not return): Client.Publish names them.
func (df *DataFrame) PublishKeys() []dusk.Key {
	p := df.persistedNode()
	if p == nil {
		return nil
	}
	keys := make([]dusk.Key, len(p.futs))
	for i, f := range p.futs {
		keys[i] = f.Key()
	}
	return keys
}

// PublishMeta describes the DataFrame (schema, divisions, sizes) for
// FromDataset. Only a DataFrame that Persist returned can be published.
func (df *DataFrame) PublishMeta() ([]byte, error) {
	if df.err != nil {
		return nil, df.err
	}
	p := df.persistedNode()
	if p == nil {
		return nil, errors.New("dataframe: only a persisted DataFrame can be published: call Persist first and publish what it returns")
	}
	var schema bytes.Buffer
	w := ipc.NewWriter(&schema, ipc.WithSchema(p.m.schema))
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("dataframe: encoding the schema: %w", err)
	}
	m := datasetMeta{Schema: schema.Bytes(), Hashed: p.m.hashed, Bytes: p.m.bytes, Rows: p.rows, PBytes: p.bytes, Cats: p.m.cats, From: p.from}
	if d := p.m.divs; d != nil {
		dd := &datasetDivisions{Column: d.Column, Tied: d.tied}
		for _, b := range d.Bounds {
			switch v := b.(type) {
			case int64:
				dd.Ints = append(dd.Ints, v)
			case float64:
				dd.Floats = append(dd.Floats, v)
			case string:
				dd.Strs = append(dd.Strs, v)
			default:
				return nil, fmt.Errorf("dataframe: a division bound of type %T cannot be published", b)
			}
		}
		if n := len(dd.Ints) + len(dd.Floats) + len(dd.Strs); n != max(len(dd.Ints), len(dd.Floats), len(dd.Strs)) {
			return nil, errors.New("dataframe: division bounds of mixed types cannot be published")
		}
		m.Divs = dd
	}
	return json.Marshal(m)
}

// FromDataset returns the DataFrame published as d (see Client.Publish):
// a persisted DataFrame whose partitions d holds.
func FromDataset(d *dusk.Dataset) (*DataFrame, error) {
	if !d.Collection() {
		return nil, fmt.Errorf("dataframe: dataset %s holds futures, not a DataFrame", d.Name())
	}
	var m datasetMeta
	if err := json.Unmarshal(d.Meta(), &m); err != nil || len(m.Schema) == 0 {
		return nil, fmt.Errorf("dataframe: dataset %s does not describe a DataFrame: %v", d.Name(), err)
	}
	r, err := ipc.NewReader(bytes.NewReader(m.Schema), ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		return nil, fmt.Errorf("dataframe: dataset %s: reading its schema: %w", d.Name(), err)
	}
	schema := r.Schema()
	r.Release()
	keys := d.Keys()
	if (m.Rows != nil && len(m.Rows) != len(keys)) || (m.PBytes != nil && len(m.PBytes) != len(keys)) {
		return nil, fmt.Errorf("dataframe: dataset %s holds %d partitions but describes %d", d.Name(), len(keys), len(m.Rows))
	}
	mt := &meta{schema: schema, nparts: len(keys), hashed: m.Hashed, bytes: m.Bytes, cats: m.Cats}
	if dd := m.Divs; dd != nil {
		divs := &Divisions{Column: dd.Column, tied: dd.Tied}
		for _, v := range dd.Ints {
			divs.Bounds = append(divs.Bounds, v)
		}
		for _, v := range dd.Floats {
			divs.Bounds = append(divs.Bounds, v)
		}
		for _, v := range dd.Strs {
			divs.Bounds = append(divs.Bounds, v)
		}
		if len(divs.Bounds) != len(keys)+1 {
			return nil, fmt.Errorf("dataframe: dataset %s has %d division bounds for %d partitions", d.Name(), len(divs.Bounds), len(keys))
		}
		mt.divs = divs
	}
	futs, err := dusk.DatasetFutures[any](d)
	if err != nil {
		return nil, err
	}
	for _, f := range futs {
		markPersisted(f)
	}
	p := &persistedNode{m: mt, futs: futs, rows: m.Rows, bytes: m.PBytes, from: "dataset " + d.Name()}
	return &DataFrame{c: d.Client(), n: p}, nil
}
