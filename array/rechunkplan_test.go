package array

import (
	"slices"
	"testing"
)

// largestBlock returns the elements of the largest block of chunks.
func largestBlock(chunks [][]int) int {
	n := 1
	for _, cs := range chunks {
		n *= slices.Max(cs)
	}
	return n
}

func TestPlanRechunkInOneStageWhenPartsAreFew(t *testing.T) {
	// The benchmark's rechunk: 1,000 parts for 3.2 GB. Moving the data
	// twice would cost far more than the parts.
	old := [][]int{regularChunks(20000, 2000), regularChunks(20000, 2000)}
	target := [][]int{{20000}, regularChunks(20000, 200)}
	if plan := planRechunk(old, target, 8); len(plan) != 1 || !slices.EqualFunc(plan[0], target, slices.Equal) {
		t.Fatalf("plan of %d stages, want the target alone", len(plan))
	}
	// One axis: never more parts than old and new blocks together.
	if plan := planRechunk([][]int{regularChunks(1e6, 1)}, [][]int{{1e6}}, 8); len(plan) != 1 {
		t.Fatalf("1-d plan of %d stages", len(plan))
	}
}

func TestPlanRechunkStagesAnAllToAllRechunk(t *testing.T) {
	// From columns of one element to rows of one: done at once, 400
	// million parts of 8 bytes.
	const n = 20000
	old := [][]int{{n}, regularChunks(n, 1)}
	target := [][]int{regularChunks(n, 1), {n}}
	direct := rechunkTasks(old, target)
	plan := planRechunk(old, target, 8)
	if len(plan) < 2 || !slices.EqualFunc(plan[len(plan)-1], target, slices.Equal) {
		t.Fatalf("plan of %d stages, the last %v long; want stages ending at the target", len(plan), len(plan[len(plan)-1][0]))
	}
	tasks, prev := 0, old
	bound := max(largestBlock(old), largestBlock(target))
	for i, stage := range plan {
		for k, cs := range stage {
			sum := 0
			for _, c := range cs {
				sum += c
			}
			if sum != n {
				t.Fatalf("stage %d axis %d: chunks add up to %d, want %d", i, k, sum, n)
			}
		}
		// Peak memory per task: no intermediate block much larger than
		// the larger of an old and a new block.
		if b := largestBlock(stage); b > bound*11/10 {
			t.Errorf("stage %d: blocks of %d elements, above %d", i, b, bound)
		}
		tasks += rechunkTasks(prev, stage)
		prev = stage
	}
	if tasks*100 > direct {
		t.Fatalf("%d stages of %d tasks in all, against %d at once: want under a hundredth", len(plan), tasks, direct)
	}
}

func TestSegments(t *testing.T) {
	for _, c := range []struct {
		a, b []int
		want int
	}{
		{[]int{4, 4}, []int{4, 4}, 2},
		{[]int{8}, []int{2, 2, 2, 2}, 4},
		{[]int{2, 2, 1}, []int{2, 3}, 3}, // boundaries 2, 4 | 2: segments [0,2) [2,4) [4,5)
		{[]int{3, 3}, []int{2, 2, 2}, 4}, // 3 | 2, 4: [0,2) [2,3) [3,4) [4,6)
		{[]int{0, 5}, []int{5}, 2},       // a chunk of length 0 is a segment of its own
		{[]int{5, 5}, []int{1, 9}, 3},    // 5 | 1: [0,1) [1,5) [5,10)
	} {
		if got := segments(c.a, c.b); got != c.want {
			t.Errorf("segments(%v, %v) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
