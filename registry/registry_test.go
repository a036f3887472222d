package registry

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

func TestRegisterShapes(t *testing.T) {
	r := New()
	ok := map[string]any{
		"ctx-err":  func(ctx context.Context, x int) (int, error) { return x, nil },
		"plain":    func(x, y int) int { return x + y },
		"only-err": func(s string) error { return nil },
		"variadic": func(xs ...int) int { return len(xs) },
		"no-args":  func() string { return "x" },
	}
	for name, fn := range ok {
		r.Register(name, fn)
	}
	bad := map[string]any{
		"not-a-func":    42,
		"two-values":    func() (int, int) { return 0, 0 },
		"ctx-not-first": func(x int, ctx context.Context) int { return 0 },
		"no-results":    func(int) {},
		"nil":           nil,
	}
	for name, fn := range bad {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: registered", name)
				}
			}()
			r.Register(name, fn)
		}()
	}
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "twice") {
			t.Errorf("a second registration of a name: %v", p)
		}
	}()
	r.Register("plain", func() int { return 0 })
}

func TestConvertArg(t *testing.T) {
	r := New()
	f := r.Register("f", func(ctx context.Context, x int64, s []string, v any) (int, error) { return 0, nil })
	if err := f.CheckCount(2); err == nil || !strings.Contains(err.Error(), "takes 3 arguments, got 2") {
		t.Fatalf("count: %v", err)
	}
	if got, err := f.ConvertArg(0, 1); err != nil || got.Interface() != int64(1) {
		t.Fatalf("an int for an int64 should convert: %v, %v", got, err)
	}
	_, err := f.ConvertArg(1, "x")
	var ae *ArgError
	if !errors.As(err, &ae) || ae.Index != 1 || !strings.Contains(err.Error(), "have string, want []string") || !strings.Contains(err.Error(), "argument 2") {
		t.Fatalf("type mismatch: %v", err)
	}
	if _, err := f.ConvertArg(2, struct{}{}); err != nil {
		t.Fatalf("anything fits any: %v", err)
	}
	if _, err := f.ConvertArg(1, nil); err != nil {
		t.Fatalf("nil fits a slice: %v", err)
	}
}

func TestCallRecoversPanicsWithStack(t *testing.T) {
	r := New()
	f := r.Register("boom", func(x int) int {
		var m map[string]int
		m["x"] = x // panics
		return 0
	})
	_, err := f.Call(context.Background(), []reflect.Value{reflect.ValueOf(1)})
	var pe *PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(pe.Stack, "registry_test.go") || strings.Contains(pe.Stack, "runtime/debug") {
		t.Fatalf("stack should start at the user's code:\n%s", pe.Stack)
	}
}

func TestCallVariadicAndErrors(t *testing.T) {
	r := New()
	sum := r.Register("sum", func(xs ...int) int {
		s := 0
		for _, x := range xs {
			s += x
		}
		return s
	})
	res, err := sum.Call(context.Background(), []reflect.Value{reflect.ValueOf([]int{1, 2, 3})})
	if err != nil || res != 6 {
		t.Fatalf("sum = %v, %v", res, err)
	}
	fail := r.Register("fail", func(ctx context.Context) error { return errors.New("nope") })
	if _, err := fail.Call(context.Background(), nil); err == nil || err.Error() != "nope" {
		t.Fatalf("fail = %v", err)
	}
}

func TestFingerprintAndMismatch(t *testing.T) {
	a, b := New(), New()
	a.Register("f", func(x int) int { return x })
	b.Register("f", func(x int) int { return x })
	if a.Fingerprint() != b.Fingerprint() {
		t.Fatal("same registries, different fingerprints")
	}
	c := New()
	c.Register("f", func(x string) int { return 0 })
	if a.Fingerprint() == c.Fingerprint() {
		t.Fatal("different signatures, same fingerprint")
	}
	d := Mismatch(a.Entries(), c.Entries())
	if !strings.Contains(d, "f is func(int) int here but func(string) int there") {
		t.Fatalf("mismatch = %q", d)
	}
	extra := New()
	extra.Register("g", func() int { return 0 })
	if d := Mismatch(a.Entries(), extra.Entries()); d != "" {
		t.Fatalf("names only one side has are no mismatch: %q", d)
	}
}

type plug struct{ N int }

func TestPlugins(t *testing.T) {
	r := New()
	r.RegisterPlugin("p", reflect.TypeOf(plug{}))
	if typ, ok := r.Plugin("p"); !ok || typ != reflect.TypeOf(plug{}) {
		t.Fatal("plugin not found")
	}
	if n, ok := r.PluginName(reflect.TypeOf(plug{})); !ok || n != "p" {
		t.Fatalf("plugin name = %q", n)
	}
}

func TestBuildIDIsTheGoBuildIDOfTheExecutable(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Skipf("go tool buildid: %v", err)
	}
	if got, want := BuildID(), strings.TrimSpace(string(out)); got != want {
		t.Fatalf("BuildID() = %q, go tool buildid says %q", got, want)
	}
}
