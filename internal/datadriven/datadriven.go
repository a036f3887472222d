// Package datadriven runs golden test scripts: text files of commands, each
// followed by the output it must print. A test reads a script, hands every
// command to a function of its own and compares what the function returns
// with the expected text; run with -rewrite, it writes the actual output
// back into the file instead (etcd raft's and CockroachDB's style).
//
// A script looks like this:
//
//	# A comment runs to the end of its line.
//	submit client=c1 keys=(a, b)
//	a: inc(1)
//	b: inc(a)
//	----
//	compute a on w1
//
// A command is one line: a name, then arguments, each a bare word, key=value
// or key=(v1, v2, ...). Lines after it up to "----" are its input. The
// expected output follows the "----" line and ends at the first blank line.
// Output that itself holds blank lines is written between two lines of
// "----" and ends at a second pair of them.
package datadriven

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "datadriven: write the actual output into the test scripts")

// Cmd is one command of a script.
type Cmd struct {
	// Pos is the file and line of the command, for messages.
	Pos string
	// Name is the command's first word.
	Name string
	// Args are the command's arguments in order.
	Args []Arg
	// Input is the text between the command line and "----".
	Input string
	// Expected is the output the script holds for the command.
	Expected string

	sepLine int // index of the command's "----" line
	endLine int // index of the first line after its expected output
}

// Arg is one argument of a command: Key alone for a bare word, Key with
// Vals for key=value or key=(v1, v2).
type Arg struct {
	Key  string
	Vals []string
}

// Has reports whether the command has an argument named key.
func (c *Cmd) Has(key string) bool {
	_, ok := c.find(key)
	return ok
}

func (c *Cmd) find(key string) (Arg, bool) {
	for _, a := range c.Args {
		if a.Key == key {
			return a, true
		}
	}
	return Arg{}, false
}

// Str returns the single value of argument key, or def when there is none.
func (c *Cmd) Str(t testing.TB, key, def string) string {
	t.Helper()
	a, ok := c.find(key)
	if !ok {
		return def
	}
	if len(a.Vals) != 1 {
		t.Fatalf("%s: %s wants one value for %s, has %d", c.Pos, c.Name, key, len(a.Vals))
	}
	return a.Vals[0]
}

// Int returns argument key as an integer, or def when there is none.
func (c *Cmd) Int(t testing.TB, key string, def int64) int64 {
	t.Helper()
	s := c.Str(t, key, "")
	if s == "" {
		return def
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%s: %s=%s is not an integer", c.Pos, key, s)
	}
	return n
}

// List returns the values of argument key (nil when there is none).
func (c *Cmd) List(key string) []string {
	a, _ := c.find(key)
	return a.Vals
}

// Fatalf fails the test with a message that starts with the command's
// position.
func (c *Cmd) Fatalf(t testing.TB, format string, args ...any) {
	t.Helper()
	t.Fatalf("%s: %s: %s", c.Pos, c.Name, fmt.Sprintf(format, args...))
}

// Walk runs every file of dir whose name ends in .txt as a subtest named
// for the file.
func Walk(t *testing.T, dir string, run func(t *testing.T, path string)) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("datadriven: no scripts (*.txt) in %s", dir)
	}
	for _, p := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(p), ".txt"), func(t *testing.T) { run(t, p) })
	}
}

// RunFile runs the script at path: f is called for each command in order
// and returns the command's output. A difference from the expected output
// fails the test, or, with -rewrite, is written into the file.
func RunFile(t *testing.T, path string, f func(t *testing.T, c *Cmd) string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	cmds, err := parse(path, lines)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	next := 0 // first line of the file not yet copied to out
	for _, c := range cmds {
		got := f(t, c)
		if t.Failed() {
			return
		}
		got = strings.TrimRight(got, "\n")
		if *rewrite {
			for _, l := range lines[next:c.sepLine] {
				out.WriteString(l + "\n")
			}
			writeOutput(&out, got)
			next = c.endLine
			continue
		}
		if got != c.Expected {
			t.Fatalf("%s: %s: output differs (run with -rewrite to accept it)\n--- expected\n%s\n--- got\n%s",
				c.Pos, c.Name, c.Expected, got)
		}
	}
	if !*rewrite {
		return
	}
	rest := lines[next:]
	for len(rest) > 0 && rest[len(rest)-1] == "" {
		rest = rest[:len(rest)-1]
	}
	if len(rest) > 0 {
		out.WriteString("\n" + strings.Join(rest, "\n") + "\n")
	}
	text := strings.TrimRight(out.String(), "\n") + "\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeOutput writes a command's separator and output, doubled around
// output that holds blank lines, and the blank line that ends it.
func writeOutput(out *strings.Builder, got string) {
	if slices.Contains(strings.Split(got, "\n"), "") && got != "" {
		out.WriteString("----\n----\n" + got + "\n----\n----\n\n")
		return
	}
	out.WriteString("----\n")
	if got != "" {
		out.WriteString(got + "\n")
	}
	out.WriteString("\n")
}

// parse reads the commands of a script.
func parse(path string, lines []string) ([]*Cmd, error) {
	var cmds []*Cmd
	for i := 0; i < len(lines); {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "#") {
			i++
			continue
		}
		c := &Cmd{Pos: fmt.Sprintf("%s:%d", path, i+1)}
		var err error
		if c.Name, c.Args, err = parseLine(l); err != nil {
			return nil, fmt.Errorf("%s: %w", c.Pos, err)
		}
		i++
		var input []string
		for i < len(lines) && lines[i] != "----" {
			input = append(input, lines[i])
			i++
		}
		if i == len(lines) {
			return nil, fmt.Errorf("%s: %s has no \"----\" line before its output", c.Pos, c.Name)
		}
		c.Input = strings.Join(input, "\n")
		c.sepLine = i
		i++
		var expected []string
		if i < len(lines) && lines[i] == "----" {
			// Output with blank lines, ended by a second pair of separators.
			i++
			for i+1 < len(lines) && !(lines[i] == "----" && lines[i+1] == "----") {
				expected = append(expected, lines[i])
				i++
			}
			if i+1 >= len(lines) {
				return nil, fmt.Errorf("%s: %s's output has no closing \"----\" pair", c.Pos, c.Name)
			}
			i += 2
		} else {
			for i < len(lines) && lines[i] != "" {
				expected = append(expected, lines[i])
				i++
			}
		}
		if i < len(lines) && lines[i] == "" {
			i++ // the blank line that ends the command
		}
		c.Expected = strings.Join(expected, "\n")
		c.endLine = i
		cmds = append(cmds, c)
	}
	return cmds, nil
}

// parseLine splits a command line into its name and arguments.
func parseLine(l string) (string, []Arg, error) {
	name, rest, _ := strings.Cut(l, " ")
	var args []Arg
	sc := bufio.NewScanner(strings.NewReader(rest))
	sc.Split(splitArgs)
	for sc.Scan() {
		w := sc.Text()
		key, val, ok := strings.Cut(w, "=")
		if !ok {
			args = append(args, Arg{Key: w})
			continue
		}
		if strings.HasPrefix(val, "(") {
			if !strings.HasSuffix(val, ")") {
				return "", nil, fmt.Errorf("argument %s: no closing parenthesis", key)
			}
			var vals []string
			for _, v := range strings.Split(val[1:len(val)-1], ",") {
				if v = strings.TrimSpace(v); v != "" {
					vals = append(vals, v)
				}
			}
			args = append(args, Arg{Key: key, Vals: vals})
			continue
		}
		args = append(args, Arg{Key: key, Vals: []string{val}})
	}
	return name, args, sc.Err()
}

// splitArgs splits on spaces outside parentheses.
func splitArgs(data []byte, atEOF bool) (int, []byte, error) {
	start := 0
	for start < len(data) && data[start] == ' ' {
		start++
	}
	depth := 0
	for i := start; i < len(data); i++ {
		switch data[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ' ':
			if depth == 0 {
				return i + 1, data[start:i], nil
			}
		}
	}
	if atEOF && len(data) > start {
		return len(data), data[start:], nil
	}
	return start, nil, nil
}
