package wire

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/wire/pb"
)

// A batch of tasks goes through the codec and back whole, small (one
// plain buffer) or large (a pooled one), and its bytes are protobuf's:
// the stock decoder reads them.
func TestCodecRoundTrip(t *testing.T) {
	for _, n := range []int{1, 5000} {
		in := &pb.ClientBatch{}
		for i := range n {
			b, err := EncodeTask(&graph.Task{Key: graph.Key("inc-" + strings.Repeat("x", i%7)), Func: "inc",
				Args: []graph.Arg{graph.Ref("a-1"), graph.Value([]byte{byte(i)})}, Priority: i})
			if err != nil {
				t.Fatal(err)
			}
			in.Msgs = append(in.Msgs, &pb.ClientMsg{Msg: &pb.ClientMsg_UpdateGraph{UpdateGraph: &pb.UpdateGraph{Tasks: [][]byte{b}}}})
		}
		data, err := newCodec().Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		raw := data.Materialize()
		var stock pb.ClientBatch
		if err := proto.Unmarshal(raw, &stock); err != nil || !proto.Equal(&stock, in) {
			t.Fatalf("n=%d: protobuf reads the codec's bytes as %v, %v", n, len(stock.Msgs), err)
		}
		var out pb.ClientBatch
		if err := newCodec().Unmarshal(data, &out); err != nil || !proto.Equal(&out, in) {
			t.Fatalf("n=%d: round trip: %d messages, %v", n, len(out.Msgs), err)
		}
		data.Free()
	}
}

// A message without generated marshalling code goes through protobuf's.
func TestCodecTakesAnyProtocolMessage(t *testing.T) {
	in, err := structpb.NewStruct(map[string]any{"a": 1.5, "b": "x"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := newCodec().Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out structpb.Struct
	if err := newCodec().Unmarshal(data, &out); err != nil || !proto.Equal(&out, in) {
		t.Fatalf("round trip: %v, %v", &out, err)
	}
	if _, err := newCodec().Marshal(42); err == nil || !strings.Contains(err.Error(), "int") {
		t.Fatalf("encoding an int: %v", err)
	}
	if err := newCodec().Unmarshal(mem.BufferSlice{mem.SliceBuffer([]byte{})}, new(int)); err == nil {
		t.Fatal("decoding into an int succeeded")
	}
}

// equalKnown compares two tasks' known fields (unknown fields are kept as
// raw bytes, which the two decoders may cut differently).
func equalKnown(a, b *pb.Task) bool {
	a, b = proto.CloneOf(a), proto.CloneOf(b)
	dropUnknown(a.ProtoReflect())
	dropUnknown(b.ProtoReflect())
	return proto.Equal(a, b)
}

// dropUnknown clears m's unknown fields and those of every message in it.
func dropUnknown(m protoreflect.Message) {
	m.SetUnknown(nil)
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			for i := range v.List().Len() {
				dropUnknown(v.List().Get(i).Message())
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				dropUnknown(mv.Message())
				return true
			})
		case !fd.IsList() && !fd.IsMap() && fd.Message() != nil:
			dropUnknown(v.Message())
		}
		return true
	})
}

// FuzzCodecAgreesWithProtobuf: whatever protobuf's own decoder reads from
// arbitrary bytes, its known fields encoded again by protobuf (as any correct encoder
// would), the generated decoder reads as the same message; and on the
// arbitrary bytes themselves it never panics, and what it returns, if
// anything, encodes to bytes that read back the same. (On malformed bytes
// the two may differ: protobuf refuses a string that is not UTF-8, the
// generated code a known field with another wire type, and it reads a
// malformed map entry as some entry where protobuf skips it. Every value
// it can read that way is one a well-formed message could carry: a peer
// with the token gains nothing, and dusk's own bytes are well formed.)
func FuzzCodecAgreesWithProtobuf(f *testing.F) {
	good, err := EncodeTask(&graph.Task{Key: "b-1", Func: "inc", Args: []graph.Arg{graph.Ref("a-1"),
		graph.List(graph.Value([]byte{1}), graph.Ref("c-1"))}, Resources: map[string]float64{"GPU": 1}, Retries: 1})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x02, 0xff, 0xfe})
	f.Fuzz(func(t *testing.T, b []byte) {
		var stock pb.Task
		if proto.Unmarshal(b, &stock) == nil {
			dropUnknown(stock.ProtoReflect())
			wellFormed, err := proto.MarshalOptions{Deterministic: true}.Marshal(&stock)
			if err != nil {
				t.Fatal(err)
			}
			var gen pb.Task
			if err := gen.UnmarshalVT(wellFormed); err != nil || !proto.Equal(&gen, &stock) {
				t.Fatalf("protobuf's encoding %x of %v reads as %v, %v", wellFormed, &stock, &gen, err)
			}
		}
		var gen pb.Task
		if gen.UnmarshalVT(b) != nil {
			return
		}
		again, err := gen.MarshalVT()
		if err != nil {
			t.Fatal(err)
		}
		var back pb.Task
		if err := back.UnmarshalVT(again); err != nil || !equalKnown(&back, &gen) {
			t.Fatalf("%x does not read back: %v", again, err)
		}
	})
}

// FuzzTaskDecoderAgreesWithProtobuf: DecodeTask, which reads a task's
// bytes straight into a graph.Task, accepts exactly the bytes protobuf's
// decoder (with TaskFromPB's checks) accepts, and reads the same task.
func FuzzTaskDecoderAgreesWithProtobuf(f *testing.F) {
	for _, tk := range []*graph.Task{
		{Key: "b-1", Func: "inc", Args: []graph.Arg{graph.Ref("a-1"), graph.List(graph.Value([]byte{1}), graph.Ref("c-1"))},
			Resources: map[string]float64{"GPU": 1, "MEM": 2.5}, Retries: 1, Priority: -3, Workers: []string{"w1", "w2"}, AllowOtherWorkers: true, Fused: 2},
		{Key: "f-1", Func: "outer", Args: []graph.Arg{{Kind: graph.ArgCall, Call: &graph.Call{Func: "inner", Key: "g-1", Args: []graph.Arg{graph.Value(nil), graph.List()}}}}},
	} {
		b, err := EncodeTask(tk)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x02, 0xff, 0xfe})
	f.Fuzz(func(t *testing.T, b []byte) {
		var p pb.Task
		var want *graph.Task
		errWant := proto.Unmarshal(b, &p)
		if errWant == nil {
			want, errWant = TaskFromPB(&p)
		}
		got, err := decodeTask(b)
		if (err == nil) != (errWant == nil) {
			t.Fatalf("%x: decodeTask says %v, protobuf %v", b, err, errWant)
		}
		if err != nil {
			return
		}
		if !reflect.DeepEqual(normalize(got), normalize(want)) {
			t.Fatalf("%x reads as\n%+v\nwith protobuf as\n%+v", b, got, want)
		}
	})
}

// normalize makes empty literals nil, for comparing tasks read by two
// decoders (one of which gives empty literals as empty slices).
func normalize(t *graph.Task) *graph.Task {
	var fix func([]graph.Arg)
	fix = func(args []graph.Arg) {
		for i := range args {
			a := &args[i]
			if len(a.Value) == 0 {
				a.Value = nil
			}
			fix(a.List)
			if a.Call != nil {
				fix(a.Call.Args)
			}
		}
	}
	fix(t.Args)
	return t
}

// FuzzTaskEncoderAgreesWithProtobuf: AppendTask writes, for every task the
// decoder reads, the bytes protobuf writes for TaskToPB of it (map entries
// in key order, as protobuf's deterministic marshalling puts them).
func FuzzTaskEncoderAgreesWithProtobuf(f *testing.F) {
	for _, tk := range []*graph.Task{
		{Key: "b-1", Func: "inc", Args: []graph.Arg{graph.Ref("a-1"), graph.List(graph.Value([]byte{1}), graph.Ref("c-1"))},
			Resources: map[string]float64{"GPU": 1, "MEM": 2.5, "": -0.0}, Retries: -1, Priority: -3, Workers: []string{"w1", ""}, AllowOtherWorkers: true, Fused: 2},
		{Key: "f-1", Func: "outer", Args: []graph.Arg{{Kind: graph.ArgCall, Call: &graph.Call{Func: "inner", Key: "g-1", Args: []graph.Arg{graph.Value(nil), graph.List(), graph.Ref("")}}}}},
		{Key: "k", Args: []graph.Arg{graph.Value(make([]byte, 300)), {Kind: graph.ArgCall, Call: &graph.Call{}}}, Fused: -7, Priority: 1 << 40},
	} {
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(TaskToPB(tk))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var p pb.Task
		if proto.Unmarshal(b, &p) != nil {
			return
		}
		task, err := TaskFromPB(&p)
		if err != nil {
			return
		}
		want, err := proto.MarshalOptions{Deterministic: true}.Marshal(TaskToPB(task))
		if err != nil {
			t.Fatal(err)
		}
		got, err := AppendTask([]byte("prefix"), task)
		if err != nil {
			t.Fatalf("AppendTask(%+v): %v", task, err)
		}
		if !bytes.Equal(got[len("prefix"):], want) || string(got[:len("prefix")]) != "prefix" {
			t.Fatalf("task %+v:\nAppendTask %x\nprotobuf   %x", task, got, want)
		}
	})
}

func TestTaskEncoderRefusesWhatNoDecoderReads(t *testing.T) {
	for _, tk := range []*graph.Task{
		{Func: "inc"},
		{Key: "a\xff", Func: "inc"},
		{Key: "a", Func: "inc", Args: []graph.Arg{graph.List(graph.Ref("b\xfe"))}},
		{Key: "a", Func: "inc", Args: []graph.Arg{{Kind: graph.ArgCall, Call: &graph.Call{Func: "f\xc0"}}}},
		{Key: "a", Resources: map[string]float64{"\xff": 1}},
		{Key: "a", Workers: []string{"\xff"}},
	} {
		if _, err := AppendTask(nil, tk); err == nil {
			t.Errorf("AppendTask(%+v) = nil error; want one", tk)
		}
	}
}
