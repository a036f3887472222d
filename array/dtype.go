package array

import "fmt"

// DType is the type of an array's elements.
type DType uint8

// The element types.
const (
	Float64 DType = iota + 1
	Float32
	Int64
	Int32
	Bool
)

// Size returns the bytes of one element.
func (d DType) Size() int {
	switch d {
	case Float64, Int64:
		return 8
	case Float32, Int32:
		return 4
	case Bool:
		return 1
	}
	return 0
}

// String returns NumPy's name of the type ("float64").
func (d DType) String() string {
	switch d {
	case Float64:
		return "float64"
	case Float32:
		return "float32"
	case Int64:
		return "int64"
	case Int32:
		return "int32"
	case Bool:
		return "bool"
	}
	return fmt.Sprintf("DType(%d)", uint8(d))
}

func (d DType) valid() bool { return d >= Float64 && d <= Bool }

func (d DType) isFloat() bool { return d == Float64 || d == Float32 }

// rank orders the types for promotion among integers and among floats.
func (d DType) rank() int {
	switch d {
	case Bool:
		return 0
	case Int32:
		return 1
	case Int64:
		return 2
	case Float32:
		return 3
	case Float64:
		return 4
	}
	return -1
}

// Promote returns the type of an arithmetic result of a and b, as NumPy
// gives it for these types: the wider of two of one kind; a float32 with
// an int32 or int64 is a float64 (a float32 cannot hold every int32);
// bool goes with anything.
func Promote(a, b DType) DType {
	if a == b {
		return a
	}
	if a.rank() > b.rank() {
		a, b = b, a
	}
	// a ranks below b.
	if b == Float32 && (a == Int32 || a == Int64) {
		return Float64
	}
	return b
}

// Elem is a Go type of array elements.
type Elem interface {
	float64 | float32 | int64 | int32 | bool
}

// number is an Elem arithmetic works on.
type number interface {
	float64 | float32 | int64 | int32
}

// dtypeOf returns the DType of T.
func dtypeOf[T Elem]() DType {
	var z T
	switch any(z).(type) {
	case float64:
		return Float64
	case float32:
		return Float32
	case int64:
		return Int64
	case int32:
		return Int32
	}
	return Bool
}
