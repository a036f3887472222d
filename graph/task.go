package graph

// ArgKind tells which field of an Arg is set.
type ArgKind uint8

// The kinds of argument.
const (
	// ArgValue is a literal, encoded by package codec.
	ArgValue ArgKind = iota
	// ArgRef refers to the result of another task.
	ArgRef
	// ArgList is a list of arguments, given to the function as a slice.
	ArgList
	// ArgCall is a nested call whose result is the argument; fusion
	// produces it.
	ArgCall
)

// Arg is one argument of a task.
type Arg struct {
	Kind  ArgKind
	Value []byte // ArgValue: the encoded literal
	Ref   Key    // ArgRef: the key whose result is passed
	List  []Arg  // ArgList: the elements
	Call  *Call  // ArgCall: the nested call
}

// Value returns a literal argument holding encoded bytes.
func Value(encoded []byte) Arg { return Arg{Kind: ArgValue, Value: encoded} }

// Ref returns an argument that passes the result of the task with key k.
func Ref(k Key) Arg { return Arg{Kind: ArgRef, Ref: k} }

// List returns an argument that passes its elements as one slice.
func List(items ...Arg) Arg { return Arg{Kind: ArgList, List: items} }

// Call is a function applied to arguments; a task is a keyed call.
type Call struct {
	Func string // registered function name
	Args []Arg
	// Key is the key the call had before it was fused into another task;
	// it names the step in errors and profiles. Empty for a task's own call.
	Key Key
}

// Task is a keyed call with the options that steer its scheduling.
type Task struct {
	Key  Key
	Func string // registered function name
	Args []Arg

	// Resources are abstract amounts (such as {"GPU": 1}) a worker must
	// supply while the task runs.
	Resources map[string]float64
	// Priority orders tasks the user marks as more urgent first (higher
	// first). Graph order breaks ties.
	Priority int
	// Retries is how many times a task that returns an error is run again.
	Retries int
	// Workers restricts the task to these workers (addresses or names).
	Workers []string
	// AllowOtherWorkers makes Workers a preference rather than a rule.
	AllowOtherWorkers bool
	// Fused counts the tasks this one stands for after fusion (0 or 1:
	// itself only).
	Fused int

	// Encoded is the task's protocol form as the client sent it (package
	// wire), set when the task was decoded from it: the scheduler forwards
	// these bytes to the worker instead of encoding the task again.
	Encoded []byte
}

// Deps returns the keys the task depends on, each once, in the order they
// first appear in its arguments.
func (t *Task) Deps() []Key {
	var deps []Key
	var seen map[Key]struct{}
	var walk func(args []Arg)
	walk = func(args []Arg) {
		for i := range args {
			a := &args[i]
			switch a.Kind {
			case ArgRef:
				if seen == nil {
					// Most tasks have few arguments; a linear scan is
					// cheaper than a map until there are many.
					if len(deps) < 8 {
						dup := false
						for _, d := range deps {
							if d == a.Ref {
								dup = true
								break
							}
						}
						if !dup {
							deps = append(deps, a.Ref)
						}
						if len(deps) == 8 {
							seen = make(map[Key]struct{}, 16)
							for _, d := range deps {
								seen[d] = struct{}{}
							}
						}
						continue
					}
				}
				if _, ok := seen[a.Ref]; !ok {
					seen[a.Ref] = struct{}{}
					deps = append(deps, a.Ref)
				}
			case ArgList:
				walk(a.List)
			case ArgCall:
				walk(a.Call.Args)
			}
		}
	}
	walk(t.Args)
	return deps
}

// AppendRefs appends to dst the keys the task's arguments refer to, in
// order, each as often as it appears (Deps gives each once): for a caller
// that removes repeats its own way, without a set per task.
func (t *Task) AppendRefs(dst []Key) []Key {
	return appendRefs(dst, t.Args)
}

func appendRefs(dst []Key, args []Arg) []Key {
	for i := range args {
		switch a := &args[i]; a.Kind {
		case ArgRef:
			dst = append(dst, a.Ref)
		case ArgList:
			dst = appendRefs(dst, a.List)
		case ArgCall:
			dst = appendRefs(dst, a.Call.Args)
		}
	}
	return dst
}

// Graph is a set of tasks by key.
type Graph map[Key]*Task

// Dependents returns, for every key of g, the keys of g that depend on it.
func (g Graph) Dependents() map[Key][]Key {
	out := make(map[Key][]Key, len(g))
	for k, t := range g {
		if _, ok := out[k]; !ok {
			out[k] = nil
		}
		for _, d := range t.Deps() {
			if _, ok := g[d]; ok {
				out[d] = append(out[d], k)
			}
		}
	}
	return out
}
