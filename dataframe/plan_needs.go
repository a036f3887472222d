package dataframe

// maxOptimizePasses bounds the rewrites of a plan whose shared steps are
// asked for more columns in each pass; past it the plan runs as written
// (every column read), which is always right.
const maxOptimizePasses = 6

// want records that n is asked for the columns in need and returns all
// the columns it was asked for so far, in this pass or an earlier one: a
// step read by several others produces what all of them need. A step
// asked for more than before, after its first request, makes the
// optimizer run again (see optimize), so that its one rewrite serves
// every reader.
func (o *optimizer) want(n node, need map[string]bool) map[string]bool {
	w, ok := o.wants[n]
	if !ok {
		w = make(map[string]bool, len(need))
		o.wants[n] = w
	}
	for c := range need {
		if !w[c] {
			w[c] = true
			o.grew = o.grew || ok
		}
	}
	out := make(map[string]bool, len(w))
	for c := range w {
		out[c] = true
	}
	return out
}
