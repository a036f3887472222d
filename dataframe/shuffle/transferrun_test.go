package shuffle

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/dusk-go/dusk/task"
)

// oneWorker is a task.Runtime of one worker whose deliveries go to its own
// receiver.
type oneWorker struct{ r *receiver }

func (w oneWorker) Address() string                          { return "w" }
func (w oneWorker) ID() string                               { return "w" }
func (w oneWorker) NThreads() int                            { return 1 }
func (w oneWorker) MemoryLimit() int64                       { return 0 }
func (w oneWorker) Logger() *slog.Logger                     { return slog.Default() }
func (w oneWorker) Dir() (string, error)                     { return "", fmt.Errorf("no directory") }
func (w oneWorker) Extension(string) (task.Extension, error) { return w.r, nil }
func (w oneWorker) Scheduler() (task.SchedulerConn, error)   { return task.SchedulerConn{}, nil }
func (w oneWorker) Deliver(ctx context.Context, _, _ string, msgs []task.Message) error {
	for _, m := range msgs {
		if err := w.r.Receive(ctx, m.Topic, m.Data); err != nil {
			return err
		}
	}
	return nil
}

// TestTransferRunMatchesTransferOfTheConcatenation sends a run of records
// (one of them empty) with TransferRun and their concatenation with
// Transfer, so that each output gets pieces from several records, for a
// plain schema and one sent as Arrow IPC (a dictionary column): every output
// unpacks the same rows in the same order, and the sizes sent agree on
// rows.
func TestTransferRunMatchesTransferOfTheConcatenation(t *testing.T) {
	dict := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "c", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}}}, nil)
	for _, plain := range []bool{true, false} {
		t.Run(fmt.Sprintf("plain=%v", plain), func(t *testing.T) {
			build := func(ids []int64, keys []string) arrow.RecordBatch {
				if plain {
					return record(t, ids, keys)
				}
				b := array.NewRecordBuilder(memory.DefaultAllocator, dict)
				defer b.Release()
				b.Field(0).(*array.Int64Builder).AppendValues(ids, nil)
				db := b.Field(1).(*array.BinaryDictionaryBuilder)
				for _, k := range keys {
					if err := db.AppendString(k); err != nil {
						t.Fatal(err)
					}
				}
				return b.NewRecordBatch()
			}
			var recs []arrow.RecordBatch
			var allIDs []int64
			var allKeys []string
			for r, n := range []int{3000, 0, 5000, 1, 1000} {
				ids := make([]int64, n)
				keys := make([]string, n)
				for i := range ids {
					ids[i] = int64(r*100000 + i*7)
					keys[i] = fmt.Sprintf("k%d", (i*31+r)%50)
				}
				recs = append(recs, build(ids, keys))
				allIDs = append(allIDs, ids...)
				allKeys = append(allKeys, keys...)
			}
			all := build(allIDs, allKeys)
			sch, err := EncodeSchema(recs[0].Schema())
			if err != nil {
				t.Fatal(err)
			}
			const nout = 7
			unpacked := func(id string, run bool) ([]string, Sent) {
				spec := Spec{ID: id, Kind: Hash, Columns: []string{"id"}, Owners: make([]string, nout), Schema: sch}
				for j := range spec.Owners {
					spec.Owners[j] = "w"
				}
				w := oneWorker{r: newReceiver(1<<30, func() (string, error) { return t.TempDir(), nil })}
				ctx := task.NewContext(context.Background(), w)
				var sent Sent
				if run {
					sent, err = transferRun(ctx, recs, spec, 0)
				} else {
					sent, err = transfer(ctx, all, spec, 0)
				}
				if err != nil {
					t.Fatal(err)
				}
				var lines []string
				for j := range nout {
					out, err := unpack(ctx, sent, spec, j)
					if err != nil {
						t.Fatalf("output %d: %v", j, err)
					}
					for i := range int(out.NumRows()) {
						lines = append(lines, fmt.Sprintf("%d: %s %s", j, out.Column(0).ValueStr(i), out.Column(1).ValueStr(i)))
					}
				}
				return lines, sent
			}
			want, wantSent := unpacked("whole", false)
			got, gotSent := unpacked("run", true)
			if fmt.Sprint(gotSent.Rows) != fmt.Sprint(wantSent.Rows) {
				t.Fatalf("rows sent per output %v, want %v", gotSent.Rows, wantSent.Rows)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Logf("row %d: %s, want %s", i, got[i], want[i])
					break
				}
			}
			if len(want) != 9001 || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("TransferRun's outputs (%d rows) differ from Transfer's of the concatenation (%d rows)", len(got), len(want))
			}
		})
	}
}
