package array_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/array"
)

// python runs a Python program with Debian's NumPy, or skips.
func python(t *testing.T, prog string) string {
	t.Helper()
	if err := exec.Command("/usr/bin/python3", "-c", "import numpy").Run(); err != nil {
		if os.Getenv("DUSK_REQUIRE_NUMPY") != "" {
			t.Fatal("no NumPy (apt-get install python3-numpy)")
		}
		t.Skip("no NumPy (apt-get install python3-numpy)")
	}
	out, err := exec.Command("/usr/bin/python3", "-c", prog).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// An array written with ToNpy is what NumPy reads, and one NumPy saved is
// what FromNpy reads, for every type.
func TestNpyWithNumPy(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	dir := t.TempDir()
	x := arr(array.FromFunc(c, fnIndexBlock, []int{7, 9}, array.By(3, 4), array.Int64))
	y := arr(x.Div(4)) // float64
	for name, a := range map[string]*array.Array{"i8": x, "f8": y, "f4": arr(y.Astype(array.Float32)), "i4": arr(x.Astype(array.Int32)), "b1": arr(x.Gt(300))} {
		path := filepath.Join(dir, name+".npy")
		if err := a.ToNpy(ctx, path); err != nil {
			t.Fatal(err)
		}
		got := python(t, `
import numpy as np
a = np.load(`+"'"+path+"'"+`)
i = np.arange(7)[:, None] * 100 + np.arange(9)[None, :]
want = {'i8': i, 'f8': i / 4, 'f4': (i / 4).astype(np.float32), 'i4': i.astype(np.int32), 'b1': i > 300}['`+name+`']
print(a.dtype, a.shape, bool((a == want).all()))`)
		wantType := map[string]string{"i8": "int64", "f8": "float64", "f4": "float32", "i4": "int32", "b1": "bool"}[name]
		if want := wantType + " (7, 9) True"; got != want {
			t.Fatalf("NumPy read %s as %q, want %q", name, got, want)
		}
		// And back.
		back := arr(array.FromNpy(c, path, array.Explicit(a.Chunks()...)))
		if back.DType() != a.DType() || !slices.Equal(back.Shape(), a.Shape()) {
			t.Fatalf("FromNpy of %s: %s", name, back)
		}
		same := arr(arr(back.Eq(a)).Min())
		if v := values[bool](t, ctx, same); !v[0] {
			t.Fatalf("FromNpy of %s differs from what was written", name)
		}
	}
	// A 3-d array NumPy made, with a header of version 1.0.
	src := filepath.Join(dir, "numpy.npy")
	python(t, `
import numpy as np
np.save('`+src+`', np.arange(2*3*5, dtype=np.int32).reshape(2, 3, 5) - 7)`)
	a := arr(array.FromNpy(c, src, array.By(1, 2, 3)))
	got := values[int32](t, ctx, a)
	for i, v := range got {
		if v != int32(i-7) {
			t.Fatalf("element %d is %d", i, v)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestNpyErrors(t *testing.T) {
	_, c := client(t)
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	dict := "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }"
	pad := 128 - 10 - len(dict) - 1
	good := "\x93NUMPY\x01\x00" + string([]byte{byte(128 - 10), 0}) + dict + strings.Repeat(" ", pad) + "\n"
	for _, tc := range []struct{ name, data, want string }{
		{"magic.npy", "NOTNUMPY" + good[8:], "magic"},
		{"short.npy", good + strings.Repeat("\x00", 31), "has 159 bytes, but a float64 array of shape [4] needs 160"},
		{"fortran.npy", strings.Replace(good, "False", "True ", 1) + strings.Repeat("\x00", 32), "Fortran order"},
		{"complex.npy", strings.Replace(good, "<f8", "<c8", 1) + strings.Repeat("\x00", 32), `elements are "<c8"`},
	} {
		_, err := array.FromNpy(c, write(tc.name, []byte(tc.data)), array.Auto())
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: %v, want an error naming the file and saying %q", tc.name, err, tc.want)
		}
	}
	if _, err := array.FromNpy(c, write("ok.npy", []byte(good+strings.Repeat("\x00", 32))), array.Auto()); err != nil {
		t.Fatalf("a good file: %v", err)
	}
}

func execPython(prog string) error {
	return exec.Command("/usr/bin/python3", "-c", prog).Run()
}
