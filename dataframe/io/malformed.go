package io

import "fmt"

// MalformedError is a file whose bytes the Parquet library could not make
// sense of in a way it does not report as an error (it panicked): a
// damaged or crafted file must not bring down the process that reads it.
type MalformedError struct {
	Path string
	Why  any // what the library panicked with
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("%s: not a readable Parquet file (%v); check that the file is whole and was written as Parquet", e.Path, e.Why)
}

// survive runs f, turning a panic of the Parquet library over the file at
// path into a *MalformedError in *err.
func survive(path string, err *error) {
	if r := recover(); r != nil {
		*err = &MalformedError{Path: path, Why: r}
	}
}
