package array

import (
	"github.com/dusk-go/dusk"
)

// This file builds element-wise expressions: a chain of element-wise steps
// over blocks of one shape and type ((x+1)*2, x + x.T, Sqrt(x*x + y*y))
// is kept, block by block, as one expression, and each block is one task
// that evaluates the whole chain (exprkernels.go) with one output buffer,
// its steps over small tiles of scratch that stay in the processor's
// cache. A reduction of such an array evaluates the expression inside its
// first stage and never makes the block at all. The blocks an expression
// reads (its leaves: blocks made by other tasks, stored or persisted,
// and scalars) are only ever read.

// maxExprSteps bounds the steps of one expression: a longer chain reads
// the block of its last expression as a leaf and starts a new one.
const maxExprSteps = 64

// expr is one node of an element-wise expression over the blocks at one
// grid position: a leaf (a block made by a task, or a scalar) or a step
// (a binary operator over a and b, or a unary function of a).
type expr struct {
	op    string                // the step's operator or function; "" for a leaf
	block *dusk.Delayed[*Block] // a leaf: a block of the expression's shape
	// transposed: the leaf is block's transpose (block a matrix of the
	// expression's shape reversed).
	transposed bool
	// remake, if not nil, makes a leaf's block again in a new task, which
	// the expression's task reads in place of block (remade.go).
	// Transposed, it makes the block's transpose, or returns nil.
	remake func(transposed bool) *dusk.Delayed[*Block]
	scalar *Block // a leaf: one element, applied to every element
	a, b   *expr
	steps  int // the steps of the tree (shared nodes counted each time)
}

// exprOf returns block i of a as an expression: its own if a keeps one
// (and it is not too long already), else a leaf reading the block.
func (a *Array) exprOf(i int) *expr {
	if a.exprs != nil && a.exprs[i] != nil && a.exprs[i].steps < maxExprSteps {
		return a.exprs[i]
	}
	if t := a.transposeOf; t != nil && t.swapsTwoAxes() {
		// The block a transposes, transposed in the expression's task:
		// x + x.T then reads blocks (i, j) and (j, i) of x in the tasks
		// of both blocks (i, j) and (j, i), which the scheduler places
		// together (one of the pair moves, not a transpose each way).
		return leafOf(t.src, t.source(a.grid(), i), true)
	}
	return leafOf(a, i, false)
}

// step returns the expression op(x, y) (y nil for a unary function).
func step(op string, x, y *expr) *expr {
	n := x.steps + 1
	if y != nil {
		n += y.steps
	}
	return &expr{op: op, a: x, b: y, steps: n}
}

// fusible reports whether an element-wise op over operands of type dt
// giving type out can be a step of an expression: every operand and the
// result of one numeric type (no promotion inside an expression), and
// division of floats only.
func fusible(op string, dt, out DType) bool {
	if dt != out || dt == Bool || !dt.valid() {
		return false
	}
	switch op {
	case opAdd, opSub, opMul, "abs", "neg":
		return true
	case opDiv, "sqrt", "exp", "log", "sin", "cos":
		return dt.isFloat()
	}
	return false
}

// setExprs gives out one expression per block: each block will be one
// task evaluating its expression (blockList makes them).
func (out *Array) setExprs(exprs []*expr) {
	out.exprs = exprs
}

// blockList returns the array's blocks. Those of an array of expressions
// are made the first time: one task per block evaluating its expression.
// They are not made before, as a lazy value counts the calls that use it
// (dusk.Call): the tasks of a step that the next step extends would count
// as users of the blocks they read, which no computation runs.
func (a *Array) blockList() []*dusk.Delayed[*Block] {
	a.makeTasks.Do(func() {
		if t := a.transposeOf; t != nil && a.exprs == nil {
			src, grid := t.src.blockList(), a.grid()
			for i := range a.blocks {
				a.blocks[i] = dusk.Call[*Block](fnTranspose, src[t.source(grid, i)], t.perm)
			}
			return
		}
		if a.exprs == nil {
			return
		}
		gridIndexes(a.grid(), func(idx []int, i int) {
			p, leaves := compile(a.dtype, a.exprs[i])
			args := append([]any{p, blockShape(a.chunks, idx)}, leaves...)
			a.blocks[i] = dusk.Call[*Block](fnExpr, args...)
		})
	})
	return a.blocks
}

// reduceExpr returns the first stage of a reduction of block i of a (an
// array made of expressions): the expression evaluated and reduced over
// axes in one task.
func (a *Array) reduceExpr(op string, ax []int, i int) *dusk.Delayed[*Block] {
	p, leaves := compile(a.dtype, a.exprs[i])
	idx := make([]int, len(a.shape))
	// The grid index of block i, for its shape.
	rest := i
	grid := a.grid()
	for k := len(grid) - 1; k >= 0; k-- {
		idx[k] = rest % grid[k]
		rest /= grid[k]
	}
	args := append([]any{op, ax, p, blockShape(a.chunks, idx)}, leaves...)
	return dusk.Call[*Block](fnExprReduce, args...)
}

// program is an expression as its task runs it: steps in order, each
// over operands numbered with the task's leaves first (its block
// arguments, in order) and then the steps before it; the last step is
// the result.
type program struct {
	DType DType
	Steps []programStep
	// Transposed lists the leaves (matrices) to transpose before the
	// steps read them.
	Transposed []int
}

// programStep is one step of a program: Op over operands A and B (B is
// -1 for a unary function).
type programStep struct {
	Op   string
	A, B int
}

// compile turns an expression into a program and its leaves (delayed
// blocks and scalar blocks, each once however often it is read). A node
// the tree reaches twice is computed once.
func compile(dt DType, e *expr) (program, []any) {
	p := program{DType: dt}
	var leaves []any
	leafAt := map[any]int{}
	remade := map[*dusk.Delayed[*Block]]*dusk.Delayed[*Block]{}
	var collect func(e *expr)
	// The leaves first, in the order the tree meets them.
	// A block read as it is and transposed is two leaves.
	type leafKey struct {
		block      *dusk.Delayed[*Block]
		transposed bool
	}
	keyOf := func(e *expr) any {
		if e.block == nil {
			return e.scalar
		}
		return leafKey{e.block, e.transposed}
	}
	collect = func(e *expr) {
		if e.op == "" {
			key := keyOf(e)
			if _, ok := leafAt[key]; !ok {
				leafAt[key] = len(leaves)
				var made *dusk.Delayed[*Block]
				if e.remake != nil && e.transposed {
					// Made transposed for this task, if its maker can.
					made = e.remake(true)
				}
				if e.transposed && made == nil {
					p.Transposed = append(p.Transposed, len(leaves))
				}
				if e.remake != nil && made == nil {
					// Made again for this task, once however it is read.
					var ok bool
					if made, ok = remade[e.block]; !ok {
						made = e.remake(false)
						remade[e.block] = made
					}
				}
				if made != nil {
					leaves = append(leaves, made)
				} else if e.block != nil {
					leaves = append(leaves, e.block)
				} else {
					leaves = append(leaves, e.scalar)
				}
			}
			return
		}
		collect(e.a)
		if e.b != nil {
			collect(e.b)
		}
	}
	collect(e)
	// Then the steps, each once.
	stepAt := map[*expr]int{}
	var operand func(e *expr) int
	operand = func(e *expr) int {
		if e.op == "" {
			return leafAt[keyOf(e)]
		}
		if k, ok := stepAt[e]; ok {
			return k
		}
		a, b := operand(e.a), -1
		if e.b != nil {
			b = operand(e.b)
		}
		k := len(leaves) + len(p.Steps)
		p.Steps = append(p.Steps, programStep{Op: e.op, A: a, B: b})
		stepAt[e] = k
		return k
	}
	operand(e)
	return p, leaves
}
