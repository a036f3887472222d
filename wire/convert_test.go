package wire

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/task"
)

func TestEventsSurviveTheWire(t *testing.T) {
	at := time.Unix(100, 5)
	in := []event.Event{
		{Kind: event.TaskRun, Time: at, Key: "inc-1", Worker: "w", Thread: 2, Start: at, Stop: at.Add(time.Second), NBytes: 8, Detail: "int",
			CPU: 300 * time.Millisecond, Wait: 20 * time.Millisecond},
		{Kind: event.WorkerSample, Time: at, Worker: "w", Memory: &event.MemorySample{Managed: 1, Unmanaged: 2, UnmanagedRecent: 1, Spilled: 3, Limit: 4, CPU: 0.5, Paused: true, Procs: 4}},
		{Kind: event.Transfer, Time: at, Key: "x-1", Worker: "a", Peer: "b", NBytes: 99, Start: at, Stop: at},
		{Kind: event.Log, Time: at, Key: "INFO", Detail: "hello"},
		{Kind: event.Transition, Time: at, Key: "inc-1", Worker: "w", From: "processing", To: "memory", Cause: 42, Stimulus: "task-finished"},
		{Kind: event.Advice, Time: at, Key: "auto-scatter", Worker: "client c1", Detail: "placed", Remedy: "scatter", Fixed: true},
	}
	out := EventsFromPB(EventsToPB(in))
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", out, in)
	}
}

func TestTaskErrorsSurviveTheWire(t *testing.T) {
	for _, k := range task.ErrorKinds {
		in := &task.TaskError{Kind: k, Key: "inc-1", Func: "inc", Worker: "w1", Message: "m", Stack: "s"}
		if out := TaskErrorFromPB(TaskErrorToPB(in)); !reflect.DeepEqual(in, out) {
			t.Errorf("round trip of kind %s: %+v", k, out)
		}
	}
	if got := TaskErrorFromPB(nil); got.Kind != task.ErrTask || got.Message == "" {
		t.Errorf("a missing error reads as %+v", got)
	}
}

func TestTasksTravelAsTheirClientEncoding(t *testing.T) {
	in := &graph.Task{Key: "b-1", Func: "inc", Args: []graph.Arg{graph.Ref("a-1"), {Kind: graph.ArgValue, Value: []byte{1}}},
		Resources: map[string]float64{"GPU": 1}, Priority: 3, Retries: 2, Workers: []string{"w1"}, Fused: 2}
	b, err := EncodeTask(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := DecodeTask(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Encoded, b) {
		t.Fatal("a decoded task does not keep its encoding")
	}
	again, err := EncodeTask(out)
	if err != nil || &again[0] != &b[0] {
		t.Fatal("a decoded task is encoded again instead of forwarded")
	}
	out.Encoded = nil
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip: %+v, want %+v", out, in)
	}
	if _, err := DecodeTask([]byte{0xff, 0xff}); err == nil {
		t.Fatal("garbage decodes as a task")
	}
}

// FuzzDecodeTask feeds the scheduler's and the workers' task decoder
// arbitrary bytes, as a client (or anything that has the token) may send:
// it returns a task or an error, never panics, and a task it returns
// encodes again to the bytes it came from.
func FuzzDecodeTask(f *testing.F) {
	good, err := EncodeTask(&graph.Task{Key: "b-1", Func: "inc", Args: []graph.Arg{graph.Ref("a-1"),
		graph.List(graph.Value([]byte{1}), graph.Ref("c-1"))}, Resources: map[string]float64{"GPU": 1}, Retries: 1})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		task, err := DecodeTask(b)
		if err != nil {
			return
		}
		again, err := EncodeTask(task)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("a decoded task encodes to %x, %v; it came from %x", again, err, b)
		}
		_ = task.Deps()
	})
}

// Connection failures are told in plain words, without gRPC's own.
func TestPlainConnectionErrors(t *testing.T) {
	got := plain(`latest balancer error: connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:8998: connect: connection refused"`)
	if want := "cannot connect to 127.0.0.1:8998: connection refused"; got != want {
		t.Fatalf("plain = %q, want %q", got, want)
	}
	if got := plain("wrong token"); got != "wrong token" {
		t.Fatalf("plain changed a plain message: %q", got)
	}
}
