package walls

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// module is the path every dusk package starts with.
const module = "github.com/dusk-go/dusk"

// A rule constrains the dusk packages that the packages matching pkgs
// import: directly only those of may (when may is set), and never, even
// through others, those of never. Patterns are paths relative to the
// module ("." is the root package); "x/..." matches x and everything
// below it. Imports from outside dusk are not a rule's concern.
type rule struct {
	pkgs  string
	may   []string
	never []string
	why   string
}

var rules = []rule{
	{pkgs: "scheduler/state", may: []string{"graph", "task", "diagnostics/event", "internal/units", "internal/shrink"},
		never: []string{"wire/...", "worker/...", "config", "cluster/...", "scheduler"},
		why:   "the scheduler's core is pure: events in, actions out; configuration arrives as plain values"},
	{pkgs: "scheduler/sim", may: []string{"graph", "scheduler/state"},
		why: "the simulator drives the pure core alone: no shell, no network"},
	{pkgs: "worker/state", may: []string{"graph", "task", "internal/shrink"},
		never: []string{"wire/...", "worker", "config", "cluster/...", "scheduler/..."},
		why:   "the worker's core is pure"},
	{pkgs: "graph", never: []string{".", "scheduler/...", "worker/...", "wire/...", "cluster/...", "config", "dataframe/...", "diagnostics/..."},
		why: "graph values import no shell"},
	{pkgs: "codec", never: []string{".", "scheduler/...", "worker/...", "wire/...", "cluster/...", "config", "dataframe/...", "diagnostics/..."},
		why: "the codec imports no shell"},
	{pkgs: "task", may: []string{"registry"}, why: "task is the leaf that collections and workers share"},
	{pkgs: "dataframe/...", may: []string{".", "task", "dataframe/..."},
		why: "collections use the public API and task, never the scheduler, its core or the worker"},
	{pkgs: "array/...", may: []string{".", "task", "array/...", "graph", "internal/unzeroed"},
		why: "collections use the public API and task (and graph's fusion, and the leaf allocator internal/unzeroed), never the scheduler, its core or the worker"},
	{pkgs: "diagnostics/...", never: []string{"scheduler/...", "worker/...", "cluster/..."},
		why: "diagnostics read the event stream and published snapshots, never the scheduler or its core"},
	{pkgs: "advisor", never: []string{"scheduler/...", "worker/...", "cluster/..."},
		why: "the advisor reads the event stream and published snapshots, never the scheduler or its core"},
	{pkgs: "scheduler", never: []string{"worker/...", "cluster"}, why: "the scheduler and the worker meet only through wire"},
	{pkgs: "worker/...", never: []string{"scheduler/...", "cluster"}, why: "the scheduler and the worker meet only through wire (cluster/resources is a leaf of values)"},
	{pkgs: ".", never: []string{"cluster/kube"}, why: "a program that does not run on Kubernetes does not link client-go (cluster/kube is imported only by who uses it)"},
}

// matches reports whether the module-relative path p matches pattern.
func matches(pattern, p string) bool {
	if dir, ok := strings.CutSuffix(pattern, "/..."); ok {
		return p == dir || strings.HasPrefix(p, dir+"/")
	}
	return p == pattern
}

// rel returns a dusk package's path relative to the module, or false.
func rel(path string) (string, bool) {
	if path == module {
		return ".", true
	}
	return strings.CutPrefix(path, module+"/")
}

type pkg struct{ imports, deps []string }

// list returns every dusk package with its dusk imports and dependencies.
func list(t *testing.T) map[string]pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-tags", "duckdb_arrow",
		"-f", "{{.ImportPath}}|{{join .Imports \" \"}}|{{join .Deps \" \"}}", module+"/...")
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("go list: %v\n%s", err, stderr)
	}
	ours := func(s string) []string {
		var out []string
		for _, p := range strings.Fields(s) {
			if r, ok := rel(p); ok {
				out = append(out, r)
			}
		}
		return out
	}
	pkgs := map[string]pkg{}
	for line := range strings.Lines(string(out)) {
		f := strings.SplitN(strings.TrimSpace(line), "|", 3)
		if len(f) != 3 {
			continue
		}
		if p, ok := rel(f[0]); ok {
			pkgs[p] = pkg{imports: ours(f[1]), deps: ours(f[2])}
		}
	}
	return pkgs
}

// TestImportWalls fails naming every import that breaks a rule.
func TestImportWalls(t *testing.T) {
	pkgs := list(t)
	for _, r := range rules {
		n := 0
		for name, p := range pkgs {
			if !matches(r.pkgs, name) {
				continue
			}
			n++
			for _, imp := range p.imports {
				if r.may != nil && !slices.ContainsFunc(r.may, func(m string) bool { return matches(m, imp) }) {
					t.Errorf("%s imports %s; %s may import only %s of dusk: %s", name, imp, r.pkgs, strings.Join(r.may, ", "), r.why)
				}
			}
			for _, dep := range p.deps {
				if slices.ContainsFunc(r.never, func(m string) bool { return matches(m, dep) }) {
					t.Errorf("%s depends on %s, which %s must not: %s", name, dep, r.pkgs, r.why)
				}
			}
		}
		if n == 0 && !strings.HasPrefix(r.pkgs, "array") {
			t.Errorf("no package matches %s: a rule about nothing", r.pkgs)
		}
	}
}

// internal are the packages whose types the root package must not expose:
// users see the root's own types (and task's, config's, the diagnostics
// event types), not the scheduler's, the worker's or the protocol's.
var internal = []string{"scheduler/...", "worker/...", "cluster/...", "wire/...", "registry", "codec", "internal/..."}

// TestRootExposesNoInternalType reads the root package's source and fails
// naming every exported function, method, type, field or variable whose
// declared type mentions an internal package.
func TestRootExposesNoInternalType(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("../../*.go")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		n++
		imports := map[string]string{} // name in the file -> module-relative path
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			r, ok := rel(p)
			if !ok {
				continue
			}
			name := filepath.Base(p)
			if im.Name != nil {
				name = im.Name.Name
			}
			imports[name] = r
		}
		check := func(what string, node ast.Node) {
			if node == nil {
				return
			}
			ast.Inspect(node, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if id, ok := sel.X.(*ast.Ident); ok {
					if p, ok := imports[id.Name]; ok && slices.ContainsFunc(internal, func(m string) bool { return matches(m, p) }) {
						t.Errorf("%s: %s exposes %s.%s (package %s is internal)", fset.Position(sel.Pos()), what, id.Name, sel.Sel.Name, p)
					}
				}
				return true
			})
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() || (d.Recv != nil && !exportedRecv(d.Recv)) {
					continue
				}
				check(d.Name.Name, d.Type)
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						checkType(s.Name.Name, s.Type, s.Assign != token.NoPos, check)
					case *ast.ValueSpec:
						for _, name := range s.Names {
							if name.IsExported() {
								check(name.Name, s.Type)
							}
						}
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no source file of the root package found")
	}
}

// checkType checks what a type declaration exposes: all of an alias, the
// exported fields and methods of a struct or interface, all of any other.
func checkType(name string, typ ast.Expr, alias bool, check func(string, ast.Node)) {
	switch tt := typ.(type) {
	case *ast.StructType:
		if alias {
			break
		}
		for _, f := range tt.Fields.List {
			for _, n := range f.Names {
				if n.IsExported() {
					check(name+"."+n.Name, f.Type)
				}
			}
			if len(f.Names) == 0 { // embedded: its exported members are promoted
				check(name+" (embedded)", f.Type)
			}
		}
		return
	case *ast.InterfaceType:
		for _, m := range tt.Methods.List {
			check(name, m.Type)
		}
		return
	}
	check(name, typ)
}

// exportedRecv reports whether a method's receiver type is exported.
func exportedRecv(recv *ast.FieldList) bool {
	if len(recv.List) == 0 {
		return false
	}
	t := recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x.IsExported()
		default:
			return false
		}
	}
}
