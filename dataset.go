package dusk

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/wire/pb"
)

// Publisher is a persisted collection that Publish can name: the keys of
// its pieces (in memory on the cluster) and a description of the rest,
// from which the collection is made again with the Dataset (as
// array.FromDataset does).
type Publisher interface {
	PublishKeys() []Key
	PublishMeta() ([]byte, error)
}

// PublishOption changes what Publish does.
type PublishOption func(*publishOptions)

type publishOptions struct{ override bool }

// Override makes Publish replace a dataset published under the same name.
func Override() PublishOption { return func(o *publishOptions) { o.override = true } }

// Publish names data on the cluster so that any client, now or later, can
// take it with Dataset (Dask's publish_dataset). v is a future, a slice
// of futures, or a persisted collection (a Publisher). The data stays in
// memory while the name is published, whoever else holds or releases it,
// and after the client that published it has gone. A name published
// already is an error unless Override is given.
func (c *Client) Publish(ctx context.Context, name string, v any, opts ...PublishOption) error {
	var o publishOptions
	for _, f := range opts {
		f(&o)
	}
	keys, meta, err := publishable(v)
	if err != nil {
		return fmt.Errorf("dusk: publishing %s: %w", name, err)
	}
	m := &pb.Coord{Op: "dataset-publish", Name: name, Meta: meta, Override: o.override}
	for _, k := range keys {
		m.Keys = append(m.Keys, string(k))
	}
	_, _, err = c.coord(ctx, m, false)
	return err
}

// publishable returns the keys and description of what Publish was given.
func publishable(v any) ([]Key, []byte, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil, errors.New("nothing to publish (nil)")
	case Publisher:
		meta, err := x.PublishMeta()
		if err != nil {
			return nil, nil, err
		}
		return x.PublishKeys(), append([]byte{'c'}, meta...), nil
	case Keyer:
		return []Key{x.Key()}, []byte{'f'}, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice && rv.Type().Elem().Implements(reflect.TypeFor[Keyer]()) {
		keys := make([]Key, rv.Len())
		for i := range keys {
			k, ok := rv.Index(i).Interface().(Keyer)
			if !ok || reflect.ValueOf(k).IsNil() {
				return nil, nil, fmt.Errorf("element %d is nil", i)
			}
			keys[i] = k.Key()
		}
		return keys, []byte{'f'}, nil
	}
	return nil, nil, fmt.Errorf("a %T is neither a future, a slice of futures, nor a persisted collection (dusk.Publisher)", v)
}

// Dataset is a published dataset as one client took it: it holds its data
// (as futures do) until Release.
type Dataset struct {
	c        *Client
	name     string
	keys     []Key
	meta     []byte
	states   []*futureState
	mu       sync.Mutex
	released bool
}

// Dataset takes the dataset published as name: the client holds its data
// from now on, as if it had computed it, even if the name is unpublished.
func (c *Client) Dataset(ctx context.Context, name string) (*Dataset, error) {
	r, states, err := c.coord(ctx, &pb.Coord{Op: "dataset-get", Name: name}, true)
	if err != nil {
		return nil, err
	}
	d := &Dataset{c: c, name: name, meta: r.GetMeta(), states: states}
	for _, k := range r.GetKeys() {
		d.keys = append(d.keys, Key(k))
	}
	return d, nil
}

// Name returns the name the dataset was published under.
func (d *Dataset) Name() string { return d.name }

// Keys returns the keys of its data.
func (d *Dataset) Keys() []Key { return slices.Clone(d.keys) }

// Collection reports whether a collection (a Publisher) was published,
// rather than futures.
func (d *Dataset) Collection() bool { return len(d.meta) > 0 && d.meta[0] == 'c' }

// Meta returns the published collection's description (nil for futures).
func (d *Dataset) Meta() []byte {
	if !d.Collection() {
		return nil
	}
	return d.meta[1:]
}

// Client returns the client that took the dataset.
func (d *Dataset) Client() *Client { return d.c }

// Release lets go of the dataset's data (it stays while published, or
// held by futures).
func (d *Dataset) Release() {
	d.mu.Lock()
	states := d.states
	d.states, d.released = nil, true
	d.mu.Unlock()
	for _, st := range states {
		d.c.release(st.key)
	}
}

// DatasetFutures returns the dataset's futures, of result type T; each
// holds the data on its own, so the Dataset may be released after. A
// released Dataset gives none: take the dataset again.
func DatasetFutures[T any](d *Dataset) ([]*Future[T], error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.released {
		return nil, fmt.Errorf("dusk: dataset %s was released: take it again with Client.Dataset", d.name)
	}
	out := make([]*Future[T], len(d.keys))
	for i, k := range d.keys {
		out[i] = newFuture[T](d.c, graph.Key(k))
	}
	return out, nil
}

// Unpublish drops the name; the data lives on while futures hold it.
func (c *Client) Unpublish(ctx context.Context, name string) error {
	_, _, err := c.coord(ctx, &pb.Coord{Op: "dataset-unpublish", Name: name}, false)
	return err
}

// Datasets returns the names published, sorted.
func (c *Client) Datasets(ctx context.Context) ([]string, error) {
	r, _, err := c.coord(ctx, &pb.Coord{Op: "dataset-list"}, false)
	if err != nil {
		return nil, err
	}
	return r.GetNames(), nil
}
