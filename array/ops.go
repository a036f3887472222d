package array

import (
	"fmt"
	"math"
	"slices"

	"github.com/dusk-go/dusk"
)

// Add returns a + b element-wise; b is an *Array (broadcast by NumPy's
// rules) or a Go scalar. A scalar takes the array's type where it fits
// (as a Python scalar does in NumPy): int32 + 1 stays int32, float32 * 2.5
// stays float32, int64 + 0.5 is float64.
func (a *Array) Add(b any) (*Array, error) { return a.binary(opAdd, b) }

// Sub returns a - b element-wise (see Add).
func (a *Array) Sub(b any) (*Array, error) { return a.binary(opSub, b) }

// Mul returns a * b element-wise (see Add).
func (a *Array) Mul(b any) (*Array, error) { return a.binary(opMul, b) }

// Div returns a / b element-wise, true division: integers give float64
// (see Add).
func (a *Array) Div(b any) (*Array, error) { return a.binary(opDiv, b) }

// Lt returns the bool array a < b (see Add).
func (a *Array) Lt(b any) (*Array, error) { return a.binary(opLt, b) }

// Le returns the bool array a <= b (see Add).
func (a *Array) Le(b any) (*Array, error) { return a.binary(opLe, b) }

// Gt returns the bool array a > b (see Add).
func (a *Array) Gt(b any) (*Array, error) { return a.binary(opGt, b) }

// Ge returns the bool array a >= b (see Add).
func (a *Array) Ge(b any) (*Array, error) { return a.binary(opGe, b) }

// Eq returns the bool array a == b (see Add).
func (a *Array) Eq(b any) (*Array, error) { return a.binary(opEq, b) }

// Ne returns the bool array a != b (see Add).
func (a *Array) Ne(b any) (*Array, error) { return a.binary(opNe, b) }

// ScalarSub returns s - a element-wise, for a scalar on the left (see
// Add).
func (a *Array) ScalarSub(s any) (*Array, error) { return a.scalarLeft(opSub, s) }

// ScalarDiv returns s / a element-wise, for a scalar on the left (see
// Div).
func (a *Array) ScalarDiv(s any) (*Array, error) { return a.scalarLeft(opDiv, s) }

func (a *Array) scalarLeft(op string, s any) (*Array, error) {
	sb, err := weakScalar(s, a.dtype)
	if err != nil {
		return nil, err
	}
	dt, err := resultType(op, sb.DType, a.dtype)
	if err != nil {
		return nil, err
	}
	out := a.like(dt)
	if fusible(op, a.dtype, dt) && sb.DType == dt {
		exprs := make([]*expr, len(a.blocks))
		for i := range exprs {
			exprs[i] = step(op, &expr{scalar: sb}, a.exprOf(i))
		}
		out.setExprs(exprs)
		return out, nil
	}
	for i, x := range a.blockList() {
		out.blocks[i] = dusk.Call[*Block](fnBinary, op, sb, x)
	}
	return out, nil
}

func (a *Array) binary(op string, b any) (*Array, error) {
	if ob, ok := b.(*Array); ok {
		return a.binaryArray(op, ob)
	}
	sb, err := weakScalar(b, a.dtype)
	if err != nil {
		return nil, err
	}
	dt, err := resultType(op, a.dtype, sb.DType)
	if err != nil {
		return nil, err
	}
	out := a.like(dt)
	if fusible(op, a.dtype, dt) && sb.DType == dt {
		exprs := make([]*expr, len(a.blocks))
		for i := range exprs {
			exprs[i] = step(op, a.exprOf(i), &expr{scalar: sb})
		}
		out.setExprs(exprs)
		return out, nil
	}
	for i, x := range a.blockList() {
		out.blocks[i] = dusk.Call[*Block](fnBinary, op, x, sb)
	}
	return out, nil
}

// weakScalar returns v as a block of one element of the array's type
// where v is of the same kind (integer, float or bool) and fits, and of
// v's own type otherwise.
func weakScalar(v any, arr DType) (*Block, error) {
	s, err := scalarBlock(v)
	if err != nil {
		return nil, err
	}
	switch {
	case s.DType == Bool || arr == Bool:
		return s, nil
	case s.DType.isFloat() && arr.isFloat():
		return astype(s, arr), nil
	case !s.DType.isFloat() && arr.isFloat():
		// An integer with floats: the floats' type, if it holds it.
		x := values[int64](astype(s, Int64))[0]
		if arr == Float32 && int64(float32(x)) != x {
			return astype(s, Float64), nil
		}
		return astype(s, arr), nil
	case !s.DType.isFloat() && !arr.isFloat():
		x := values[int64](astype(s, Int64))[0]
		if arr == Int32 && (x < math.MinInt32 || x > math.MaxInt32) {
			return nil, fmt.Errorf("array: %d does not fit the int32 array's type: convert the array with Astype(Int64) first", x)
		}
		return astype(s, arr), nil
	}
	return s, nil // a float with integers: float64
}

// binaryArray combines two arrays block by block, broadcasting.
func (a *Array) binaryArray(op string, b *Array) (*Array, error) {
	if a.c != b.c {
		return nil, fmt.Errorf("array: %s of arrays of two different clients", op)
	}
	shape, err := broadcastShape(a.shape, b.shape)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s of %s and %s)", err, op, a, b)
	}
	dt, err := resultType(op, a.dtype, b.dtype)
	if err != nil {
		return nil, err
	}
	n := len(shape)
	chunks := make([][]int, n)
	for i := range n {
		ca, cb := axisChunks(a, n, i), axisChunks(b, n, i)
		switch {
		case ca == nil || len(ca) == 1 && ca[0] == 1 && shape[i] != 1:
			chunks[i] = slices.Clone(cb)
		case cb == nil || len(cb) == 1 && cb[0] == 1 && shape[i] != 1:
			chunks[i] = slices.Clone(ca)
		case slices.Equal(ca, cb):
			chunks[i] = slices.Clone(ca)
		default:
			return nil, fmt.Errorf("array: %s of %s and %s: axis %d is cut differently (%v and %v); give both the same chunks", op, a, b, i, ca, cb)
		}
	}
	out := &Array{c: a.c, dtype: dt, shape: shape, chunks: chunks}
	grid := out.grid()
	out.blocks = make([]*dusk.Delayed[*Block], prod(grid))
	if fusible(op, a.dtype, dt) && b.dtype == dt && slices.Equal(a.shape, b.shape) {
		// Blocks of one shape and type: one expression per block.
		exprs := make([]*expr, len(out.blocks))
		for i := range exprs {
			exprs[i] = step(op, a.exprOf(i), b.exprOf(i))
		}
		out.setExprs(exprs)
		return out, nil
	}
	gridIndexes(grid, func(idx []int, i int) {
		out.blocks[i] = dusk.Call[*Block](fnBinary, op, a.blockFor(idx), b.blockFor(idx))
	})
	return out, nil
}

// axisChunks returns the chunks of a's axis that lines up with axis i of
// an n-axis result (nil if a has no such axis).
func axisChunks(a *Array, n, i int) []int {
	j := i - (n - len(a.shape))
	if j < 0 {
		return nil
	}
	return a.chunks[j]
}

// blockFor returns a's block that lines up with the block at grid index
// idx of a broadcast result.
func (a *Array) blockFor(idx []int) *dusk.Delayed[*Block] {
	own := make([]int, len(a.shape))
	for j := range own {
		if len(a.chunks[j]) > 1 {
			own[j] = idx[j+len(idx)-len(a.shape)]
		}
	}
	return a.blockList()[flatIndex(a.grid(), own)]
}

// Astype returns the array converted to dt (floats to integers truncate
// toward zero, as NumPy's astype).
func (a *Array) Astype(dt DType) (*Array, error) {
	if !dt.valid() {
		return nil, fmt.Errorf("array: Astype of an unknown dtype %d", dt)
	}
	if dt == a.dtype {
		return a, nil
	}
	out := a.like(dt)
	for i, x := range a.blockList() {
		out.blocks[i] = dusk.Call[*Block](fnAstype, x, dt)
	}
	return out, nil
}

func (a *Array) unary(fn string) (*Array, error) {
	dt := a.dtype
	switch {
	case fn == "abs" || fn == "neg":
		if dt == Bool {
			return nil, fmt.Errorf("array: %s of the bool array %s: convert it with Astype first", fn, a)
		}
	case dt != Float32:
		dt = Float64
	}
	out := a.like(dt)
	if fusible(fn, a.dtype, dt) {
		exprs := make([]*expr, len(a.blocks))
		for i := range exprs {
			exprs[i] = step(fn, a.exprOf(i), nil)
		}
		out.setExprs(exprs)
		return out, nil
	}
	for i, x := range a.blockList() {
		out.blocks[i] = dusk.Call[*Block](fnUnary, fn, x)
	}
	return out, nil
}

// Abs returns |a| element-wise.
func (a *Array) Abs() (*Array, error) { return a.unary("abs") }

// Neg returns -a element-wise.
func (a *Array) Neg() (*Array, error) { return a.unary("neg") }

// Sqrt returns the square roots (floats; NaN for negatives).
func (a *Array) Sqrt() (*Array, error) { return a.unary("sqrt") }

// Exp returns e to the elements (floats).
func (a *Array) Exp() (*Array, error) { return a.unary("exp") }

// Log returns the natural logarithms (floats; -Inf for 0, NaN below).
func (a *Array) Log() (*Array, error) { return a.unary("log") }

// Sin returns the sines (floats).
func (a *Array) Sin() (*Array, error) { return a.unary("sin") }

// Cos returns the cosines (floats).
func (a *Array) Cos() (*Array, error) { return a.unary("cos") }

// Clip limits the elements to [lo, hi] (scalars, taken as for Add); the
// type stays the array's.
func (a *Array) Clip(lo, hi any) (*Array, error) {
	l, err := weakScalar(lo, a.dtype)
	if err != nil {
		return nil, err
	}
	h, err := weakScalar(hi, a.dtype)
	if err != nil {
		return nil, err
	}
	out := a.like(a.dtype)
	for i, x := range a.blockList() {
		out.blocks[i] = dusk.Call[*Block](fnClip, x, l, h)
	}
	return out, nil
}

// Where returns x where cond (a bool array) holds and y elsewhere; x and y
// are arrays or scalars, and the three broadcast together.
func Where(cond *Array, x, y any) (*Array, error) {
	if cond.dtype != Bool {
		return nil, fmt.Errorf("array: Where's condition %s is not bool (compare with Gt, Eq, ... to make one)", cond)
	}
	// Lay the three over one grid: cond's broadcast with each array.
	ops := []any{x, y}
	arrays := []*Array{cond}
	for _, v := range ops {
		if a, ok := v.(*Array); ok {
			arrays = append(arrays, a)
		}
	}
	shape := cond.shape
	for _, a := range arrays[1:] {
		s, err := broadcastShape(shape, a.shape)
		if err != nil {
			return nil, fmt.Errorf("%w (in Where)", err)
		}
		shape = s
	}
	// The grid: as binaryArray would make it, axis by axis.
	n := len(shape)
	chunks := make([][]int, n)
	for i := range n {
		for _, a := range arrays {
			c := axisChunks(a, n, i)
			if c == nil || len(c) == 1 && c[0] == 1 && shape[i] != 1 {
				continue
			}
			if chunks[i] != nil && !slices.Equal(chunks[i], c) {
				return nil, fmt.Errorf("array: Where: axis %d is cut differently (%v and %v); give the arrays the same chunks", i, chunks[i], c)
			}
			chunks[i] = slices.Clone(c)
		}
		if chunks[i] == nil {
			chunks[i] = []int{shape[i]}
		}
	}
	operand := func(v any, idx []int) (any, DType, error) {
		if a, ok := v.(*Array); ok {
			return a.blockFor(idx), a.dtype, nil
		}
		s, err := scalarBlock(v)
		if err != nil {
			return nil, 0, err
		}
		return s, s.DType, nil
	}
	_, tx, err := operand(x, make([]int, n))
	if err != nil {
		return nil, err
	}
	_, ty, err := operand(y, make([]int, n))
	if err != nil {
		return nil, err
	}
	out := &Array{c: cond.c, dtype: Promote(tx, ty), shape: shape, chunks: chunks}
	grid := out.grid()
	out.blocks = make([]*dusk.Delayed[*Block], prod(grid))
	gridIndexes(grid, func(idx []int, i int) {
		bx, _, _ := operand(x, idx)
		by, _, _ := operand(y, idx)
		out.blocks[i] = dusk.Call[*Block](fnWhere, cond.blockFor(idx), bx, by)
	})
	return out, nil
}
