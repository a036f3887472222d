package wire_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/wire"
)

func TestReadTokenFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		return p
	}
	good := write("good", "s3cret\n", 0o600)
	if tok, err := wire.ReadTokenFile(good); err != nil || tok != "s3cret" {
		t.Fatalf("ReadTokenFile = %q, %v", tok, err)
	}
	for _, c := range []struct {
		name, text string
		mode       os.FileMode
		want       string
	}{
		{"open", "s3cret", 0o644, "is open to other users (mode 0644); dusk refuses it, as ssh refuses such a key: run chmod 600"},
		{"group", "s3cret", 0o640, "(mode 0640)"},
		{"empty", " \n", 0o600, "is empty"},
		{"two", "one two\n", 0o600, "holds more than one word"},
		{"big", strings.Repeat("x", 5000), 0o600, "is over 4096 bytes"},
	} {
		_, err := wire.ReadTokenFile(write(c.name, c.text, c.mode))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want an error with %q", c.name, err, c.want)
		}
	}
	if _, err := wire.ReadTokenFile(filepath.Join(dir, "none")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
	if _, err := wire.ReadTokenFile(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a directory: %v", err)
	}

	// Resolve reads the file only when no token is given.
	sec, err := wire.Security{TokenFile: good}.Resolve()
	if err != nil || sec.Token != "s3cret" {
		t.Fatalf("Resolve = %+v, %v", sec, err)
	}
	sec, err = wire.Security{Token: "given", TokenFile: filepath.Join(dir, "none")}.Resolve()
	if err != nil || sec.Token != "given" {
		t.Fatalf("Resolve with a token = %+v, %v", sec, err)
	}
}
