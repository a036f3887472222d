package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// AutoBytes is the value Bytes and Get report for a byte-size key set to
// "auto"; the component that reads the key decides what auto means (for
// worker.memory.limit, a share of the machine's memory). Set accepts it
// wherever "auto" is allowed.
const AutoBytes int64 = -1

// kind is the type of a key's value.
type kind uint8

const (
	kindFloat    kind = iota // float64
	kindFraction             // float64 in (0, 1]; 0 means disabled and is written false
	kindInt                  // int >= 0
	kindBool                 // bool
	kindString               // string
	kindDuration             // time.Duration >= 0
	kindBytes                // int64 >= 0, or AutoBytes
)

func (k kind) String() string {
	return [...]string{"float", "fraction", "int", "bool", "string", "duration", "byte size"}[k]
}

// Errors underneath a ValueError, for its Err field.
var (
	errType     = errors.New("wrong type")
	errRange    = errors.New("out of range")
	errNegative = errors.New("negative")
	errNull     = errors.New("no value")
)

// want says what the key accepts, for ValueError.Want.
func (k *keyInfo) want() string {
	more := ""
	if k.positive {
		more = " greater than 0"
	}
	switch k.kind {
	case kindFloat:
		if k.inf {
			return "a number" + more + ", or inf"
		}
		return "a number" + more
	case kindFraction:
		return "a fraction in (0, 1], or false to disable"
	case kindInt:
		if k.positive {
			return "a whole number greater than 0"
		}
		return "a whole number, 0 or more"
	case kindBool:
		return "true or false"
	case kindString:
		if k.syntax != "" {
			return k.syntax
		}
		return "a string"
	case kindDuration:
		return "a duration like 100ms or 2s" + more
	case kindBytes:
		s := "a byte size like 4GiB, 512MB or 1e9" + more
		if k.auto {
			s += ", or auto"
		}
		return s
	}
	panic("config: unknown kind")
}

// valueError wraps a failed parse or conversion of v.
func (k *keyInfo) valueError(v any, src Source, err error) *ValueError {
	return &ValueError{Key: k.name, Value: fmt.Sprint(v), Want: k.want(), Source: src, Err: err}
}

// parse turns text (an environment variable, a flag, a YAML string, a string
// given to Set) into the key's value.
func (k *keyInfo) parse(s string) (any, error) {
	t := strings.TrimSpace(s)
	switch k.kind {
	case kindString:
		if k.check != nil {
			if err := k.check(s); err != nil {
				return nil, err
			}
		}
		return s, nil
	case kindBool:
		switch strings.ToLower(t) {
		case "true", "yes", "on", "1":
			return true, nil
		case "false", "no", "off", "0":
			return false, nil
		}
		return nil, errType
	case kindInt:
		n, err := strconv.Atoi(t)
		if err != nil {
			return nil, err
		}
		return k.checkInt(int64(n))
	case kindFloat:
		f, err := strconv.ParseFloat(t, 64) // reads "inf" and "infinity" too
		if err != nil {
			return nil, err
		}
		return k.checkFloat(f)
	case kindFraction:
		if strings.EqualFold(t, "false") {
			return 0.0, nil
		}
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, err
		}
		return checkFraction(f)
	case kindDuration:
		d, err := time.ParseDuration(t)
		if err != nil {
			return nil, err
		}
		return k.checkDuration(d)
	case kindBytes:
		if k.auto && strings.EqualFold(t, "auto") {
			return AutoBytes, nil
		}
		n, err := ParseBytes(t)
		if err != nil {
			return nil, err
		}
		return k.checkBytes(n)
	}
	panic("config: unknown kind")
}

// convert turns a Go value (given to Set, or decoded from YAML) into the
// key's value. A string is parsed as text.
func (k *keyInfo) convert(v any) (any, error) {
	if s, ok := v.(string); ok {
		return k.parse(s)
	}
	switch k.kind {
	case kindBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case kindInt:
		if n, ok := asInt64(v); ok {
			return k.checkInt(n)
		}
	case kindFloat:
		if f, ok := asFloat64(v); ok {
			return k.checkFloat(f)
		}
	case kindFraction:
		if b, ok := v.(bool); ok && !b {
			return 0.0, nil
		}
		if f, ok := asFloat64(v); ok {
			return checkFraction(f)
		}
	case kindDuration:
		if d, ok := v.(time.Duration); ok {
			return k.checkDuration(d)
		}
	case kindBytes:
		if n, ok := asInt64(v); ok {
			return k.checkBytes(n)
		}
	}
	return nil, errType
}

func (k *keyInfo) checkInt(n int64) (any, error) {
	if n < 0 || n == 0 && k.positive || n > math.MaxInt {
		return nil, errRange
	}
	return int(n), nil
}

func (k *keyInfo) checkFloat(f float64) (any, error) {
	switch {
	case math.IsNaN(f), math.IsInf(f, 1) && !k.inf, f < 0, f == 0 && k.positive:
		return nil, errRange
	}
	return f, nil
}

// checkFraction allows 0, the value of a disabled fraction, so that what
// Get returns can be given back to Set.
func checkFraction(f float64) (any, error) {
	if !(f >= 0 && f <= 1) { // false for NaN too
		return nil, errRange
	}
	return f, nil
}

func (k *keyInfo) checkDuration(d time.Duration) (any, error) {
	if d < 0 {
		return nil, errNegative
	}
	if d == 0 && k.positive {
		return nil, errRange
	}
	return d, nil
}

func (k *keyInfo) checkBytes(n int64) (any, error) {
	switch {
	case n == AutoBytes && k.auto:
		return n, nil
	case n < 0:
		return nil, errNegative
	case n == 0 && k.positive:
		return nil, errRange
	}
	return n, nil
}

// format writes a value of the key the way a file would: "0.6", "false",
// "100ms", "auto", "1 MiB".
func (k *keyInfo) format(v any) string {
	switch k.kind {
	case kindFloat:
		f := v.(float64)
		if math.IsInf(f, 1) {
			return "inf"
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	case kindFraction:
		if f := v.(float64); f != 0 {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
		return "false"
	case kindBytes:
		if n := v.(int64); n != AutoBytes {
			return FormatBytes(n)
		}
		return "auto"
	}
	return fmt.Sprint(v)
}

// asInt64 reports v as an int64 if it is a Go integer, or a float with a
// whole value, that fits.
func asInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint:
		return int64(n), uint64(n) <= math.MaxInt64
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return int64(n), n <= math.MaxInt64
	case float32:
		return asInt64(float64(n))
	case float64:
		if n != math.Trunc(n) || n < math.MinInt64 || n >= math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	}
	return 0, false
}

// asFloat64 reports v as a float64 if it is a Go number.
func asFloat64(v any) (float64, bool) {
	switch f := v.(type) {
	case float64:
		return f, true
	case float32:
		return float64(f), true
	}
	if n, ok := asInt64(v); ok {
		return float64(n), true
	}
	return 0, false
}
