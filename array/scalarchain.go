package array

// A program that is a chain of arithmetic with scalars over one operand,
// as ((x+1)*2), is summed in one pass over the operand: four elements at
// a time are loaded into registers, every step is applied to them there,
// and they are added to the tile's four partial sums. Step by step, each
// step wrote a tile of scratch the next one read back, and the sum read
// the last: three passes over a tile for ((x+1)*2).sum(), where the
// operand's elements stream from memory during the first alone. The sum
// is the same, bit for bit: each element goes through the same operations
// in the same order and is added to the same partial sum (sumOf's, per
// tile of exprTile elements) as before.

// chainOp is an operator of a scalar chain; its scalar is on the right
// (x - s, x / s) unless the operator says otherwise.
type chainOp uint8

const (
	chainAdd chainOp = iota
	chainSub
	chainSubFrom // s - x
	chainMul
	chainDiv
	chainDivInto // s / x
)

// chainStep is one step of a scalar chain: op with the scalar s.
type chainStep[T number] struct {
	op chainOp
	s  T
}

// scalarChain returns, when every step of p applies +, -, * or / between
// the step before (the first: leaf x, of elements) and a scalar leaf,
// x's elements and the steps; ok is false otherwise.
func scalarChain[T number](p program, r *exprRun[T]) (x []T, steps []chainStep[T], ok bool) {
	nl := len(r.leaves)
	prev := -1 // the operand the next step must read: the last step's
	for k, s := range p.Steps {
		if s.B < 0 {
			return nil, nil, false
		}
		var op chainOp
		var other int
		switch {
		case (k == 0 && s.A < nl && !r.scalar[s.A] || k > 0 && s.A == prev) && s.B < nl && r.scalar[s.B]:
			other = s.B
			switch s.Op {
			case opAdd:
				op = chainAdd
			case opSub:
				op = chainSub
			case opMul:
				op = chainMul
			case opDiv:
				op = chainDiv
			default:
				return nil, nil, false
			}
		case (k == 0 && s.B < nl && !r.scalar[s.B] || k > 0 && s.B == prev) && s.A < nl && r.scalar[s.A]:
			other = s.A
			switch s.Op {
			case opAdd:
				op = chainAdd
			case opSub:
				op = chainSubFrom
			case opMul:
				op = chainMul
			case opDiv:
				op = chainDivInto
			default:
				return nil, nil, false
			}
		default:
			return nil, nil, false
		}
		if k == 0 {
			x = r.leaves[s.A]
			if other == s.A {
				x = r.leaves[s.B]
			}
		}
		steps = append(steps, chainStep[T]{op: op, s: r.leaves[other][0]})
		prev = nl + k
	}
	return x, steps, len(steps) > 0
}

// sumChain returns what reduceExpr(redSum, ...) returns for the scalar
// chain steps over x. Eight elements go through the steps at a time (the
// steps' dispatch is then paid once for eight; BenchmarkSumChain/go
// measures this loop), element i still added to partial sum i mod 4. For float64 on a CPU with AVX2, each
// tile's elements 32 at a time go through the vector kernel of
// scalarchain_amd64.s instead (sumChainVector): the same operations in
// the same order, four elements an instruction.
func sumChain[T number](x []T, steps []chainStep[T]) T {
	var acc T
	for lo := 0; lo < len(x); lo += exprTile {
		t := x[lo:min(lo+exprTile, len(x))]
		var sv [4]T
		i := sumChainVector(t, steps, &sv)
		s0, s1, s2, s3 := sv[0], sv[1], sv[2], sv[3]
		for ; i+8 <= len(t); i += 8 {
			w := t[i : i+8 : i+8]
			a0, a1, a2, a3, a4, a5, a6, a7 := w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]
			for _, st := range steps {
				s := st.s
				switch st.op {
				case chainAdd:
					a0, a1, a2, a3, a4, a5, a6, a7 = a0+s, a1+s, a2+s, a3+s, a4+s, a5+s, a6+s, a7+s
				case chainSub:
					a0, a1, a2, a3, a4, a5, a6, a7 = a0-s, a1-s, a2-s, a3-s, a4-s, a5-s, a6-s, a7-s
				case chainSubFrom:
					a0, a1, a2, a3, a4, a5, a6, a7 = s-a0, s-a1, s-a2, s-a3, s-a4, s-a5, s-a6, s-a7
				case chainMul:
					a0, a1, a2, a3, a4, a5, a6, a7 = a0*s, a1*s, a2*s, a3*s, a4*s, a5*s, a6*s, a7*s
				case chainDiv:
					a0, a1, a2, a3, a4, a5, a6, a7 = a0/s, a1/s, a2/s, a3/s, a4/s, a5/s, a6/s, a7/s
				case chainDivInto:
					a0, a1, a2, a3, a4, a5, a6, a7 = s/a0, s/a1, s/a2, s/a3, s/a4, s/a5, s/a6, s/a7
				}
			}
			s0 += a0
			s1 += a1
			s2 += a2
			s3 += a3
			s0 += a4
			s1 += a5
			s2 += a6
			s3 += a7
		}
		for ; i+4 <= len(t); i += 4 {
			w := t[i : i+4 : i+4]
			s0 += applyChain(w[0], steps)
			s1 += applyChain(w[1], steps)
			s2 += applyChain(w[2], steps)
			s3 += applyChain(w[3], steps)
		}
		for ; i < len(t); i++ {
			s0 += applyChain(t[i], steps)
		}
		acc += (s0 + s1) + (s2 + s3)
	}
	return acc
}

// applyChain applies the steps of a scalar chain to one element.
func applyChain[T number](a T, steps []chainStep[T]) T {
	for _, st := range steps {
		switch st.op {
		case chainAdd:
			a += st.s
		case chainSub:
			a -= st.s
		case chainSubFrom:
			a = st.s - a
		case chainMul:
			a *= st.s
		case chainDiv:
			a /= st.s
		case chainDivInto:
			a = st.s / a
		}
	}
	return a
}
