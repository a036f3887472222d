package dusk_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/cluster"
)

var (
	fFail  = dusk.Register("it.fail", func(msg string) (int, error) { return 0, errors.New(msg) })
	fPanic = dusk.Register("it.panic", func(msg string) int { panicInTask(msg); return 0 })

	// fClientOnly is registered in the test process but not in worker
	// processes started from the test binary: workers do not know it.
	fClientOnly = func() *dusk.Func {
		if os.Getenv(cluster.EnvRole) == "worker" {
			return nil
		}
		return dusk.Register("it.client-only", func(x int) int { return x })
	}()
)

func panicInTask(msg string) { panic("boom: " + msg) }

func TestTaskErrorReachesCaller(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	f, err := dusk.Submit[int](ctx, c, fFail, "the disk is full")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Result(ctx)
	var te *dusk.TaskError
	if !errors.As(err, &te) {
		t.Fatalf("Result = %v (%T); want a *dusk.TaskError", err, err)
	}
	if te.Kind != "error" || te.Message != "the disk is full" || te.Key != string(f.Key()) || te.Func != "it.fail" || te.Worker == "" {
		t.Fatalf("TaskError = %+v", te)
	}
	if f.Status() != dusk.Erred {
		t.Fatalf("Status = %s, want error", f.Status())
	}
	for _, want := range []string{string(f.Key()), "it.fail", "the disk is full"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error text %q does not contain %q", err, want)
		}
	}
	if errors.Is(err, dusk.ErrCancelled) || errors.Is(err, dusk.ErrKilledWorker) {
		t.Errorf("a task error matches ErrCancelled or ErrKilledWorker")
	}
	// The cluster keeps working.
	g, err := dusk.Submit[int](ctx, c, fInc, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := g.Result(ctx); err != nil || v != 2 {
		t.Fatalf("after a failure: %v, %v", v, err)
	}
}

func TestTaskPanicReachesCallerWithStack(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	f, err := dusk.Submit[int](ctx, c, fPanic, "at midnight")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Result(ctx)
	var te *dusk.TaskError
	if !errors.As(err, &te) {
		t.Fatalf("Result = %v (%T); want a *dusk.TaskError", err, err)
	}
	if te.Kind != "panic" || !strings.Contains(te.Message, "boom: at midnight") || te.Key != string(f.Key()) {
		t.Fatalf("TaskError = %+v", te)
	}
	if !strings.Contains(te.Stack, "errors_test.go") || !strings.Contains(te.Stack, "panicInTask") {
		t.Fatalf("the panic's stack does not name the test's code (errors_test.go, panicInTask):\n%s", te.Stack)
	}
	if !strings.Contains(err.Error(), "panicked") {
		t.Errorf("error text %q does not say the task panicked", err)
	}
	// The cluster keeps working, on every worker.
	items := make([]int, 20)
	fs, err := dusk.Map[int](ctx, c, fInc, items)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dusk.Gather(ctx, fs); err != nil {
		t.Fatalf("after a panic: %v", err)
	}
	// Panics are retried like errors.
	g, err := dusk.Submit[int](ctx, c, fPanic.With(dusk.Retries(1)), "twice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Result(ctx); !errors.As(err, &te) || te.Kind != "panic" {
		t.Fatalf("panicking task with a retry = %v", err)
	}
}

// Dependents of a failed task fail with the failed task's error and key.
func TestDependentsOfFailedTaskFail(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	bad, err := dusk.Submit[int](ctx, c, fFail, "root cause")
	if err != nil {
		t.Fatal(err)
	}
	dep, err := dusk.Submit[int](ctx, c, fInc, bad)
	if err != nil {
		t.Fatal(err)
	}
	dep2, err := dusk.Submit[int](ctx, c, fDouble, dep)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []*dusk.Future[int]{dep, dep2} {
		_, err := f.Result(ctx)
		var te *dusk.TaskError
		if !errors.As(err, &te) {
			t.Fatalf("dependent %s: %v; want a *dusk.TaskError", f.Key(), err)
		}
		if te.Key != string(bad.Key()) || !strings.Contains(te.Message, "root cause") {
			t.Fatalf("dependent %s failed with %+v; want the error of %s", f.Key(), te, bad.Key())
		}
	}
	// A task submitted after the failure fails the same way.
	late, err := dusk.Submit[int](ctx, c, fInc, bad)
	if err != nil {
		t.Fatal(err)
	}
	_, err = late.Result(ctx)
	var te *dusk.TaskError
	if !errors.As(err, &te) || te.Key != string(bad.Key()) {
		t.Fatalf("dependent submitted after the failure: %v", err)
	}
	// In a delayed graph, with and without optimization (which fuses the
	// chain into one task): the error names the node that failed.
	for _, opt := range []bool{false, true} {
		failing := dusk.Call[int](fFail, "deep")
		d := dusk.Call[int](fAdd, dusk.Call[int](fInc, failing), 1)
		_, err = dusk.Compute(ctx, c, d, dusk.Optimize(opt))
		if !errors.As(err, &te) || te.Message != "deep" || te.Func != "it.fail" || te.Key != string(failing.Key()) || te.Kind != "error" {
			t.Errorf("Optimize(%v): Compute of a chain with a failing node = %#v; want kind error, key %s, func it.fail, message \"deep\"", opt, te, failing.Key())
		}
	}
	// Unrelated work still runs.
	ok, err := dusk.Submit[int](ctx, c, fInc, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := ok.Result(ctx); err != nil || v != 2 {
		t.Fatalf("unrelated work = %v, %v", v, err)
	}
}

func argError(t *testing.T, err error) *dusk.ArgError {
	t.Helper()
	var ae *dusk.ArgError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not a *dusk.ArgError", err, err)
	}
	return ae
}

func checkMentions(t *testing.T, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one mentioning %q", wants)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

// Mistakes in a call are errors at submit time, naming the function, its
// signature and the caller's file:line.
func TestSubmitArgumentMistakes(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	here := func(line int) string { return fmt.Sprintf("errors_test.go:%d", line) }

	_, err := dusk.Submit[int](ctx, c, fAdd, 1)
	line := thisLine() - 1
	checkMentions(t, err, "it.add", "func(int, int) int", "takes 2 arguments, got 1", here(line))
	if ae := argError(t, err); !strings.HasSuffix(ae.Caller, here(line)) {
		t.Errorf("Caller = %q, want the file:line %q", ae.Caller, here(line))
	}

	_, err = dusk.Submit[int](ctx, c, fAdd, 1, 2, 3)
	line = thisLine() - 1
	checkMentions(t, err, "it.add", "func(int, int) int", "takes 2 arguments, got 3", here(line))

	_, err = dusk.Submit[int](ctx, c, fInc, "seven")
	line = thisLine() - 1
	checkMentions(t, err, "it.inc", "func(context.Context, int) (int, error)", "argument 1", "have string, want int", here(line))

	_, err = dusk.Submit[int](ctx, c, fSumV, 1, "two")
	line = thisLine() - 1
	checkMentions(t, err, "it.sumv", "func(...int) int", "argument 2", "have string, want int", here(line))

	_, err = dusk.Submit[string](ctx, c, fJoin)
	line = thisLine() - 1
	checkMentions(t, err, "it.join", "at least 1", here(line))

	_, err = dusk.Submit[int](ctx, c, fLen, nil)
	if err != nil {
		t.Errorf("nil for a []byte parameter: %v", err)
	}

	_, err = dusk.Submit[int](ctx, c, fInc, nil)
	line = thisLine() - 1
	checkMentions(t, err, "it.inc", "have nil, want int", here(line))

	// A future of the wrong type.
	s, err := dusk.Submit[string](ctx, c, fJoin, ",", "a")
	if err != nil {
		t.Fatal(err)
	}
	_, err = dusk.Submit[int](ctx, c, fInc, s)
	line = thisLine() - 1
	checkMentions(t, err, "it.inc", "future of string, want int", here(line))

	// A slice of futures where a single value is wanted.
	_, err = dusk.Submit[int](ctx, c, fInc, []*dusk.Future[string]{s})
	line = thisLine() - 1
	checkMentions(t, err, "it.inc", here(line))

	// Map reports the same way.
	_, err = dusk.Map[int](ctx, c, fInc, []string{"a", "b"})
	line = thisLine() - 1
	checkMentions(t, err, "it.inc", "have string, want int", here(line))

	// Nothing of the failed calls reached the cluster: it still works.
	f, err := dusk.Submit[int](ctx, c, fInc, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Result(ctx); err != nil || v != 2 {
		t.Fatalf("after mistakes: %v, %v", v, err)
	}
}

// Arguments are never converted lossily: a number that does not fit the
// parameter's type exactly is an error where the call is written, naming
// the function, the argument and both types; exact numbers convert.
func TestSubmitRefusesLossyNumbers(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	here := func(line int) string { return fmt.Sprintf("errors_test.go:%d", line) }

	_, err := dusk.Submit[int](ctx, c, fInc, 3.9)
	line := thisLine() - 1
	checkMentions(t, err, "it.inc", "argument 1", "have float64 3.9, want int", here(line))

	_, err = dusk.Submit[int](ctx, c, fInc, 1e30)
	line = thisLine() - 1
	checkMentions(t, err, "it.inc", "argument 1", "want int", here(line))

	_, err = dusk.Map[int](ctx, c, fInc, []float64{1, 2.5})
	line = thisLine() - 1
	checkMentions(t, err, "it.inc", "have float64 2.5, want int", here(line))

	_, err = dusk.Compute(ctx, c, dusk.Call[int](fInc, 0.5))
	line = thisLine() - 1
	checkMentions(t, err, "it.inc", "have float64 0.5, want int", here(line))

	// A future whose type cannot hold every value exactly.
	fl, err := dusk.Submit[float64](ctx, c, fToFloat, 1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = dusk.Submit[int](ctx, c, fInc, fl)
	line = thisLine() - 1
	checkMentions(t, err, "it.inc", "future of float64, want int", here(line))

	// Exact numbers still convert.
	f, err := dusk.Submit[int](ctx, c, fInc, 41.0)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Result(ctx); err != nil || v != 42 {
		t.Fatalf("inc(41.0) = %v, %v; want 42", v, err)
	}
}

// The result type T must be the function's.
func TestSubmitWrongResultType(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	_, err := dusk.Submit[string](ctx, c, fInc, 1)
	line := thisLine() - 1
	checkMentions(t, err, "it.inc", "func(context.Context, int) (int, error)", "returns int, not string", fmt.Sprintf("errors_test.go:%d", line))
	argError(t, err)

	_, err = dusk.Map[string](ctx, c, fInc, []int{1})
	line = thisLine() - 1
	checkMentions(t, err, "it.inc", "returns int, not string", fmt.Sprintf("errors_test.go:%d", line))

	_, err = dusk.Submit[int](ctx, c, fCheck, 1)
	line = thisLine() - 1
	checkMentions(t, err, "it.check", "returns no value", "struct{}", fmt.Sprintf("errors_test.go:%d", line))

	_, err = dusk.Run[string](ctx, c, fGC)
	line = thisLine() - 1
	checkMentions(t, err, "it.gc", "returns int64, not string", fmt.Sprintf("errors_test.go:%d", line))

	// An interface result type is fine.
	f, err := dusk.Submit[any](ctx, c, fInc, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Result(ctx); err != nil || fmt.Sprint(v) != "2" {
		t.Fatalf("Submit[any] = %v, %v", v, err)
	}
}

// A function the workers' binary lacks is refused at submit time, naming
// the function and saying what to do; the cluster keeps working.
func TestUnknownFunctionOnWorker(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalProcesses(), dusk.LocalThreads(1))
	_, err := dusk.Submit[int](ctx, c, fClientOnly, 1)
	line := thisLine() - 1
	checkMentions(t, err, "it.client-only", "not registered on any", "dusk.Main", fmt.Sprintf("errors_test.go:%d", line))
	// Run on every worker reports the worker's own refusal.
	_, err = dusk.Run[int](ctx, c, fClientOnly, 1)
	checkMentions(t, err, "it.client-only", "not registered")
	// Known functions still run.
	g, err := dusk.Submit[int](ctx, c, fInc, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := g.Result(ctx); err != nil || v != 2 {
		t.Fatalf("after an unknown function: %v, %v", v, err)
	}
}

// Lookup finds registered functions by name.
func TestLookup(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f, ok := dusk.Lookup("it.add")
	if !ok || f.Name() != "it.add" || f.Signature() != "func(int, int) int" {
		t.Fatalf("Lookup(it.add) = %v, %v", f, ok)
	}
	if _, ok := dusk.Lookup("it.no-such-function"); ok {
		t.Fatal("Lookup found an unregistered name")
	}
	c := newCluster(t, ctx)
	g, err := dusk.Submit[int](ctx, c, f, 20, 22)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := g.Result(ctx); err != nil || v != 42 {
		t.Fatalf("looked-up function = %v, %v", v, err)
	}
}

// Waiting on a future gives up with the caller's context.
func TestResultHonoursContext(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	name := uniq(t)
	f, err := dusk.Submit[int](ctx, c, fGated, name, 1)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.Result(short); !errors.Is(err, context.Canceled) {
		t.Fatalf("Result with a cancelled context = %v", err)
	}
	sig(name).fire()
	if v, err := f.Result(ctx); err != nil || v != 1 {
		t.Fatalf("Result = %v, %v", v, err)
	}
}

// withSecret has an unexported field: its values cannot travel whole.
type withSecret struct {
	Public int
	secret string
}

// sealedPoint keeps its fields private and travels through its own
// MarshalBinary and UnmarshalBinary.
type sealedPoint struct{ x, y int }

func (p sealedPoint) MarshalBinary() ([]byte, error) {
	return []byte(fmt.Sprintf("%d,%d", p.x, p.y)), nil
}
func (p *sealedPoint) UnmarshalBinary(b []byte) error {
	_, err := fmt.Sscanf(string(b), "%d,%d", &p.x, &p.y)
	return err
}

var fMoveSealed = dusk.Register("it.move-sealed", func(p sealedPoint) sealedPoint { return sealedPoint{p.x + 1, p.y + 2} })

// A type whose unexported fields would arrive zeroed is refused where it
// is registered or scattered, with a message that says how to make it
// travel; a type that encodes itself travels whole.
func TestUnexportedFieldsAreRefused(t *testing.T) {
	t.Parallel()
	for _, reg := range []struct {
		what string
		fn   any
	}{
		{"argument 1", func(s withSecret) int { return s.Public }},
		{"result", func(x int) []withSecret { return nil }},
		{"argument 2", func(ctx context.Context, x int, m map[string]*withSecret) error { return nil }},
	} {
		msg := func() (msg string) {
			defer func() { msg = fmt.Sprint(recover()) }()
			dusk.Register("it.secret-"+uniq(t), reg.fn)
			return ""
		}()
		for _, want := range []string{reg.what, `field "secret"`, "withSecret", "export the field", "MarshalBinary"} {
			if !strings.Contains(msg, want) {
				t.Errorf("registering a function with %s of withSecret: %q lacks %q", reg.what, msg, want)
			}
		}
	}
	ctx := testContext(t)
	c := newCluster(t, ctx)
	if _, err := dusk.Scatter(ctx, c, withSecret{Public: 1, secret: "s"}); err == nil || !strings.Contains(err.Error(), `field "secret"`) {
		t.Errorf("scattering a withSecret: %v", err)
	}
	f, err := dusk.Submit[sealedPoint](ctx, c, fMoveSealed, sealedPoint{1, 1})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := f.Result(ctx); err != nil || p != (sealedPoint{2, 3}) {
		t.Fatalf("a sealed point moved: %+v, %v; want {2 3}", p, err)
	}
}
