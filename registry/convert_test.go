package registry

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// A literal converts to a parameter's number type only when the value
// survives exactly; otherwise the error names the function, the argument
// and both types.
func TestConvertArgRefusesLossyNumbers(t *testing.T) {
	r := New()
	inc := r.Register("inc", func(ctx context.Context, x int) (int, error) { return x + 1, nil })
	small := r.Register("small", func(x int8, u uint, f32 float32, f64 float64) int { return 0 })
	bad := []struct {
		f   *Func
		i   int
		v   any
		msg string
	}{
		{inc, 0, 3.9, "have float64 3.9, want int"},
		{inc, 0, 1e30, "want int"},
		{inc, 0, math.NaN(), "want int"},
		{inc, 0, math.Inf(1), "want int"},
		{inc, 0, uint64(math.MaxUint64), "want int"},
		{small, 0, 300, "have int 300, want int8"},
		{small, 1, -1, "have int -1, want uint"},
		{small, 1, -0.5, "want uint"},
		{small, 2, 0.1, "have float64 0.1, want float32"},
		{small, 2, 1<<25 + 1, "want float32"},
		{small, 3, int64(1)<<53 + 1, "want float64"},
		{small, 3, "2", "have string, want float64"},
	}
	for _, c := range bad {
		_, err := c.f.ConvertArg(c.i, c.v)
		if err == nil {
			t.Errorf("%s argument %d = %v (%T) converted; want an error", c.f.Name(), c.i+1, c.v, c.v)
			continue
		}
		var ae *ArgError
		if msg := err.Error(); !strings.Contains(msg, c.msg) || !strings.Contains(msg, c.f.Name()) || !errors.As(err, &ae) || ae.Index != c.i {
			t.Errorf("%s argument %d = %v: error %q, want it to name the function, the argument and %q", c.f.Name(), c.i+1, c.v, msg, c.msg)
		}
	}
	good := []struct {
		f    *Func
		i    int
		v    any
		want any
	}{
		{inc, 0, 3.0, 3},
		{inc, 0, int64(-7), -7},
		{inc, 0, uint8(200), 200},
		{small, 0, -128, int8(-128)},
		{small, 1, 5.0, uint(5)},
		{small, 2, 0.5, float32(0.5)},
		{small, 2, 1 << 24, float32(1 << 24)},
		{small, 2, math.NaN(), float32(math.NaN())},
		{small, 3, int64(1) << 53, float64(1 << 53)},
		{small, 3, float32(0.1), float64(float32(0.1))},
	}
	for _, c := range good {
		got, err := c.f.ConvertArg(c.i, c.v)
		if err != nil {
			t.Errorf("%s argument %d = %v (%T): %v", c.f.Name(), c.i+1, c.v, c.v, err)
			continue
		}
		if g := got.Interface(); g != c.want && !(isNaN(g) && isNaN(c.want)) {
			t.Errorf("%s argument %d = %v: got %v (%T), want %v (%T)", c.f.Name(), c.i+1, c.v, g, g, c.want, c.want)
		}
	}
}

func isNaN(v any) bool {
	f, ok := v.(float32)
	if ok {
		return f != f
	}
	d, ok := v.(float64)
	return ok && d != d
}

// Types convert without a value only where every value survives.
func TestAssignableTypesWidenOnly(t *testing.T) {
	for _, c := range []struct {
		have, want any
		ok         bool
	}{
		{int32(0), int64(0), true}, {int64(0), int32(0), false}, {uint8(0), 0, true}, {uint64(0), int64(0), false},
		{0, uint(0), false}, {float32(0), float64(0), true}, {float64(0), float32(0), false},
		{int32(0), float64(0), true}, {int64(0), float64(0), false}, {int16(0), float32(0), true},
		{int32(0), float32(0), false}, {uint32(0), float64(0), true}, {0.0, 0, false}, {"", 0, false},
	} {
		h, w := reflect.TypeOf(c.have), reflect.TypeOf(c.want)
		if got := Assignable(h, w); got != c.ok {
			t.Errorf("Assignable(%s, %s) = %v, want %v", h, w, got, c.ok)
		}
	}
}
