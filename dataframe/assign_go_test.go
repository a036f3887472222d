package dataframe_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/dataframe"
)

// TestAssignsUnderAGroupByComputedInGo groups by, and aggregates, columns
// assigned with arithmetic over int64 and float64 columns with nulls (a
// remainder by 0, integers divided as floats, an integer meeting a float)
// and compares with DuckDB; the plan says which Assigns Go computes, and
// expressions Go does not do (a DECIMAL constant, a function) stay
// DuckDB's. An int64 overflow is an error, as in DuckDB.
func TestAssignsUnderAGroupByComputedInGo(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rec := nullyData(t, 3000)
	df := fromRecord(t, ctx, c, rec, 5)
	for _, tc := range []struct {
		expr  string
		isInt bool
		inGo  bool
	}{
		{"rn % 7", true, true},
		{"i * 3 - rn + 2", true, true},
		{"-i", true, true},
		{"rn % (i - 1)", true, true}, // i = 1: a remainder by 0, null
		{"rn / 4", false, true},
		{"x % 3 - i", false, true},
		{"(x + 1e3) * -2", false, true},
		{"x * 2.5", false, false},
		{"abs(i)", true, false},
	} {
		a := df.Assign("g", tc.expr).Drop("s") // a Drop between: Go reads by name
		q := a.GroupBy("k").Agg(dataframe.Sum("g"), dataframe.Count("g"), dataframe.Max("g"))
		want := "SELECT k, sum(g) AS g_sum, count(g) AS g_count, max(g) AS g_max FROM (SELECT *, " + tc.expr + " AS g FROM part) GROUP BY k ORDER BY k"
		if tc.isInt {
			// Grouped by it, with a second key.
			q = a.GroupBy("g", "k").Agg(dataframe.Sum("x"), dataframe.Count("rn"))
			want = "SELECT " + tc.expr + " AS g, k, sum(x) AS x_sum, count(rn) AS rn_count FROM part GROUP BY ALL ORDER BY g, k"
		}
		if q.Err() != nil {
			t.Fatalf("%s: %v", tc.expr, q.Err())
		}
		if got := strings.Contains(q.Explain(), "(g computed in Go)"); got != tc.inGo {
			t.Fatalf("%s: computed in Go %v, want %v:\n%s", tc.expr, got, tc.inGo, q.Explain())
		}
		wl := tableLines(t, duckTable(t, want, rec))
		if gl := tableLines(t, mustCompute(t, ctx, q)); fmt.Sprint(gl) != fmt.Sprint(wl) {
			t.Fatalf("%s: got\n%s\nwant\n%s", tc.expr, strings.Join(gl, "\n"), strings.Join(wl, "\n"))
		}
	}
	over := df.Assign("g", "rn * 4000000000000000").GroupBy("g").Agg(dataframe.Sum("x"))
	if !strings.Contains(over.Explain(), "(g computed in Go)") {
		t.Fatalf("not computed in Go:\n%s", over.Explain())
	}
	_, err := over.Compute(ctx)
	wantErr(t, err, `g = rn * 4000000000000000`, "overflow of int64 in ", " * 4000000000000000 (row ")
}
