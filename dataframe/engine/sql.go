package engine

import "strings"

// The names under which the dataframe's queries read their inputs: one
// partition, or the two sides of a join.
const (
	ViewIn    = "__dusk_in"
	ViewLeft  = "__dusk_left"
	ViewRight = "__dusk_right"
)

// WithCTE returns query with name bound to body as a common table
// expression. Bound to "SELECT * FROM view", it reads an input view whole,
// and once: DuckDB inlines an expression used once and materializes one
// used more often, so even a self-join reads the Arrow stream (which can be
// read only once) once. A query that starts with WITH gets the binding
// first in its list.
func WithCTE(name, body, query string) string {
	query = strings.TrimRight(strings.TrimSpace(query), "; \n\t")
	cte := QuoteIdent(name) + " AS (" + body + ")"
	if kw, rest, ok := leadingWith(query); ok {
		return kw + " " + cte + ", " + rest
	}
	return "WITH " + cte + " " + query
}

// ScanView is the body that reads an input view whole.
func ScanView(view string) string { return "SELECT * FROM " + QuoteIdent(view) }

// leadingWith splits "WITH [RECURSIVE] rest" into its keyword(s) and rest.
func leadingWith(q string) (kw, rest string, ok bool) {
	fields := strings.Fields(q)
	if len(fields) < 2 || !strings.EqualFold(fields[0], "WITH") {
		return "", "", false
	}
	i := strings.Index(strings.ToUpper(q), "WITH") + 4
	rest = strings.TrimSpace(q[i:])
	kw = "WITH"
	if strings.EqualFold(fields[1], "RECURSIVE") {
		kw = "WITH RECURSIVE"
		rest = strings.TrimSpace(rest[len("RECURSIVE"):])
	}
	return kw, rest, true
}

// SQLString quotes s as an SQL string literal.
func SQLString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// QuoteIdent quotes a column or table name for DuckDB.
func QuoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
