package wire

import (
	"fmt"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/task"
	"github.com/dusk-go/dusk/wire/pb"
)

// EncodeTask returns the task's protocol form, marshalled: what a client
// sends in UpdateGraph and the scheduler forwards in ComputeTask.
func EncodeTask(t *graph.Task) ([]byte, error) {
	if t.Encoded != nil {
		return t.Encoded, nil
	}
	return AppendTask(nil, t)
}

// DecodeTask reads a task from its marshalled protocol form, checking its
// shape; the task keeps b as its Encoded form.
func DecodeTask(b []byte) (*graph.Task, error) {
	t, err := decodeTask(b)
	if err != nil {
		return nil, err
	}
	t.Encoded = b
	return t, nil
}

// TaskFromPB converts a task from its protocol form, checking its shape.
func TaskFromPB(p *pb.Task) (*graph.Task, error) {
	if p.GetKey() == "" {
		return nil, fmt.Errorf("dusk: a task without a key")
	}
	args, err := argsFromPB(p.GetArgs(), 0)
	if err != nil {
		return nil, fmt.Errorf("dusk: task %s: %w", p.GetKey(), err)
	}
	t := &graph.Task{
		Key:               graph.Key(p.GetKey()),
		Func:              p.GetFunc(),
		Args:              args,
		Priority:          int(p.GetPriority()),
		Retries:           int(p.GetRetries()),
		AllowOtherWorkers: p.GetAllowOtherWorkers(),
		Fused:             int(p.GetFused()),
	}
	if len(p.GetResources()) > 0 {
		t.Resources = p.GetResources()
	}
	if len(p.GetWorkers()) > 0 {
		t.Workers = p.GetWorkers()
	}
	return t, nil
}

// maxArgDepth bounds the nesting of arguments a peer may send.
const maxArgDepth = 4096

func argsFromPB(ps []*pb.Arg, depth int) ([]graph.Arg, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	if depth > maxArgDepth {
		return nil, fmt.Errorf("arguments nested deeper than %d", maxArgDepth)
	}
	out := make([]graph.Arg, len(ps))
	for i, p := range ps {
		switch k := p.GetKind().(type) {
		case *pb.Arg_Value:
			out[i] = graph.Arg{Kind: graph.ArgValue, Value: k.Value}
		case *pb.Arg_Ref:
			out[i] = graph.Arg{Kind: graph.ArgRef, Ref: graph.Key(k.Ref)}
		case *pb.Arg_List:
			items, err := argsFromPB(k.List.GetItems(), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = graph.Arg{Kind: graph.ArgList, List: items}
		case *pb.Arg_Call:
			if k.Call.GetFunc() == "" {
				return nil, fmt.Errorf("argument %d: a nested call without a function", i)
			}
			args, err := argsFromPB(k.Call.GetArgs(), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = graph.Arg{Kind: graph.ArgCall, Call: &graph.Call{Func: k.Call.GetFunc(), Args: args, Key: graph.Key(k.Call.GetKey())}}
		default:
			return nil, fmt.Errorf("argument %d is empty", i)
		}
	}
	return out, nil
}

// Keys converts keys to strings.
func Keys(ks []graph.Key) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

// GraphKeys converts strings to keys.
func GraphKeys(ss []string) []graph.Key {
	out := make([]graph.Key, len(ss))
	for i, s := range ss {
		out[i] = graph.Key(s)
	}
	return out
}

// PriorityFromPB converts a priority from its protocol form.
func PriorityFromPB(p *pb.Priority) graph.Priority {
	return graph.Priority{User: p.GetUser(), Generation: p.GetGeneration(), Order: p.GetOrder()}
}

// KeySizes converts the columns of keys and sizes of a message (a short
// sizes column, from a faulty peer, leaves sizes 0).
func KeySizes(keys []string, nbytes []int64) []graph.KeySize {
	out := make([]graph.KeySize, len(keys))
	for i, k := range keys {
		out[i].Key = graph.Key(k)
		if i < len(nbytes) {
			out[i].NBytes = nbytes[i]
		}
	}
	return out
}

// errorKinds maps the protocol's error kinds to task's, by enum number.
var errorKinds = map[pb.ErrorKind]task.ErrorKind{
	pb.ErrorKind_ERROR_KIND_TASK:             task.ErrTask,
	pb.ErrorKind_ERROR_KIND_PANIC:            task.ErrPanic,
	pb.ErrorKind_ERROR_KIND_KILLED_WORKER:    task.ErrKilledWorker,
	pb.ErrorKind_ERROR_KIND_LOST:             task.ErrLost,
	pb.ErrorKind_ERROR_KIND_UNKNOWN_FUNCTION: task.ErrUnknownFunc,
	pb.ErrorKind_ERROR_KIND_DEPENDENCY:       task.ErrDependency,
}

// TaskErrorToPB converts a task error to its protocol form.
func TaskErrorToPB(e *task.TaskError) *pb.TaskError {
	if e == nil {
		return nil
	}
	p := &pb.TaskError{Key: e.Key, Func: e.Func, Worker: e.Worker, Message: e.Message, Stack: e.Stack}
	for pk, k := range errorKinds {
		if k == e.Kind {
			p.Kind = pk
		}
	}
	return p
}

// TaskErrorFromPB converts a task error from its protocol form; a missing
// error (a faulty peer) reads as a plain failure, an unknown kind as
// ErrTask.
func TaskErrorFromPB(p *pb.TaskError) *task.TaskError {
	if p == nil {
		return &task.TaskError{Kind: task.ErrTask, Message: "failed"}
	}
	kind, ok := errorKinds[p.GetKind()]
	if !ok {
		kind = task.ErrTask
	}
	return &task.TaskError{Kind: kind, Key: p.GetKey(), Func: p.GetFunc(), Worker: p.GetWorker(),
		Message: p.GetMessage(), Stack: p.GetStack()}
}
