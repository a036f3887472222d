package io

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// checkParseFloat fails unless parseFloat gives strconv.ParseFloat's
// result, to the bit, and the same error or none.
func checkParseFloat(t *testing.T, s string) {
	t.Helper()
	want, werr := strconv.ParseFloat(s, 64)
	got, gerr := parseFloat(s)
	if (werr == nil) != (gerr == nil) || math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
		t.Fatalf("parseFloat(%q) = %v (%016x), %v; strconv says %v (%016x), %v", s, got, math.Float64bits(got), gerr, want, math.Float64bits(want), werr)
	}
}

func TestParseFloatAgreesWithStrconv(t *testing.T) {
	for _, s := range []string{
		"0", "-0", "+0", "0.0", "00012", "1", "-1", ".5", "5.", "-.5e3", "1e22", "1e23", "9007199254740993",
		"9007199254740992.5", "0.1", "0.3", "1.7976931348623157e308", "1e-320", "4.9e-324", "1e400",
		"0.15651925473279124", "0.9999999999999999999", "12345678901234567890", "1234567890123456789",
		"0.1234567890123456789", "1.5e-19", "7.450580596923828125e-9", "2.2250738585072014e-308",
		"inf", "-Inf", "NaN", "", "-", ".", "e5", "1e", "1e+", "1.2.3", "1_000", "0x1p-2", "1,5", " 1", "1 ",
		"0.000000000000000000001", "123e-5", "5e-1", "0.5000000000000000277",
	} {
		checkParseFloat(t, s)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		var f float64
		switch rng.IntN(4) {
		case 0:
			f = rng.Float64()
		case 1:
			f = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(40)-20))
		case 2:
			f = math.Float64frombits(rng.Uint64())
		case 3:
			f = float64(rng.Int64N(1_000_000)) / 1000
		}
		for _, s := range []string{
			strconv.FormatFloat(f, 'g', -1, 64), strconv.FormatFloat(f, 'f', -1, 64),
			strconv.FormatFloat(f, 'e', rng.IntN(20), 64), strconv.FormatFloat(f, 'f', rng.IntN(20), 64),
		} {
			checkParseFloat(t, s)
		}
		// Random digit strings, halfway cases among them.
		b := []byte(strconv.FormatUint(rng.Uint64()>>rng.IntN(64), 10))
		dot := rng.IntN(len(b) + 1)
		s := string(b[:dot]) + "." + string(b[dot:])
		checkParseFloat(t, s)
		checkParseFloat(t, s+"5")
		checkParseFloat(t, s+"e-"+strconv.Itoa(rng.IntN(30)))
	}
}

func FuzzParseFloat(f *testing.F) {
	f.Add("0.15651925473279124")
	f.Add("-1.5e-7")
	f.Fuzz(func(t *testing.T, s string) { checkParseFloat(t, s) })
}

func BenchmarkParseFloat(b *testing.B) {
	ss := []string{"0.6046602879796196", "0.9405090880450124", "0.6645600532184904", "0.4377141871869802",
		"0.4246374970712657", "0.06563701921747622", "0.15651925473279124"}
	for _, impl := range []struct {
		name string
		f    func(string) (float64, error)
	}{{"dusk", parseFloat}, {"strconv", func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }}} {
		b.Run(impl.name, func(b *testing.B) {
			var sum float64
			for b.Loop() {
				for _, s := range ss {
					v, _ := impl.f(s)
					sum += v
				}
			}
			_ = sum
		})
	}
}
