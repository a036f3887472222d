package wire

import (
	"fmt"
	"math"
	"slices"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/dusk-go/dusk/graph"
)

// The task encoder is the decoder's other half: it appends a task's
// protocol form (message Task of pb/dusk.proto) to a buffer straight from
// the graph.Task, without building the generated messages first (a client
// encodes every task it submits; the generated messages were five objects
// a task, dropped as soon as they were marshalled). What it writes is what
// protobuf writes for the task's generated message, byte for byte, the
// resources' map entries in key order (protobuf's deterministic order);
// FuzzTaskEncoderAgreesWithProtobuf checks it.

// AppendTask appends t's protocol form to dst. A client's tasks of one
// graph go into one buffer this way.
func AppendTask(dst []byte, t *graph.Task) ([]byte, error) {
	if t.Key == "" {
		return dst, fmt.Errorf("dusk: a task without a key")
	}
	if t.Encoded != nil {
		return append(dst, t.Encoded...), nil
	}
	if s, ok := invalidString(t); !ok {
		return dst, fmt.Errorf("dusk: encoding task %s: %q is not valid UTF-8 (protocol strings must be)", t.Key, s)
	}
	b := appendString(dst, taskKey, string(t.Key))
	b = appendString(b, taskFunc, t.Func)
	b = appendArgs(b, taskArgs, t.Args)
	if len(t.Resources) > 0 {
		names := make([]string, 0, len(t.Resources))
		for name := range t.Resources {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			entry := protowire.SizeTag(entryKey) + protowire.SizeBytes(len(name)) + protowire.SizeTag(entryValue) + protowire.SizeFixed64()
			b = protowire.AppendTag(b, taskResources, protowire.BytesType)
			b = protowire.AppendVarint(b, uint64(entry))
			b = protowire.AppendTag(b, entryKey, protowire.BytesType)
			b = protowire.AppendString(b, name)
			b = protowire.AppendTag(b, entryValue, protowire.Fixed64Type)
			b = protowire.AppendFixed64(b, math.Float64bits(t.Resources[name]))
		}
	}
	b = appendInt(b, taskPriority, int64(t.Priority))
	b = appendInt(b, taskRetries, int64(int32(t.Retries)))
	for _, w := range t.Workers {
		b = protowire.AppendTag(b, taskWorkers, protowire.BytesType)
		b = protowire.AppendString(b, w)
	}
	if t.AllowOtherWorkers {
		b = protowire.AppendTag(b, taskAllow, protowire.VarintType)
		b = protowire.AppendVarint(b, 1)
	}
	b = appendInt(b, taskFused, int64(int32(t.Fused)))
	return b, nil
}

// invalidString returns the first of t's strings that is not valid UTF-8
// and false, or true if they all are (protobuf refuses to marshal such a
// string, and a decoder to read it).
func invalidString(t *graph.Task) (string, bool) {
	if !utf8.ValidString(string(t.Key)) {
		return string(t.Key), false
	}
	if !utf8.ValidString(t.Func) {
		return t.Func, false
	}
	for name := range t.Resources {
		if !utf8.ValidString(name) {
			return name, false
		}
	}
	for _, w := range t.Workers {
		if !utf8.ValidString(w) {
			return w, false
		}
	}
	return invalidArgString(t.Args)
}

func invalidArgString(args []graph.Arg) (string, bool) {
	for i := range args {
		a := &args[i]
		switch a.Kind {
		case graph.ArgRef:
			if !utf8.ValidString(string(a.Ref)) {
				return string(a.Ref), false
			}
		case graph.ArgList:
			if s, ok := invalidArgString(a.List); !ok {
				return s, false
			}
		case graph.ArgCall:
			if !utf8.ValidString(a.Call.Func) {
				return a.Call.Func, false
			}
			if !utf8.ValidString(string(a.Call.Key)) {
				return string(a.Call.Key), false
			}
			if s, ok := invalidArgString(a.Call.Args); !ok {
				return s, false
			}
		}
	}
	return "", true
}

// appendString appends a string field, left out when empty (proto3).
func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// appendInt appends an integer field as a varint (a negative int32 or
// int64 takes ten bytes, as protobuf writes it), left out when zero.
func appendInt(b []byte, num protowire.Number, v int64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

// appendArgs appends each argument as a field num of type Arg.
func appendArgs(b []byte, num protowire.Number, args []graph.Arg) []byte {
	for i := range args {
		b = protowire.AppendTag(b, num, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(argSize(&args[i])))
		b = appendArg(b, &args[i])
	}
	return b
}

// appendArg appends the fields of message Arg for a (its one member of
// the oneof is written even when empty, as protobuf writes a set oneof).
func appendArg(b []byte, a *graph.Arg) []byte {
	switch a.Kind {
	case graph.ArgValue:
		b = protowire.AppendTag(b, argValue, protowire.BytesType)
		b = protowire.AppendBytes(b, a.Value)
	case graph.ArgRef:
		b = protowire.AppendTag(b, argRef, protowire.BytesType)
		b = protowire.AppendString(b, string(a.Ref))
	case graph.ArgList:
		b = protowire.AppendTag(b, argList, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(argsSize(listItems, a.List)))
		b = appendArgs(b, listItems, a.List)
	case graph.ArgCall:
		b = protowire.AppendTag(b, argCall, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(callSize(a.Call)))
		b = appendString(b, callFunc, a.Call.Func)
		b = appendArgs(b, callArgs, a.Call.Args)
		b = appendString(b, callKey, string(a.Call.Key))
	}
	return b
}

// argSize is the size of message Arg for a, without its own tag and length.
func argSize(a *graph.Arg) int {
	switch a.Kind {
	case graph.ArgValue:
		return protowire.SizeTag(argValue) + protowire.SizeBytes(len(a.Value))
	case graph.ArgRef:
		return protowire.SizeTag(argRef) + protowire.SizeBytes(len(a.Ref))
	case graph.ArgList:
		return protowire.SizeTag(argList) + protowire.SizeBytes(argsSize(listItems, a.List))
	case graph.ArgCall:
		return protowire.SizeTag(argCall) + protowire.SizeBytes(callSize(a.Call))
	}
	return 0
}

// argsSize is the size of args as repeated field num.
func argsSize(num protowire.Number, args []graph.Arg) int {
	n := 0
	for i := range args {
		n += protowire.SizeTag(num) + protowire.SizeBytes(argSize(&args[i]))
	}
	return n
}

// callSize is the size of message Call for c.
func callSize(c *graph.Call) int {
	n := argsSize(callArgs, c.Args)
	if c.Func != "" {
		n += protowire.SizeTag(callFunc) + protowire.SizeBytes(len(c.Func))
	}
	if c.Key != "" {
		n += protowire.SizeTag(callKey) + protowire.SizeBytes(len(c.Key))
	}
	return n
}
