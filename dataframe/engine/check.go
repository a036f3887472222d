//go:build duckdb_arrow

package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// checkedSQL are the users' expressions a DB found good, by kind
// ("expr"), up to maxPlanned of them, each with its parse (the JSON form
// of json_serialize_sql): the check is a parse, whose answer for one text
// never changes. A parse is shared: its readers do not change it.
type checkedSQL struct {
	mu sync.Mutex
	m  map[string]map[string]any
}

func (c *checkedSQL) get(kind, sql string) (map[string]any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	tree, ok := c.m[kind+"\x00"+sql]
	return tree, ok
}

func (c *checkedSQL) put(kind, sql string, tree map[string]any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxPlanned {
		c.m = map[string]map[string]any{}
	}
	c.m[kind+"\x00"+sql] = tree
}

// Users' SQL (Filter and Assign expressions, MapPartitionsSQL queries) is
// parsed by DuckDB's own parser before anything runs, and refused unless
// it is exactly one expression over the columns of the table "part", or
// exactly one SELECT that reads "part" only: pasted into a query it could
// otherwise end it and run statements of its own (COPY ... TO a file,
// UNION forged rows, read other files). The lockdown (access.go) is the
// second wall: even a query that slipped through reaches no file.

// SQLError is a user's expression or query that dusk refuses to run.
type SQLError struct {
	What string // "expression" or "query"
	SQL  string
	Why  string
}

func (e *SQLError) Error() string {
	return fmt.Sprintf("the %s %q is refused: %s", e.What, e.SQL, e.Why)
}

// CheckExpr returns an *SQLError unless expr is exactly one SQL expression
// over the columns of the table "part", with no subquery. An expression
// found good is remembered (see checkedSQL): a plan built again asks
// DuckDB's parser nothing.
func (e *DB) CheckExpr(ctx context.Context, expr string) error {
	_, err := e.ParseExpr(ctx, expr)
	return err
}

// ParseExpr checks expr as CheckExpr does and returns DuckDB's parse of
// it, in the JSON form of json_serialize_sql; the caller must not change
// it (a plan built again gets the same one).
func (e *DB) ParseExpr(ctx context.Context, expr string) (map[string]any, error) {
	if tree, ok := e.checked.get("expr", expr); ok {
		return tree, nil
	}
	tree, err := e.checkExpr(ctx, expr)
	if err != nil {
		return nil, err
	}
	e.checked.put("expr", expr, tree)
	return tree, nil
}

func (e *DB) checkExpr(ctx context.Context, expr string) (map[string]any, error) {
	refuse := func(why string) (map[string]any, error) {
		return nil, &SQLError{What: "expression", SQL: expr, Why: why}
	}
	// The newlines end a trailing line comment before the parenthesis.
	stmts, err := e.parse(ctx, "SELECT (\n"+expr+"\n) FROM part")
	if err != nil {
		return refuse(err.Error())
	}
	if len(stmts) != 1 {
		return refuse(fmt.Sprintf("it holds %d statements; give one expression over the columns", len(stmts)))
	}
	n, _ := stmts[0]["node"].(map[string]any)
	if n["type"] != "SELECT_NODE" {
		return refuse(fmt.Sprintf("it makes a %v of the query; give one expression over the columns", n["type"]))
	}
	list, _ := n["select_list"].([]any)
	if len(list) != 1 {
		return refuse("it is more than one expression; give one expression over the columns")
	}
	from, _ := n["from_table"].(map[string]any)
	if from["type"] != "BASE_TABLE" || from["table_name"] != "part" {
		return refuse("it changes what the query reads; give one expression over the columns")
	}
	for _, k := range []string{"where_clause", "having", "qualify", "sample"} {
		if n[k] != nil {
			return refuse("it adds clauses to the query; give one expression over the columns")
		}
	}
	if g, _ := n["group_expressions"].([]any); len(g) > 0 {
		return refuse("it adds clauses to the query; give one expression over the columns")
	}
	if m, _ := n["modifiers"].([]any); len(m) > 0 {
		return refuse("it adds clauses to the query; give one expression over the columns")
	}
	if ctes := cteNames(n); len(ctes) > 0 {
		return refuse("it adds a WITH clause; give one expression over the columns")
	}
	if found(n["select_list"], func(m map[string]any) bool { return m["class"] == "SUBQUERY" }) {
		return refuse("it holds a subquery; an expression reads the columns of its own row only")
	}
	tree, _ := list[0].(map[string]any)
	return tree, nil
}

// CheckSelect returns an *SQLError unless query is exactly one SELECT
// that reads the table "part" only (itself, its own WITH tables and
// subqueries over them: no other table, no table function, no SELECT
// without FROM).
func (e *DB) CheckSelect(ctx context.Context, query string) error {
	refuse := func(why string) error { return &SQLError{What: "query", SQL: query, Why: why} }
	stmts, err := e.parse(ctx, query)
	if err != nil {
		return refuse(err.Error())
	}
	if len(stmts) != 1 {
		return refuse(fmt.Sprintf("it holds %d statements; give one SELECT over part", len(stmts)))
	}
	node := stmts[0]["node"]
	ctes := map[string]bool{}
	_ = found(node, func(m map[string]any) bool {
		for _, name := range cteNames(m) {
			ctes[strings.ToLower(name)] = true
		}
		return false
	})
	var why string
	found(node, func(m map[string]any) bool {
		switch m["type"] {
		case "BASE_TABLE":
			name, _ := m["table_name"].(string)
			if m["schema_name"] != "" || m["catalog_name"] != "" || (name != "part" && !ctes[strings.ToLower(name)]) {
				why = fmt.Sprintf("it reads the table %q; a query reads part only", name)
				return true
			}
		case "TABLE_FUNCTION":
			fn, _ := m["function"].(map[string]any)
			why = fmt.Sprintf("it calls the table function %v; a query reads part only", fn["function_name"])
			return true
		case "EMPTY", "EXPRESSION_LIST":
			why = "one of its SELECTs reads no table (it would add rows of its own, as VALUES does); a query reads part only"
			return true
		}
		return false
	})
	if why != "" {
		return refuse(why)
	}
	return nil
}

// parse returns the statements DuckDB's parser finds in sql, as its JSON
// form; statements other than SELECT are an error.
func (e *DB) parse(ctx context.Context, sql string) ([]map[string]any, error) {
	var js string
	if err := e.db.QueryRowContext(ctx, "SELECT json_serialize_sql(CAST(? AS VARCHAR))::VARCHAR", sql).Scan(&js); err != nil {
		return nil, fmt.Errorf("DuckDB could not parse it: %s", duckMessage(err))
	}
	var out struct {
		Error        bool             `json:"error"`
		ErrorMessage string           `json:"error_message"`
		Statements   []map[string]any `json:"statements"`
	}
	if err := json.Unmarshal([]byte(js), &out); err != nil {
		return nil, fmt.Errorf("DuckDB's parse of it did not read: %w", err)
	}
	if out.Error {
		msg := out.ErrorMessage
		if strings.Contains(msg, "Only SELECT statements") {
			msg = "it holds a statement other than SELECT"
		}
		return nil, fmt.Errorf("%s", msg)
	}
	return out.Statements, nil
}

// cteNames returns the names of the WITH tables a query node defines.
func cteNames(node map[string]any) []string {
	cm, _ := node["cte_map"].(map[string]any)
	entries, _ := cm["map"].([]any)
	var names []string
	for _, e := range entries {
		if m, ok := e.(map[string]any); ok {
			if k, ok := m["key"].(string); ok {
				names = append(names, k)
			}
		}
	}
	return names
}

// found walks a parsed JSON value depth first and reports whether match
// holds for any object in it.
func found(v any, match func(map[string]any) bool) bool {
	switch x := v.(type) {
	case map[string]any:
		if match(x) {
			return true
		}
		for _, c := range x {
			if found(c, match) {
				return true
			}
		}
	case []any:
		for _, c := range x {
			if found(c, match) {
				return true
			}
		}
	}
	return false
}
