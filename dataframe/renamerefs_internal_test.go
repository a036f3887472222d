package dataframe

import "testing"

func TestRenameRefs(t *testing.T) {
	rename := map[string]string{"x_x": "x", "Odd Name_y": "Odd Name"}
	for _, c := range []struct{ in, want string }{
		{"x_x > 3", `"x" > 3`},
		{"X_X > 3 AND x_xy < 2", `"x" > 3 AND x_xy < 2`},             // case-insensitive; a longer name is another
		{"k = 'x_x' AND x_x IS NULL", `k = 'x_x' AND "x" IS NULL`},   // literals untouched
		{"k = 'it''s x_x' OR x_x = 1", `k = 'it''s x_x' OR "x" = 1`}, // doubled quotes
		{`"x_x" + "Odd Name_y" > 0`, `"x" + "Odd Name" > 0`},         // quoted: exact
		{`"X_X" > 0`, `"X_X" > 0`},                                   // a quoted name keeps its case
		{"abs(x_x)*2>1", `abs("x")*2>1`},
	} {
		got, ok := renameRefs(c.in, rename)
		if !ok || got != c.want {
			t.Errorf("renameRefs(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
	for _, bad := range []string{"k = 'open", `"open > 1`} {
		if _, ok := renameRefs(bad, rename); ok {
			t.Errorf("renameRefs(%q): no error for an unterminated quote", bad)
		}
	}
}
