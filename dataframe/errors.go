package dataframe

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
)

// Error is a mistake in building a dataframe, reported with the file and
// line of the user's call that made it (lazy operations record it; Compute,
// Persist and the writers return it).
type Error struct {
	Op     string // the operation, such as "Filter"
	Caller string // file:line of the call
	Err    error
}

// Error reads "dataframe: file:line: Op: cause".
func (e *Error) Error() string {
	if e.Caller == "" {
		return fmt.Sprintf("dataframe: %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("dataframe: %s: %s: %v", e.Caller, e.Op, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// opError wraps err for the operation op at the user's calling line.
func opError(op string, err error) error {
	var de *Error
	if errors.As(err, &de) {
		return err
	}
	return &Error{Op: op, Caller: callerLine(), Err: err}
}

// callerLine returns file:line of the first caller outside this package
// (tests of this package count as callers).
func callerLine() string {
	var pcs [24]uintptr
	n := runtime.Callers(2, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		inPkg := strings.HasPrefix(f.Function, "github.com/dusk-go/dusk/dataframe.") ||
			strings.HasPrefix(f.Function, "github.com/dusk-go/dusk/dataframe/")
		if !inPkg || strings.HasSuffix(f.File, "_test.go") {
			return shortFile(f.File) + fmt.Sprintf(":%d", f.Line)
		}
		if !more {
			return ""
		}
	}
}

func shortFile(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		if j := strings.LastIndexByte(p[:i], '/'); j >= 0 {
			return p[j+1:]
		}
	}
	return p
}
