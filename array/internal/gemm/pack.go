package gemm

// packA copies alpha times the mb×kb block of op(a) at (ic, pc) into dst
// as panels of mr rows: panel r holds, for each of the kb columns in
// turn, its mr values (rows past mb are zeros).
func packA[T float](dst []T, trans bool, a []T, lda, ic, mb, pc, kb, mr int, alpha T) {
	for r := 0; r < mb; r += mr {
		panel := dst[r*kb : (r+mr)*kb]
		h := min(mr, mb-r)
		if !trans {
			for i := range h {
				src := a[(ic+r+i)*lda+pc:][:kb]
				for p, v := range src {
					panel[p*mr+i] = alpha * v
				}
			}
		} else {
			// op(a)[i][p] = a[p][i]: each row of a gives one column's
			// values, contiguous in both.
			for p := range kb {
				src := a[(pc+p)*lda+ic+r:][:h]
				col := panel[p*mr : p*mr+h]
				for i, v := range src {
					col[i] = alpha * v
				}
			}
		}
		if h < mr {
			for p := range kb {
				clear(panel[p*mr+h : (p+1)*mr])
			}
		}
	}
}

// packB copies the kb×nb block of op(b) at (pc, jc) into dst as panels of
// nr columns: panel s holds, for each of the kb rows in turn, its nr
// values (columns past nb are zeros).
func packB[T float](dst []T, trans bool, b []T, ldb, pc, kb, jc, nb, nr int) {
	for s := 0; s < nb; s += nr {
		panel := dst[s*kb : (s+nr)*kb]
		w := min(nr, nb-s)
		if !trans {
			for p := range kb {
				copy(panel[p*nr:p*nr+w], b[(pc+p)*ldb+jc+s:][:w])
			}
		} else {
			// op(b)[p][j] = b[j][p].
			for j := range w {
				src := b[(jc+s+j)*ldb+pc:][:kb]
				for p, v := range src {
					panel[p*nr+j] = v
				}
			}
		}
		if w < nr {
			for p := range kb {
				clear(panel[p*nr+w : (p+1)*nr])
			}
		}
	}
}
