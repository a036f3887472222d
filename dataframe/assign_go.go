package dataframe

import (
	"context"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/kernels"
)

// An Assign under a group-by that Go aggregates is computed in Go too when
// its expression is arithmetic over int64 and float64 columns (see
// kernels.Arith): the partial step then reads the partitions as they are,
// where DuckDB would scan every column it needs and hand the rows back
// (19 ms of a partition's 41 for `id % 10` over a million rows).

// goAssign returns the Go form of the Assign s, or false when Go does not
// compute it: its expression is not one kernels.Arith does, or DuckDB
// plans its column to another type than Go would give.
func goAssign(s *sqlNode) (kernels.Computed, bool) {
	if !s.passThrough || s.assigned == "" || s.filter != "" {
		return kernels.Computed{}, false
	}
	e, err := engine.For(context.Background())
	if err != nil {
		return kernels.Computed{}, false
	}
	tree, err := e.ParseExpr(context.Background(), s.expr)
	if err != nil {
		return kernels.Computed{}, false
	}
	x, ok := arith(tree, s.child.meta().schema)
	if !ok || x.Op == "int" || x.Op == "float" {
		return kernels.Computed{}, false
	}
	i, err := columnIndex(s.m.schema, s.assigned, "Assign")
	if err != nil {
		return kernels.Computed{}, false
	}
	if t := s.m.schema.Field(i).Type.ID(); t != arrow.FLOAT64 && t != arrow.INT64 || (t == arrow.FLOAT64) != x.IsFloat {
		return kernels.Computed{}, false
	}
	return kernels.Computed{Name: s.assigned, SQL: s.expr, Expr: x}, true
}

// arith turns DuckDB's parse of an expression (json_serialize_sql's form)
// into a kernels.Arith over the columns of s, typed as DuckDB types it:
// int64 and float64 columns, INTEGER and BIGINT constants (exact in a
// float64) that take the type of the other operand, DOUBLE constants,
// unary minus and + - * / %. Anything else (DECIMAL constants such as
// 2.5, casts, functions, an operator of two constants) is not.
func arith(n map[string]any, s *arrow.Schema) (kernels.Arith, bool) {
	switch n["class"] {
	case "COLUMN_REF":
		names, _ := n["column_names"].([]any)
		if len(names) != 1 {
			return kernels.Arith{}, false
		}
		name, _ := names[0].(string)
		i, err := columnIndex(s, name, "Assign")
		if err != nil {
			return kernels.Arith{}, false
		}
		switch s.Field(i).Type.ID() {
		case arrow.INT64:
			return kernels.Arith{Op: "col", Col: name}, true
		case arrow.FLOAT64:
			return kernels.Arith{Op: "col", Col: name, IsFloat: true}, true
		}
	case "CONSTANT":
		v, _ := n["value"].(map[string]any)
		t, _ := v["type"].(map[string]any)
		num, ok := v["value"].(float64)
		if !ok || v["is_null"] != false {
			return kernels.Arith{}, false
		}
		switch t["id"] {
		case "INTEGER", "BIGINT":
			if math.Abs(num) > 1<<53 || num != math.Trunc(num) {
				return kernels.Arith{}, false
			}
			return kernels.Arith{Op: "int", Int: int64(num)}, true
		case "DOUBLE":
			return kernels.Arith{Op: "float", Float: num, IsFloat: true}, true
		}
	case "FUNCTION":
		op, _ := n["function_name"].(string)
		kids, _ := n["children"].([]any)
		if n["is_operator"] != true || n["distinct"] == true || n["filter"] != nil {
			return kernels.Arith{}, false
		}
		args := make([]kernels.Arith, len(kids))
		for i, k := range kids {
			km, _ := k.(map[string]any)
			var ok bool
			if args[i], ok = arith(km, s); !ok {
				return kernels.Arith{}, false
			}
		}
		constant := func(a kernels.Arith) bool { return a.Op == "int" || a.Op == "float" }
		switch {
		case op == "-" && len(args) == 1:
			if constant(args[0]) {
				return kernels.Arith{}, false
			}
			return kernels.Arith{Op: "neg", Args: args, IsFloat: args[0].IsFloat}, true
		case len(args) == 2 && (op == "+" || op == "-" || op == "*" || op == "/" || op == "%"):
			if constant(args[0]) && constant(args[1]) {
				return kernels.Arith{}, false
			}
			// An integer operand of a float is a float; / divides
			// integers as floats.
			float := args[0].IsFloat || args[1].IsFloat || op == "/"
			return kernels.Arith{Op: op, Args: args, IsFloat: float}, true
		}
	}
	return kernels.Arith{}, false
}
