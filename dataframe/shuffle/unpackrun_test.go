package shuffle

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/dusk-go/dusk/task"
)

// TestUnpackRunReadsOutputsAsOne sends a partition into 6 outputs, twice,
// for a plain schema and one sent as Arrow IPC (a dictionary column):
// UnpackRun of outputs 1..4 gives the rows Unpack gives of each of them,
// in output order, and a run that names outputs out of range, or that
// lacks rows (read off its owner), is an error.
func TestUnpackRunReadsOutputsAsOne(t *testing.T) {
	dict := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "c", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}}}, nil)
	ids := make([]int64, 5000)
	keys := make([]string, len(ids))
	for i := range ids {
		ids[i], keys[i] = int64(i*13), fmt.Sprintf("k%d", i%40)
	}
	for _, plain := range []bool{true, false} {
		rec := record(t, ids, keys)
		if !plain {
			b := array.NewRecordBuilder(memory.DefaultAllocator, dict)
			b.Field(0).(*array.Int64Builder).AppendValues(ids, nil)
			for _, k := range keys {
				if err := b.Field(1).(*array.BinaryDictionaryBuilder).AppendString(k); err != nil {
					t.Fatal(err)
				}
			}
			rec = b.NewRecordBatch()
			b.Release()
		}
		sch, err := EncodeSchema(rec.Schema())
		if err != nil {
			t.Fatal(err)
		}
		lines := func(r arrow.RecordBatch) []string {
			var out []string
			for i := range int(r.NumRows()) {
				out = append(out, r.Column(0).ValueStr(i)+" "+r.Column(1).ValueStr(i))
			}
			return out
		}
		read := func(id string, run bool) []string {
			spec := Spec{ID: id, Kind: Hash, Columns: []string{"id"}, Owners: []string{"w", "w", "w", "w", "w", "w"}, Schema: sch}
			w := oneWorker{r: newReceiver(1<<30, func() (string, error) { return t.TempDir(), nil })}
			ctx := task.NewContext(context.Background(), w)
			sent, err := transfer(ctx, rec, spec, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !run {
				var out []string
				for j := 1; j < 5; j++ {
					r, err := unpack(ctx, sent, spec, j)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, lines(r)...)
				}
				return out
			}
			if _, err := unpackRun(ctx, sent, spec, 4, 7); err == nil || !strings.Contains(err.Error(), "outputs 4 to 6 of 6") {
				t.Fatalf("outputs 4 to 6 of 6: %v", err)
			}
			r, err := unpackRun(ctx, sent, spec, 1, 5)
			if err != nil {
				t.Fatal(err)
			}
			// Output 0's pieces are gone: the run lacks them.
			if _, err := unpack(ctx, sent, spec, 0); err != nil {
				t.Fatal(err)
			}
			if _, err := unpackRun(ctx, sent, spec, 0, 2); err == nil || !strings.Contains(err.Error(), LostMarker) {
				t.Fatalf("a run whose pieces are gone: %v", err)
			}
			return lines(r)
		}
		want, got := read("outputs", false), read("run", true)
		if len(want) == 0 || len(want) == len(ids) || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("plain=%t: UnpackRun gave %d rows, Unpack of each output %d", plain, len(got), len(want))
		}
	}
}
