package dataframe_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// module is the path every dusk package starts with.
const module = "github.com/dusk-go/dusk"

// wall says which dusk packages the packages matching pkgs may import
// (patterns as go list takes them: a path, or a path followed by "/..." for
// it and everything below it). Imports from outside dusk (the standard
// library, third-party modules) are not its concern.
type wall struct {
	pkgs string
	may  []string
}

// walls are the dataframe's walls of docs/architecture.md: collections use
// the public API of the root package and task, never the scheduler, its
// core or the worker; task is a leaf that collections and workers share
// (registry, where its extensions are registered, imports nothing of dusk).
var walls = []wall{
	{pkgs: module + "/dataframe/...", may: []string{module, module + "/task", module + "/dataframe/..."}},
	{pkgs: module + "/task", may: []string{module + "/registry"}},
}

// matches reports whether path matches pattern (see wall).
func matches(pattern, path string) bool {
	if dir, ok := strings.CutSuffix(pattern, "/..."); ok {
		return path == dir || strings.HasPrefix(path, dir+"/")
	}
	return path == pattern
}

// inDusk reports whether path is a package of dusk.
func inDusk(path string) bool { return matches(module+"/...", path) }

// TestImportWalls lists the dataframe's packages and everything they
// depend on (go list -deps), and fails naming every import of a dusk
// package that a package's wall does not allow.
func TestImportWalls(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-tags", "duckdb_arrow",
		"-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", module+"/dataframe/...").Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("go list: %v\n%s", err, stderr)
	}
	checked := map[string]bool{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		pkg, imports := fields[0], fields[1:]
		for _, w := range walls {
			if !matches(w.pkgs, pkg) {
				continue
			}
			checked[w.pkgs] = true
			for _, imp := range imports {
				allowed := slices.ContainsFunc(w.may, func(p string) bool { return matches(p, imp) })
				if inDusk(imp) && !allowed {
					t.Errorf("%s imports %s; packages of %s may import only %s of dusk", pkg, imp, w.pkgs, strings.Join(w.may, ", "))
				}
			}
		}
	}
	for _, w := range walls {
		if !checked[w.pkgs] {
			t.Errorf("go list listed no package of %s", w.pkgs)
		}
	}
}
