package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Loader says where Load looks. The zero Loader looks in the real places;
// tests set the fields.
type Loader struct {
	// Environ holds NAME=value pairs; nil means os.Environ().
	Environ []string
	// Home is the home directory whose .config/dusk/dusk.yaml is read;
	// "" means os.UserHomeDir().
	Home string
	// Dir is the directory whose dusk.yaml is read; "" means the current
	// directory.
	Dir string
}

// Load returns a Config with the defaults, the YAML file, the environment
// and the values set in code through the package-level Set (see Default).
// It is Loader{}.Load().
func Load() (*Config, []Warning, error) { return Loader{}.Load() }

// Load builds a Config: it clones Default, so that values set in code stay
// on top; reads the file named by DUSK_CONFIG, or else
// ~/.config/dusk/dusk.yaml and then ./dusk.yaml, each if present; and then
// the DUSK_ variables. The warnings name DUSK_ variables that are not keys.
// The error is the first file's error, or every bad variable joined. Load
// does not run Validate: flags may still change the values.
func (l Loader) Load() (*Config, []Warning, error) {
	env := l.Environ
	if env == nil {
		env = os.Environ()
	}
	c := Default().Clone()
	for _, p := range l.files(env) {
		if err := c.LoadFile(p.path); err != nil {
			if !p.required && errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, nil, err
		}
	}
	warns, err := c.loadEnv(env)
	if err != nil {
		return nil, warns, err
	}
	return c, warns, nil
}

// configFile is a file Load reads; a missing file that is not required is
// skipped.
type configFile struct {
	path     string
	required bool
}

// files returns the files Load reads, lowest first.
func (l Loader) files(env []string) []configFile {
	for _, kv := range env {
		if name, p, _ := strings.Cut(kv, "="); strings.EqualFold(name, envConfig) && p != "" {
			return []configFile{{p, true}}
		}
	}
	var out []configFile
	home := l.Home
	if home == "" {
		home, _ = os.UserHomeDir() // no home: nothing to read there
	}
	if home != "" {
		out = append(out, configFile{filepath.Join(home, ".config", "dusk", "dusk.yaml"), false})
	}
	return append(out, configFile{filepath.Join(l.Dir, "dusk.yaml"), false})
}
