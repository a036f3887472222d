package dusk_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
)

var (
	joinFirst = dusk.Register("test.join-first", func(ctx context.Context, sep string, n int64, words ...string) (string, error) {
		if int(n) > len(words) {
			return "", fmt.Errorf("%d words, want %d", len(words), n)
		}
		return strings.Join(words[:n], sep), nil
	})
	positive = dusk.Register("test.positive", func(x int) int {
		if x <= 0 {
			panic("not positive")
		}
		return x
	})
)

// CallLocal runs a registered function in this process with the arguments
// a task would get: numbers converted, trailing arguments of a variadic
// function gathered, mistakes and panics returned as errors.
func TestFuncCallLocal(t *testing.T) {
	ctx := context.Background()
	if got := fmt.Sprint(joinFirst.Params(), joinFirst.Result(), joinFirst.Variadic()); got != "[string int64 []string] string true" {
		t.Fatalf("Params, Result, Variadic = %s", got)
	}
	if positive.Result() != reflect.TypeFor[int]() || positive.Variadic() {
		t.Fatalf("positive: Result %v, Variadic %v", positive.Result(), positive.Variadic())
	}
	v, err := joinFirst.CallLocal(ctx, "-", 2, "a", "b", "c") // 2 is an int, the parameter an int64
	if err != nil || v != "a-b" {
		t.Fatalf("CallLocal = %v, %v; want a-b", v, err)
	}
	if v, err := joinFirst.CallLocal(ctx, "-", 0); err != nil || v != "" {
		t.Fatalf("CallLocal with no variadic arguments = %q, %v", v, err)
	}
	if _, err := joinFirst.CallLocal(ctx, "-", 3, "a"); err == nil || !strings.Contains(err.Error(), "1 words, want 3") {
		t.Fatalf("the function's error: %v", err)
	}
	if _, err := joinFirst.CallLocal(ctx, "-"); err == nil || !strings.Contains(err.Error(), "takes at least 2 arguments, got 1") {
		t.Fatalf("too few arguments: %v", err)
	}
	if _, err := joinFirst.CallLocal(ctx, 1, 2); err == nil || !strings.Contains(err.Error(), "argument 1: have int, want string") {
		t.Fatalf("a wrong argument type: %v", err)
	}
	if _, err := positive.CallLocal(ctx, -1); err == nil || !strings.Contains(err.Error(), "test.positive panicked: not positive") {
		t.Fatalf("a panic: %v", err)
	}
}

func TestParseBytesAndSizeOf(t *testing.T) {
	for s, want := range map[string]int64{"128MB": 128_000_000, "1.5 KiB": 1536, "4096": 4096} {
		if n, err := dusk.ParseBytes(s); err != nil || n != want {
			t.Fatalf("ParseBytes(%q) = %d, %v; want %d", s, n, err, want)
		}
	}
	if _, err := dusk.ParseBytes("12 parsecs"); err == nil {
		t.Fatal("ParseBytes read an unknown unit")
	}
	if n := dusk.SizeOf(make([]int64, 1000)); n < 8000 || n > 8800 {
		t.Fatalf("SizeOf of 1000 int64s = %d", n)
	}
}
