package dataframe

import (
	"fmt"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe/engine"
)

// Go values given to the column methods (FillNA, IsIn, Where, Clip, ...)
// become typed SQL literals here, checked against the column's type: a
// value that the column cannot hold exactly is refused, never rounded.

// sqlType returns DuckDB's name for an Arrow type the column methods work
// with, or "" for one they do not.
func sqlType(t arrow.DataType) string {
	switch t.ID() {
	case arrow.INT8:
		return "TINYINT"
	case arrow.INT16:
		return "SMALLINT"
	case arrow.INT32:
		return "INTEGER"
	case arrow.INT64:
		return "BIGINT"
	case arrow.UINT8:
		return "UTINYINT"
	case arrow.UINT16:
		return "USMALLINT"
	case arrow.UINT32:
		return "UINTEGER"
	case arrow.UINT64:
		return "UBIGINT"
	case arrow.FLOAT32:
		return "FLOAT"
	case arrow.FLOAT64:
		return "DOUBLE"
	case arrow.STRING, arrow.LARGE_STRING:
		return "VARCHAR"
	case arrow.BOOL:
		return "BOOLEAN"
	}
	return ""
}

// isIntOrFloat reports whether t is an integer or a floating-point type
// (not a decimal).
func isIntOrFloat(t arrow.DataType) bool {
	return arrow.IsInteger(t.ID()) || arrow.IsFloating(t.ID())
}

// intBits returns the width and signedness of an integer type.
func intBits(t arrow.DataType) (bits int, signed bool) {
	switch t.ID() {
	case arrow.INT8:
		return 8, true
	case arrow.INT16:
		return 16, true
	case arrow.INT32:
		return 32, true
	case arrow.INT64:
		return 64, true
	case arrow.UINT8:
		return 8, false
	case arrow.UINT16:
		return 16, false
	case arrow.UINT32:
		return 32, false
	case arrow.UINT64:
		return 64, false
	}
	return 0, false
}

// goNumber classifies a Go number: an integer (as int64, or uint64 when
// it does not fit one) or a float.
type goNumber struct {
	isInt, isUint bool
	i             int64
	u             uint64
	f             float64
}

func numberOf(v any) (goNumber, bool) {
	switch x := v.(type) {
	case int:
		return goNumber{isInt: true, i: int64(x)}, true
	case int8:
		return goNumber{isInt: true, i: int64(x)}, true
	case int16:
		return goNumber{isInt: true, i: int64(x)}, true
	case int32:
		return goNumber{isInt: true, i: int64(x)}, true
	case int64:
		return goNumber{isInt: true, i: x}, true
	case uint:
		return numberOfUint(uint64(x)), true
	case uint8:
		return numberOfUint(uint64(x)), true
	case uint16:
		return numberOfUint(uint64(x)), true
	case uint32:
		return numberOfUint(uint64(x)), true
	case uint64:
		return numberOfUint(x), true
	case float32:
		return goNumber{f: float64(x)}, true
	case float64:
		return goNumber{f: x}, true
	}
	return goNumber{}, false
}

func numberOfUint(u uint64) goNumber {
	if u <= math.MaxInt64 {
		return goNumber{isInt: true, i: int64(u)}
	}
	return goNumber{isUint: true, u: u}
}

// fitsInt reports whether an integer fits an integer type of bits.
func (n goNumber) fitsInt(bits int, signed bool) bool {
	if n.isUint {
		return !signed && bits == 64
	}
	if signed {
		lim := int64(1) << (bits - 1)
		return bits == 64 || (n.i >= -lim && n.i < lim)
	}
	return n.i >= 0 && (bits == 64 || n.i < int64(1)<<bits)
}

// sqlLiteral returns v as a SQL literal of the column's type, or an error
// saying why the column cannot hold it exactly.
func sqlLiteral(v any, col string, t arrow.DataType) (string, error) {
	typ := sqlType(t)
	bad := func(why string) error {
		return fmt.Errorf("the value %s (%T) does not fit column %q of type %s%s", showValue(v), v, col, typeName(t), why)
	}
	if typ == "" {
		return "", bad(" (this call works on integer, float, string and bool columns)")
	}
	cast := func(lit string) string { return "CAST(" + lit + " AS " + typ + ")" }
	switch x := v.(type) {
	case string:
		if typ != "VARCHAR" {
			return "", bad("")
		}
		return cast(engine.SQLString(x)), nil
	case bool:
		if typ != "BOOLEAN" {
			return "", bad("")
		}
		return cast(strconv.FormatBool(x)), nil
	}
	n, ok := numberOf(v)
	if !ok {
		return "", bad(" (give an integer, float, string or bool)")
	}
	switch {
	case arrow.IsInteger(t.ID()):
		bits, signed := intBits(t)
		if !n.isInt && !n.isUint {
			// A float fits only when it is a whole number in range.
			if n.f != math.Trunc(n.f) || math.IsInf(n.f, 0) || n.f < -(1<<63) || n.f >= 1<<64 {
				return "", bad(" without loss")
			}
			if n.f >= 1<<63 {
				n = goNumber{isUint: true, u: uint64(n.f)}
			} else {
				n = goNumber{isInt: true, i: int64(n.f)}
			}
		}
		if !n.fitsInt(bits, signed) {
			return "", bad(" (out of range)")
		}
		if n.isUint {
			return cast(strconv.FormatUint(n.u, 10)), nil
		}
		return cast(strconv.FormatInt(n.i, 10)), nil
	case arrow.IsFloating(t.ID()):
		f := n.f
		switch {
		case n.isInt:
			f = float64(n.i)
			if int64(f) != n.i || f == 1<<63 {
				return "", bad(" without loss")
			}
		case n.isUint:
			f = float64(n.u)
			if f >= 1<<64 || uint64(f) != n.u {
				return "", bad(" without loss")
			}
		}
		if t.ID() == arrow.FLOAT32 && !math.IsNaN(f) && float64(float32(f)) != f {
			return "", bad(" without loss")
		}
		return cast(floatLiteral(f)), nil
	}
	return "", bad("")
}

// floatLiteral writes f so that DuckDB reads back the same double.
func floatLiteral(f float64) string {
	switch {
	case math.IsNaN(f):
		return "'nan'::DOUBLE"
	case math.IsInf(f, 1):
		return "'inf'::DOUBLE"
	case math.IsInf(f, -1):
		return "'-inf'::DOUBLE"
	}
	return strconv.FormatFloat(f, 'g', -1, 64) + "::DOUBLE"
}

// showValue writes a value for a message: strings quoted.
func showValue(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}
