package dusk

import (
	"bytes"
	"context"
	"fmt"
	"hash/maphash"
	"reflect"
	"unsafe"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/internal/units"
)

// Auto-scatter is the guide's "don't pass large data as task arguments;
// scatter it once", done for the user: a literal argument of at least
// optimization.auto-scatter.threshold bytes, or one that several tasks of
// a graph pass and that adds as much to the graph in all, is placed on the
// workers once (on every worker when more tasks use it than there are
// workers twice over) and the tasks refer to it. The graph sent to the
// scheduler stays small, and each worker receives the value once instead
// of once per task. The value lives as long as the futures of the graph
// that uses it.

// minRepeated is the smallest literal that counts as repeated: smaller
// ones cost less to send with each task than to track.
const minRepeated = 64 << 10

// literal is one large literal argument of a graph and the tasks that pass
// it.
type literal struct {
	data []byte
	typ  reflect.Type // the parameter's type
	uses []literalUse
}

type literalUse struct {
	task graph.Key
	arg  int
}

// autoScatter returns the threshold, or 0 when auto-scatter is off.
func (b *builder) autoScatter() int64 {
	if !b.scatterRead {
		b.scatterRead = true
		if b.c != nil && b.c.cfg != nil && b.c.cfg.Bool("optimization.auto-scatter.active") {
			b.scatterAt = b.c.cfg.Bytes("optimization.auto-scatter.threshold")
		}
	}
	return b.scatterAt
}

// literalID names a value passed by reference (a map, a slice, a
// pointer, a string): the builder encodes the same one passed to several
// tasks once, so that it is one literal even where its encoding would
// differ from one time to the next (a map's order).
type literalID struct {
	typ reflect.Type
	ptr unsafe.Pointer
	n   int
}

func identity(v any) (literalID, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		return literalID{rv.Type(), rv.UnsafePointer(), rv.Len()}, !rv.IsNil()
	case reflect.Pointer:
		return literalID{rv.Type(), rv.UnsafePointer(), 0}, !rv.IsNil()
	case reflect.Slice:
		return literalID{rv.Type(), rv.UnsafePointer(), rv.Len()}, rv.Len() > 0
	case reflect.String:
		s := rv.String()
		return literalID{rv.Type(), unsafe.Pointer(unsafe.StringData(s)), len(s)}, len(s) > 0
	}
	return literalID{}, false
}

// noteLiteral records that argument i of task key is the literal data,
// of parameter type t. The same map or slice passed to several tasks has
// the same bytes (the builder encodes it once), so it is one literal.
func (b *builder) noteLiteral(key graph.Key, i int, data []byte, t reflect.Type) {
	th := b.autoScatter()
	if th <= 0 || int64(len(data)) < min(th, minRepeated) {
		return
	}
	if b.literals == nil {
		b.literals = map[uint64][]*literal{}
		b.seed = maphash.MakeSeed()
	}
	h := maphash.Bytes(b.seed, data)
	for _, l := range b.literals[h] {
		if l.typ == t && bytes.Equal(l.data, data) {
			l.uses = append(l.uses, literalUse{key, i})
			return
		}
	}
	b.literals[h] = append(b.literals[h], &literal{data: data, typ: t, uses: []literalUse{{key, i}}})
	b.nliterals++
}

// scatterLiterals scatters the literals worth it and points the tasks
// that pass them at the scattered values.
func (b *builder) scatterLiterals(ctx context.Context) error {
	th := b.autoScatter()
	if th <= 0 || b.nliterals == 0 {
		return nil
	}
	var spread, broadcast []*literal
	var workers int
	for _, ls := range b.literals {
		for _, l := range ls {
			size, n := int64(len(l.data)), int64(len(l.uses))
			if size < th && (n < 2 || size*n < th) {
				continue
			}
			if workers == 0 {
				ws, err := b.c.Workers(ctx)
				if err != nil {
					return err
				}
				workers = max(1, len(ws))
			}
			if n > 2*int64(workers) {
				broadcast = append(broadcast, l)
			} else {
				spread = append(spread, l)
			}
		}
	}
	var saved, sent int64
	var nvalues, ntasks int
	for _, group := range []struct {
		ls []*literal
		o  scatterOptions
	}{{spread, scatterOptions{}}, {broadcast, scatterOptions{broadcast: true}}} {
		byType := map[reflect.Type][]*literal{}
		var types []reflect.Type
		for _, l := range group.ls {
			if byType[l.typ] == nil {
				types = append(types, l.typ)
			}
			byType[l.typ] = append(byType[l.typ], l)
		}
		for _, typ := range types {
			ls := byType[typ]
			items := make([]scatterItem, len(ls))
			for i, l := range ls {
				items[i] = scatterItem{key: graph.NewKey("auto_scatter-" + keyPrefix(typeLabel(typ))), data: l.data, nbytes: int64(len(l.data))}
			}
			sts, err := b.c.scatterEncoded(ctx, items, typ.String(), group.o)
			if err != nil {
				return fmt.Errorf("dusk: auto-scatter of %d values of type %s: %w (turn it off with optimization.auto-scatter.active: false)", len(ls), typ, err)
			}
			for i, l := range ls {
				b.scattered = append(b.scattered, adoptFuture[any](b.c, sts[i]))
				for _, u := range l.uses {
					b.tasks[u.task].Args[u.arg] = graph.Ref(items[i].key)
				}
				nvalues++
				ntasks += len(l.uses)
				saved += int64(len(l.data)) * int64(len(l.uses))
				sent += int64(len(l.data))
			}
		}
	}
	if nvalues > 0 {
		b.c.RecordAdvice(Advice{Rule: "auto-scatter", Fixed: true,
			Message: fmt.Sprintf("%d large literal arguments (%s) placed on the workers once for %d tasks; the graph is %s smaller (threshold %s)",
				nvalues, units.FormatBytes(sent), ntasks, units.FormatBytes(saved), units.FormatBytes(th)),
			Remedy: "scatter large values yourself (Client.Scatter) and pass the futures; optimization.auto-scatter.active: false turns this off"})
	}
	return nil
}

// keepScattered gives each future of wanted a reference of its own to
// the values scattered for its graph, so that they live as long as any of
// those futures (which may need them computed again); c.mu is held.
func (b *builder) keepScattered(wanted []graph.Key) {
	if len(b.scattered) == 0 {
		return
	}
	for _, k := range wanted {
		fs := b.c.futures[k]
		if fs == nil {
			continue
		}
		for _, f := range b.scattered {
			fs.keep = append(fs.keep, adoptFuture[any](b.c, b.c.futureLocked(f.st.key)))
		}
	}
}
