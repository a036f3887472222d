package shuffle

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Gather returns the rows of col at the indices, in their order. Fixed-width
// columns, strings and dictionaries are copied by typed loops (much faster
// than the general take kernel); other types go through arrow's compute
// package.
func Gather(col arrow.Array, idx []int64) (arrow.Array, error) {
	n := len(idx)
	var valid []byte
	nulls := 0
	if col.NullN() > 0 {
		valid = make([]byte, bitutil.BytesForBits(int64(n)))
		for i, j := range idx {
			if col.IsValid(int(j)) {
				bitutil.SetBit(valid, i)
			} else {
				nulls++
			}
		}
	}
	bitmap := func() *memory.Buffer {
		if valid == nil {
			return nil
		}
		return memory.NewBufferBytes(valid)
	}
	fixed := func(elem int, values []byte) arrow.Array {
		out := make([]byte, n*elem)
		switch elem {
		case 8:
			src := arrow.Int64Traits.CastFromBytes(values)
			dst := arrow.Int64Traits.CastFromBytes(out)
			for i, j := range idx {
				dst[i] = src[j]
			}
		case 4:
			src := arrow.Int32Traits.CastFromBytes(values)
			dst := arrow.Int32Traits.CastFromBytes(out)
			for i, j := range idx {
				dst[i] = src[j]
			}
		default:
			for i, j := range idx {
				copy(out[i*elem:(i+1)*elem], values[int(j)*elem:(int(j)+1)*elem])
			}
		}
		d := array.NewData(col.DataType(), n, []*memory.Buffer{bitmap(), memory.NewBufferBytes(out)}, nil, nulls, 0)
		defer d.Release()
		return array.MakeFromData(d)
	}
	switch a := col.(type) {
	case *array.Int64:
		return fixed(8, arrow.Int64Traits.CastToBytes(a.Int64Values())), nil
	case *array.Float64:
		return fixed(8, arrow.Float64Traits.CastToBytes(a.Float64Values())), nil
	case *array.Timestamp:
		return fixed(8, arrow.TimestampTraits.CastToBytes(a.TimestampValues())), nil
	case *array.Uint64:
		return fixed(8, arrow.Uint64Traits.CastToBytes(a.Uint64Values())), nil
	case *array.Int32:
		return fixed(4, arrow.Int32Traits.CastToBytes(a.Int32Values())), nil
	case *array.Float32:
		return fixed(4, arrow.Float32Traits.CastToBytes(a.Float32Values())), nil
	case *array.Date32:
		return fixed(4, arrow.Date32Traits.CastToBytes(a.Date32Values())), nil
	case *array.Uint32:
		return fixed(4, arrow.Uint32Traits.CastToBytes(a.Uint32Values())), nil
	case *array.Int16:
		return fixed(2, arrow.Int16Traits.CastToBytes(a.Int16Values())), nil
	case *array.Int8:
		return fixed(1, arrow.Int8Traits.CastToBytes(a.Int8Values())), nil
	case *array.String:
		// One pass over the rows (each row's bytes read once, where a pass
		// to size the data and another to copy it read each twice, at
		// random for a sort's order): the data's room is guessed from the
		// column's bytes per row and grows when short.
		vo, vb := a.ValueOffsets(), a.ValueBytes()
		base := vo[0]
		room := 0
		if l := a.Len(); l > 0 {
			room = int(int64(len(vb)) * int64(n) / int64(l))
		}
		offs := make([]int32, n+1)
		data := make([]byte, 0, room)
		for i, j := range idx {
			data = append(data, vb[vo[j]-base:vo[j+1]-base]...)
			if len(data) > 1<<31-1 {
				return nil, fmt.Errorf("shuffle: a piece's strings pass 2 GiB")
			}
			offs[i+1] = int32(len(data))
		}
		d := array.NewData(col.DataType(), n, []*memory.Buffer{bitmap(), memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offs)), memory.NewBufferBytes(data)}, nil, nulls, 0)
		defer d.Release()
		return array.MakeFromData(d), nil
	case *array.Dictionary:
		ix, err := Gather(a.Indices(), idx)
		if err != nil {
			return nil, err
		}
		defer ix.Release()
		return array.NewDictionaryArray(a.DataType(), ix, a.Dictionary()), nil
	}
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(idx, nil)
	ia := b.NewArray()
	defer ia.Release()
	return compute.TakeArray(context.Background(), col, ia)
}
