package datadriven

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const script = `# a comment
echo a b=1 c=(x, y z)
hello
world
----
a [1] [x y z]
hello
world

# blank output
noop
----

para
----
----
one

two
----
----
`

func echo(t *testing.T, c *Cmd) string {
	switch c.Name {
	case "echo":
		var parts []string
		for _, a := range c.Args {
			if a.Vals == nil {
				parts = append(parts, a.Key)
			} else {
				parts = append(parts, "["+strings.Join(a.Vals, " ")+"]")
			}
		}
		return strings.Join(parts, " ") + "\n" + c.Input
	case "noop":
		return ""
	case "para":
		return "one\n\ntwo"
	}
	c.Fatalf(t, "unknown command")
	return ""
}

func TestRunFileMatches(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.txt")
	if err := os.WriteFile(p, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	RunFile(t, p, echo)
}

func TestArgs(t *testing.T) {
	name, args, err := parseLine("cmd w1 n=3 ks=(a, b,c) x=()")
	if err != nil || name != "cmd" || len(args) != 4 {
		t.Fatalf("parseLine: %q %v %v", name, args, err)
	}
	c := &Cmd{Name: name, Args: args}
	if !c.Has("w1") || c.Int(t, "n", 0) != 3 || strings.Join(c.List("ks"), "|") != "a|b|c" || len(c.List("x")) != 0 {
		t.Fatalf("args read wrong: %+v", args)
	}
	if c.Str(t, "missing", "def") != "def" {
		t.Fatal("default not used")
	}
	if _, _, err := parseLine("cmd k=(a, b"); err == nil {
		t.Fatal("an unclosed parenthesis is not an error")
	}
}

func TestRewriteKeepsCommentsAndFixesOutput(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.txt")
	stale := strings.Replace(script, "a [1] [x y z]", "stale", 1)
	stale = strings.Replace(stale, "----\n----\none\n\ntwo\n----\n----\n", "----\nold\n", 1)
	if err := os.WriteFile(p, []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	*rewrite = true
	defer func() { *rewrite = false }()
	RunFile(t, p, echo)
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != script {
		t.Fatalf("rewritten script differs:\n%s\n--- want\n%s", got, script)
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{"cmd\ninput without separator\n", "cmd\n----\n----\nnever closed\n"} {
		if _, err := parse("x", strings.Split(bad, "\n")); err == nil {
			t.Errorf("no error for %q", bad)
		}
	}
}
