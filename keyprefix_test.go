package dusk

import "testing"

// A function's name becomes its tasks' key prefix with dashes and spaces
// made underscores (a key's prefix ends at its first dash); other names
// are kept as they are.
func TestKeyPrefix(t *testing.T) {
	for name, want := range map[string]string{
		"inc":                "inc",
		"main.sum":           "main.sum",
		"load-csv":           "load_csv",
		"my func-2":          "my_func_2",
		"":                   "",
		"pkg/path.Func[int]": "pkg/path.Func[int]",
	} {
		if got := keyPrefix(name); got != want {
			t.Errorf("keyPrefix(%q) = %q, want %q", name, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = keyPrefix("main.inc") }); n != 0 {
		t.Errorf("keyPrefix of a name without dashes or spaces allocates %v times", n)
	}
}
