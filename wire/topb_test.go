package wire

import (
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/wire/pb"
)

// TaskToPB converts a task to its generated protocol message: the
// reference AppendTask and the task decoder are checked against.
func TaskToPB(t *graph.Task) *pb.Task {
	return &pb.Task{
		Key:               string(t.Key),
		Func:              t.Func,
		Args:              argsToPB(t.Args),
		Resources:         t.Resources,
		Priority:          int64(t.Priority),
		Retries:           int32(t.Retries),
		Workers:           t.Workers,
		AllowOtherWorkers: t.AllowOtherWorkers,
		Fused:             int32(t.Fused),
	}
}

func argsToPB(args []graph.Arg) []*pb.Arg {
	if len(args) == 0 {
		return nil
	}
	out := make([]*pb.Arg, len(args))
	// One allocation for all the wrappers of a task's arguments.
	backing := make([]pb.Arg, len(args))
	for i := range args {
		a := &args[i]
		p := &backing[i]
		switch a.Kind {
		case graph.ArgValue:
			p.Kind = &pb.Arg_Value{Value: a.Value}
		case graph.ArgRef:
			p.Kind = &pb.Arg_Ref{Ref: string(a.Ref)}
		case graph.ArgList:
			p.Kind = &pb.Arg_List{List: &pb.ArgList{Items: argsToPB(a.List)}}
		case graph.ArgCall:
			p.Kind = &pb.Arg_Call{Call: &pb.Call{Func: a.Call.Func, Args: argsToPB(a.Call.Args), Key: string(a.Call.Key)}}
		}
		out[i] = p
	}
	return out
}
