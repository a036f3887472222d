package wire

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/dusk-go/dusk/graph"
)

// The task decoder reads a task's protocol form (message Task of
// pb/dusk.proto) straight into a graph.Task: every task a client submits
// is decoded by the scheduler and again by the worker that runs it, and
// going through the generated message first made each argument three
// objects before it became one. It reads what protobuf's own decoder reads
// and refuses what it refuses (FuzzTaskDecoderAgreesWithProtobuf): fields
// in any order, the last of a repeated scalar winning, unknown fields and
// known fields of another wire type skipped, strings that are not UTF-8
// refused. Literal arguments keep pointing into the encoded bytes, which
// the task keeps as its Encoded form.

// Field numbers of the messages the decoder reads (pb/dusk.proto).
const (
	taskKey       = 1
	taskFunc      = 2
	taskArgs      = 3
	taskResources = 4
	taskPriority  = 5
	taskRetries   = 6
	taskWorkers   = 7
	taskAllow     = 8
	taskFused     = 9

	argValue = 1
	argRef   = 2
	argList  = 3
	argCall  = 4

	listItems = 1

	callFunc = 1
	callArgs = 2
	callKey  = 3

	entryKey   = 1
	entryValue = 2
)

var errMalformed = errors.New("malformed protocol bytes")

// field is one field of a message: its number and wire type, and its
// value: v for varints and fixed-size numbers, b for bytes.
type field struct {
	num protowire.Number
	typ protowire.Type
	v   uint64
	b   []byte
}

// next reads the field at the start of b and returns it with the rest.
func next(b []byte) (field, []byte, error) {
	num, typ, n := protowire.ConsumeTag(b)
	if n < 0 || num > protowire.MaxValidNumber {
		return field{}, nil, errMalformed
	}
	b = b[n:]
	f := field{num: num, typ: typ}
	switch typ {
	case protowire.VarintType:
		f.v, n = protowire.ConsumeVarint(b)
	case protowire.Fixed64Type:
		f.v, n = protowire.ConsumeFixed64(b)
	case protowire.Fixed32Type:
		var v uint32
		v, n = protowire.ConsumeFixed32(b)
		f.v = uint64(v)
	case protowire.BytesType:
		f.b, n = protowire.ConsumeBytes(b)
		f.b = f.b[:len(f.b):len(f.b)]
	default:
		n = protowire.ConsumeFieldValue(num, typ, b)
	}
	if n < 0 {
		return field{}, nil, errMalformed
	}
	return f, b[n:], nil
}

// eachField calls fn with each field of the message b, in order.
func eachField(b []byte, fn func(f field) error) error {
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			return err
		}
		b = rest
	}
	return nil
}

// str returns f's bytes as a string, refusing bytes that are not UTF-8 (as
// protobuf does for a proto3 string).
func (f field) str(what string) (string, error) {
	if !utf8.Valid(f.b) {
		return "", fmt.Errorf("%s is not UTF-8", what)
	}
	return string(f.b), nil
}

// decodeTask reads a task from its protocol form. Bytes that are not a
// task are an error saying so; a task whose arguments are wrong (empty,
// nested too deep, a nested call without a function) an error naming it.
func decodeTask(b []byte) (*graph.Task, error) {
	t, err := readTask(b)
	if err != nil {
		return nil, fmt.Errorf("dusk: a task that does not decode: %w", err)
	}
	if t.Key == "" {
		return nil, fmt.Errorf("dusk: a task without a key")
	}
	if err := checkArgs(t.Args, 0); err != nil {
		return nil, fmt.Errorf("dusk: task %s: %w", t.Key, err)
	}
	return t, nil
}

// readTask reads the fields of a task.
func readTask(b []byte) (*graph.Task, error) {
	t := &graph.Task{}
	err := eachField(b, func(f field) error {
		var err error
		bytesField := f.typ == protowire.BytesType
		varint := f.typ == protowire.VarintType
		switch {
		case f.num == taskKey && bytesField:
			var k string
			k, err = f.str("the key")
			t.Key = graph.Key(k)
		case f.num == taskFunc && bytesField:
			t.Func, err = f.str("the function")
		case f.num == taskArgs && bytesField:
			var a graph.Arg
			err = decodeArg(f.b, &a, 0)
			t.Args = append(t.Args, a)
		case f.num == taskResources && bytesField:
			var name string
			var amount float64
			if name, amount, err = decodeEntry(f.b); err != nil {
				return err
			}
			if t.Resources == nil {
				t.Resources = map[string]float64{}
			}
			t.Resources[name] = amount
		case f.num == taskPriority && varint:
			t.Priority = int(int64(f.v))
		case f.num == taskRetries && varint:
			t.Retries = int(int32(f.v))
		case f.num == taskWorkers && bytesField:
			var w string
			w, err = f.str("a worker")
			t.Workers = append(t.Workers, w)
		case f.num == taskAllow && varint:
			t.AllowOtherWorkers = f.v != 0
		case f.num == taskFused && varint:
			t.Fused = int(int32(f.v))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// argEmpty is the kind of an argument none of whose fields was sent,
// while it is read (graph.Arg has no such kind): checkArgs refuses it.
const argEmpty graph.ArgKind = 255

// decodeArg reads one argument into a. A later field of the argument's
// oneof replaces an earlier one of another kind and merges into one of
// the same kind, as protobuf does.
func decodeArg(b []byte, a *graph.Arg, depth int) error {
	if depth > maxArgDepth {
		return fmt.Errorf("arguments nested deeper than %d", maxArgDepth)
	}
	a.Kind = argEmpty
	return eachField(b, func(f field) error {
		if f.typ != protowire.BytesType {
			return nil
		}
		switch f.num {
		case argValue:
			*a = graph.Arg{Kind: graph.ArgValue, Value: f.b}
			if a.Value == nil {
				a.Value = []byte{}
			}
		case argRef:
			r, err := f.str("a reference")
			if err != nil {
				return err
			}
			*a = graph.Arg{Kind: graph.ArgRef, Ref: graph.Key(r)}
		case argList:
			if a.Kind != graph.ArgList {
				*a = graph.Arg{Kind: graph.ArgList}
			}
			return decodeList(f.b, a, depth+1)
		case argCall:
			if a.Kind != graph.ArgCall {
				*a = graph.Arg{Kind: graph.ArgCall, Call: &graph.Call{}}
			}
			return decodeCall(f.b, a.Call, depth+1)
		}
		return nil
	})
}

// decodeList reads a list's items into a.List, after those it has. The
// items are counted first and decoded in place: a list of 25,000
// references (a merge's) grew its slice through twenty doublings, the
// scheduler and the worker each decoding it.
func decodeList(b []byte, a *graph.Arg, depth int) error {
	n := 0
	if err := eachField(b, func(f field) error {
		if f.num == listItems && f.typ == protowire.BytesType {
			n++
		}
		return nil
	}); err != nil {
		return err
	}
	a.List = slices.Grow(a.List, n)
	return eachField(b, func(f field) error {
		if f.num != listItems || f.typ != protowire.BytesType {
			return nil
		}
		a.List = append(a.List, graph.Arg{})
		return decodeArg(f.b, &a.List[len(a.List)-1], depth)
	})
}

func decodeCall(b []byte, c *graph.Call, depth int) error {
	return eachField(b, func(f field) error {
		if f.typ != protowire.BytesType {
			return nil
		}
		var err error
		switch f.num {
		case callFunc:
			if c.Func, err = f.str("a nested call's function"); err != nil {
				return err
			}
		case callArgs:
			var a graph.Arg
			if err := decodeArg(f.b, &a, depth); err != nil {
				return err
			}
			c.Args = append(c.Args, a)
		case callKey:
			k, err := f.str("a nested call's key")
			if err != nil {
				return err
			}
			c.Key = graph.Key(k)
		}
		return nil
	})
}

// decodeEntry reads one entry of the resources map.
func decodeEntry(b []byte) (string, float64, error) {
	var name string
	var amount float64
	err := eachField(b, func(f field) error {
		var err error
		switch {
		case f.num == entryKey && f.typ == protowire.BytesType:
			name, err = f.str("a resource's name")
		case f.num == entryValue && f.typ == protowire.Fixed64Type:
			amount = math.Float64frombits(f.v)
		}
		return err
	})
	return name, amount, err
}

// checkArgs refuses an empty argument and a nested call without a
// function, in the order and words of TaskFromPB.
func checkArgs(args []graph.Arg, depth int) error {
	for i := range args {
		a := &args[i]
		switch a.Kind {
		case argEmpty:
			return fmt.Errorf("argument %d is empty", i)
		case graph.ArgList:
			if err := checkArgs(a.List, depth+1); err != nil {
				return err
			}
		case graph.ArgCall:
			if a.Call.Func == "" {
				return fmt.Errorf("argument %d: a nested call without a function", i)
			}
			if err := checkArgs(a.Call.Args, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}
