package array

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dusk-go/dusk"
)

// datasetMeta is what Publish records of an array besides its blocks.
type datasetMeta struct {
	DType  uint8   `json:"dtype"`
	Shape  []int   `json:"shape"`
	Chunks [][]int `json:"chunks"`
}

var _ dusk.Publisher = (*Array)(nil)

// PublishKeys returns the keys of a persisted array's blocks, in C order
// (nil for an array that Persist did not return): Client.Publish names
// them.
func (a *Array) PublishKeys() []dusk.Key {
	keys := make([]dusk.Key, len(a.persisted))
	for i, f := range a.persisted {
		keys[i] = f.Key()
	}
	return keys
}

// PublishMeta describes the array (dtype, shape, chunks) for FromDataset.
// Only an array that Persist returned can be published.
func (a *Array) PublishMeta() ([]byte, error) {
	if a.persisted == nil {
		return nil, errors.New("array: only a persisted array can be published: call Persist first and publish what it returns")
	}
	return json.Marshal(datasetMeta{DType: uint8(a.dtype), Shape: a.shape, Chunks: a.chunks})
}

// FromDataset returns the array published as d (see Client.Publish): a
// persisted array, whose blocks d holds.
func FromDataset(d *dusk.Dataset) (*Array, error) {
	if !d.Collection() {
		return nil, fmt.Errorf("array: dataset %s holds futures, not an array", d.Name())
	}
	var m datasetMeta
	if err := json.Unmarshal(d.Meta(), &m); err != nil {
		return nil, fmt.Errorf("array: dataset %s does not describe an array: %w", d.Name(), err)
	}
	dt := DType(m.DType)
	if !dt.valid() {
		return nil, fmt.Errorf("array: dataset %s does not describe an array (dtype %d)", d.Name(), m.DType)
	}
	nblocks := 1
	for i, c := range m.Chunks {
		total := 0
		for _, n := range c {
			total += n
		}
		if i >= len(m.Shape) || total != m.Shape[i] {
			return nil, fmt.Errorf("array: dataset %s does not describe an array: chunks %v do not tile shape %v", d.Name(), m.Chunks, m.Shape)
		}
		nblocks *= len(c)
	}
	if len(m.Chunks) != len(m.Shape) || nblocks != len(d.Keys()) {
		return nil, fmt.Errorf("array: dataset %s holds %d blocks; its chunks %v make %d", d.Name(), len(d.Keys()), m.Chunks, nblocks)
	}
	fs, err := dusk.DatasetFutures[any](d)
	if err != nil {
		return nil, err
	}
	a := &Array{c: d.Client(), dtype: dt, shape: m.Shape, chunks: m.Chunks, blocks: make([]*dusk.Delayed[*Block], len(fs)), persisted: fs}
	for i, f := range fs {
		a.blocks[i] = dusk.Call[*Block](fnSame, f)
	}
	return a, nil
}
