package io

import (
	"math"
	"math/bits"
	"strconv"
)

// parseFloat parses a decimal number as strconv.ParseFloat(s, 64) does,
// with the same result to the bit, faster for the plain decimals CSV files
// hold ([-+]digits[.digits][e[-+]digits], at most 19 significant digits):
//
//   - when the digits fit in 53 bits and the power of ten is at most 1e22,
//     both are exact float64s and one multiplication or division rounds
//     the result correctly (Clinger's fast path);
//   - for a division by 10^k, k <= 19, of up to 19 digits, an integer
//     division of the digits shifted left, whose quotient has 55 bits or
//     more and whose remainder says whether anything was left over, gives
//     the 53 bits and how to round them.
//
// Anything else (more digits, larger exponents, inf, nan, hexadecimal,
// malformed text) goes to strconv.ParseFloat.
func parseFloat(s string) (float64, error) {
	if f, ok := parseDecimal(s); ok {
		return f, nil
	}
	return strconv.ParseFloat(s, 64)
}

// pow10s are the powers of ten a float64 holds exactly.
var pow10s = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseDecimal is parseFloat's fast part; ok is false when it cannot say.
func parseDecimal(s string) (f float64, ok bool) {
	i, n := 0, len(s)
	neg := false
	if i < n && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var man uint64
	digits, exp10 := 0, 0 // significant digits read; power of ten
	// digitRun reads a run of digits into man; in a fraction each one
	// lowers the power of ten.
	digitRun := func(frac bool) (read, ok bool) {
		for ; i < n && s[i] >= '0' && s[i] <= '9'; i++ {
			read = true
			if frac {
				exp10--
			}
			if man == 0 && s[i] == '0' {
				continue
			}
			if digits == 19 {
				return read, false
			}
			man = man*10 + uint64(s[i]-'0')
			digits++
		}
		return read, true
	}
	any, ok := digitRun(false)
	if !ok {
		return 0, false
	}
	if i < n && s[i] == '.' {
		i++
		read, ok := digitRun(true)
		if !ok {
			return 0, false
		}
		any = any || read
	}
	if !any {
		return 0, false
	}
	if i < n && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < n && (s[i] == '-' || s[i] == '+') {
			eneg = s[i] == '-'
			i++
		}
		if i == n {
			return 0, false
		}
		e := 0
		for ; i < n && s[i] >= '0' && s[i] <= '9'; i++ {
			if e > 1000 {
				return 0, false
			}
			e = e*10 + int(s[i]-'0')
		}
		if eneg {
			e = -e
		}
		exp10 += e
	}
	if i != n {
		return 0, false
	}
	switch {
	case man == 0:
		f = 0
	case exp10 == 0:
		f = float64(man) // rounds to nearest even, as parsing does
	case man <= 1<<53 && exp10 > 0 && exp10 <= 22:
		f = float64(man) * pow10s[exp10]
	case man <= 1<<53 && exp10 < 0 && exp10 >= -22:
		f = float64(man) / pow10s[-exp10]
	case exp10 < 0 && exp10 >= -19:
		f = divPow10(man, -exp10)
	default:
		return 0, false
	}
	if neg {
		f = -f
	}
	return f, true
}

// divPow10 returns man / 10^k rounded to the nearest float64 (ties to
// even), for man > 0 and 1 <= k <= 19.
func divPow10(man uint64, k int) float64 {
	d := uint64(1)
	for range k {
		d *= 10
	}
	// man * 2^s / d has at least 55 bits: 53 kept, a rounding bit, and
	// more that, with the remainder, say whether the rest is zero.
	s := max(55-bits.Len64(man)+bits.Len64(d), 0)
	var hi, lo uint64
	if s >= 64 {
		hi, lo = man<<(s-64), 0
	} else if s > 0 {
		hi, lo = man>>(64-s), man<<s
	} else {
		lo = man
	}
	q, r := bits.Div64(hi, lo, d) // hi < d: the quotient fits in 64 bits
	extra := bits.Len64(q) - 53
	mant := q >> extra
	low := q & (1<<extra - 1)
	half := uint64(1) << (extra - 1)
	if low > half || (low == half && (r != 0 || mant&1 == 1)) {
		mant++
		if mant == 1<<53 {
			mant >>= 1
			extra++
		}
	}
	// mant is 1.x times 2^52: the float's exponent is 52+extra-s.
	if e := 52 + extra - s + 1023; e >= 1 && e <= 2046 {
		return math.Float64frombits(uint64(e)<<52 | mant&(1<<52-1))
	}
	return math.Ldexp(float64(mant), extra-s)
}
