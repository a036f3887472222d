package codec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Settle readies a value to be read by several goroutines at once. An
// Arrow array counts its nulls the first time it is asked and writes the
// count into its data: two readers of a stored record (a task that
// concatenates it, the data service encoding it for a peer) race on that
// write. Settle asks every column of a record, a table or an array (their
// children and dictionaries too) once, before the value is shared. Other
// values are left as they are.
func Settle(v any) {
	switch x := v.(type) {
	case arrow.RecordBatch:
		if isNil(x) {
			return
		}
		for _, c := range x.Columns() {
			settleData(c.Data())
		}
	case arrow.Table:
		if isNil(x) {
			return
		}
		for i := range int(x.NumCols()) {
			for _, ch := range x.Column(i).Data().Chunks() {
				settleData(ch.Data())
			}
		}
	case arrow.Array:
		if isNil(x) {
			return
		}
		settleData(x.Data())
	}
}

func settleData(d arrow.ArrayData) {
	if isNil(d) {
		return
	}
	if d.NullN() == array.UnknownNullCount {
		a := array.MakeFromData(d)
		a.NullN() // counts, and keeps the count in d
		a.Release()
	}
	for _, c := range d.Children() {
		settleData(c)
	}
	settleData(d.Dictionary()) // a nil *Data when there is none

}
