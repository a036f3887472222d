package dataframe

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe/engine"
)

// StrExpr holds the string functions of an Expr (like pandas' .str):
// Col("name").Str().Lower(). They apply to string (and categorical)
// columns; on another type they are an error where the Expr is used,
// naming the column and its type. A null stays null.
type StrExpr struct{ e Expr }

// Str returns the string functions of e.
func (e Expr) Str() StrExpr { return StrExpr{e} }

// DtExpr holds the date and time functions of an Expr (like pandas' .dt):
// Col("ts").Dt().Hour(). They apply to date and timestamp columns; on
// another type they are an error where the Expr is used, naming the
// column and its type. A timestamp with a time zone is read in its zone.
// A null stays null.
type DtExpr struct{ e Expr }

// Dt returns the date and time functions of e.
func (e Expr) Dt() DtExpr { return DtExpr{e} }

// strFn builds a string function of s.e: render gets the operand's SQL (a
// categorical column cast to VARCHAR) and returns the function's, or a
// mistake in the arguments.
func (s StrExpr) fn(name, args string, res arrow.DataType, render func(x string) (string, error)) Expr {
	e := s.e
	return Expr{text: fmt.Sprintf("%s.Str().%s(%s)", e, name, args), build: func(sch *arrow.Schema) (typedSQL, error) {
		x, err := e.render(sch)
		if err != nil {
			return typedSQL{}, err
		}
		if x.t != nil && !isString(x.t) {
			return typedSQL{}, fmt.Errorf("Str().%s: %s is %s, not a string; the Str functions need string columns", name, x.what(e), typeName(x.t))
		}
		in := x.sql
		if x.t != nil && x.t.ID() == arrow.DICTIONARY {
			in = "CAST(" + in + " AS VARCHAR)"
		}
		out, err := render(in)
		if err != nil {
			return typedSQL{}, fmt.Errorf("Str().%s: %w", name, err)
		}
		return typedSQL{sql: out, t: res}, nil
	}}
}

var (
	boolType   = arrow.FixedWidthTypes.Boolean
	int64Type  = arrow.PrimitiveTypes.Int64
	stringType = arrow.BinaryTypes.String
)

// Contains is true where the string holds sub (a plain substring, not a
// pattern).
func (s StrExpr) Contains(sub string) Expr {
	return s.fn("Contains", strconv.Quote(sub), boolType, func(x string) (string, error) {
		return "contains(" + x + ", " + engine.SQLString(sub) + ")", nil
	})
}

// StartsWith is true where the string begins with prefix.
func (s StrExpr) StartsWith(prefix string) Expr {
	return s.fn("StartsWith", strconv.Quote(prefix), boolType, func(x string) (string, error) {
		return "starts_with(" + x + ", " + engine.SQLString(prefix) + ")", nil
	})
}

// EndsWith is true where the string ends with suffix.
func (s StrExpr) EndsWith(suffix string) Expr {
	return s.fn("EndsWith", strconv.Quote(suffix), boolType, func(x string) (string, error) {
		return "ends_with(" + x + ", " + engine.SQLString(suffix) + ")", nil
	})
}

// Lower is the string in lower case.
func (s StrExpr) Lower() Expr {
	return s.fn("Lower", "", stringType, func(x string) (string, error) { return "lower(" + x + ")", nil })
}

// Upper is the string in upper case.
func (s StrExpr) Upper() Expr {
	return s.fn("Upper", "", stringType, func(x string) (string, error) { return "upper(" + x + ")", nil })
}

// Slice is the characters [start, stop) of the string, counted from 0 (a
// stop past the end stops at the end). start and stop must not be
// negative, and stop not before start.
func (s StrExpr) Slice(start, stop int) Expr {
	return s.fn("Slice", fmt.Sprintf("%d, %d", start, stop), stringType, func(x string) (string, error) {
		if start < 0 || stop < start {
			return "", fmt.Errorf("start %d and stop %d: give 0 <= start <= stop", start, stop)
		}
		return fmt.Sprintf("substring(%s, %d, %d)", x, start+1, stop-start), nil
	})
}

// Split is part i (from 0; a negative i counts from the end, -1 the last)
// of the string cut at every sep, or null where there is no such part.
// sep must not be empty.
func (s StrExpr) Split(sep string, i int) Expr {
	return s.fn("Split", fmt.Sprintf("%q, %d", sep, i), stringType, func(x string) (string, error) {
		if sep == "" {
			return "", fmt.Errorf("an empty separator; give the string to cut at")
		}
		idx := i + 1
		if i < 0 {
			idx = i
		}
		return fmt.Sprintf("list_extract(string_split(%s, %s), %d)", x, engine.SQLString(sep), idx), nil
	})
}

// Replace replaces every old (a plain string, not a pattern; not empty)
// in the string with new.
func (s StrExpr) Replace(old, new string) Expr {
	return s.fn("Replace", fmt.Sprintf("%q, %q", old, new), stringType, func(x string) (string, error) {
		if old == "" {
			return "", fmt.Errorf("an empty string to replace; give the text to find")
		}
		return "replace(" + x + ", " + engine.SQLString(old) + ", " + engine.SQLString(new) + ")", nil
	})
}

// Len is the number of characters (Unicode code points) of the string, an
// int64.
func (s StrExpr) Len() Expr {
	return s.fn("Len", "", int64Type, func(x string) (string, error) { return "CAST(length(" + x + ") AS BIGINT)", nil })
}

// stripChars are the characters Strip removes: Unicode's white space of
// Latin-1 (Go's unicode.IsSpace below U+0100).
var stripChars = func() string {
	var b strings.Builder
	for r := rune(0); r < 0x100; r++ {
		if unicode.IsSpace(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}()

// Strip is the string without the white space (spaces, tabs, newlines,
// carriage returns, vertical tabs, form feeds, U+0085, U+00A0) at its
// ends.
func (s StrExpr) Strip() Expr {
	return s.fn("Strip", "", stringType, func(x string) (string, error) {
		return "trim(" + x + ", " + engine.SQLString(stripChars) + ")", nil
	})
}

// fn builds a date or time function of d.e.
func (d DtExpr) fn(name, args string, res arrow.DataType, render func(x string) (string, error)) Expr {
	e := d.e
	return Expr{text: fmt.Sprintf("%s.Dt().%s(%s)", e, name, args), build: func(sch *arrow.Schema) (typedSQL, error) {
		x, err := e.render(sch)
		if err != nil {
			return typedSQL{}, err
		}
		if x.t == nil || !isTemporal(x.t) {
			t := "of an unknown type"
			if x.t != nil {
				t = typeName(x.t)
			}
			return typedSQL{}, fmt.Errorf("Dt().%s: %s is %s, not a date or timestamp; the Dt functions need date or timestamp columns", name, x.what(e), t)
		}
		in := x.sql
		if ts, ok := x.t.(*arrow.TimestampType); ok && ts.TimeZone != "" {
			in = "timezone(" + engine.SQLString(ts.TimeZone) + ", " + in + ")"
		}
		out, err := render(in)
		if err != nil {
			return typedSQL{}, fmt.Errorf("Dt().%s: %w", name, err)
		}
		return typedSQL{sql: out, t: res}, nil
	}}
}

func (d DtExpr) part(name, part string) Expr {
	return d.fn(name, "", int64Type, func(x string) (string, error) {
		return "CAST(date_part(" + engine.SQLString(part) + ", " + x + ") AS BIGINT)", nil
	})
}

// Year is the year, an int64.
func (d DtExpr) Year() Expr { return d.part("Year", "year") }

// Month is the month, 1 to 12.
func (d DtExpr) Month() Expr { return d.part("Month", "month") }

// Day is the day of the month, 1 to 31.
func (d DtExpr) Day() Expr { return d.part("Day", "day") }

// Hour is the hour, 0 to 23 (0 for a date).
func (d DtExpr) Hour() Expr { return d.part("Hour", "hour") }

// Minute is the minute, 0 to 59.
func (d DtExpr) Minute() Expr { return d.part("Minute", "minute") }

// Second is the whole second, 0 to 59.
func (d DtExpr) Second() Expr { return d.part("Second", "second") }

// Weekday is the day of the week as pandas counts it: Monday 0 to Sunday
// 6.
func (d DtExpr) Weekday() Expr {
	return d.fn("Weekday", "", int64Type, func(x string) (string, error) {
		return "CAST(isodow(" + x + ") - 1 AS BIGINT)", nil
	})
}

// Floor rounds down to a multiple of freq counted from 1970-01-01 00:00
// (as pandas' dt.floor): freq is a count and a unit, "us", "ms", "s",
// "min", "h" or "D", such as "15min", "1h", "1D" (the count may be left
// out: "h"). The result is a timestamp without time zone (the wall time,
// for a zoned column). An unknown freq is an error naming it.
func (d DtExpr) Floor(freq string) Expr {
	return d.fn("Floor", strconv.Quote(freq), arrow.FixedWidthTypes.Timestamp_us, func(x string) (string, error) {
		us, err := freqMicros(freq)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("time_bucket(to_microseconds(CAST(%d AS BIGINT)), CAST(%s AS TIMESTAMP), TIMESTAMP '1970-01-01 00:00:00')", us, x), nil
	})
}

// freqMicros reads a frequency such as "15min" as microseconds.
func freqMicros(freq string) (int64, error) {
	units := []struct {
		name string
		us   int64
	}{{"us", 1}, {"ms", 1000}, {"min", 60e6}, {"s", 1e6}, {"h", 3600e6}, {"D", 86400e6}}
	for _, u := range units {
		num, ok := strings.CutSuffix(freq, u.name)
		if !ok {
			continue
		}
		n := int64(1)
		if num != "" {
			v, err := strconv.ParseInt(num, 10, 64)
			if err != nil || v <= 0 {
				break
			}
			n = v
		}
		if n > (1<<62)/u.us {
			break
		}
		return n * u.us, nil
	}
	return 0, fmt.Errorf("unknown frequency %q; give a positive count and a unit of us, ms, s, min, h or D, such as \"15min\"", freq)
}
