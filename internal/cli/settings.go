package cli

import (
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/dusk-go/dusk/config"
)

// LoadConfig reads the configuration (defaults, file, environment) and
// binds the given keys as flags of fs, then parses args; flags may come
// before or after the positional arguments, which fs.Args() returns.
func LoadConfig(fs *flag.FlagSet, args []string, keys ...string) (*config.Config, error) {
	cfg, warns, err := config.Load()
	if err != nil {
		return nil, err
	}
	for _, w := range warns {
		fmt.Fprintln(os.Stderr, "dusk:", w)
	}
	cfg.BindFlags(fs, keys...)
	for _, a := range flagAliases {
		if f := fs.Lookup(a.of); f != nil {
			fs.Var(f.Value, a.name, "the same as --"+a.of+" (Dask's name)")
		}
	}
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if err := fs.Parse(append([]string{"--"}, positional...)); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// flagAliases are the names Dask users type for flags dusk names
// otherwise.
var flagAliases = []struct{ name, of string }{
	{"local-directory", "spill-directory"},
	{"tls-ca-file", "tls-ca"},
	{"tls-cert-file", "tls-cert"},
	{"tls-key-file", "tls-key"},
}

// NewLogger returns a text logger to standard error at the given level
// (debug, info, warn, error; info if unknown).
func NewLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// Config is "dusk config": it prints every setting, its value and where
// it came from.
func Config(args []string) error {
	fs := flag.NewFlagSet("dusk config", flag.ExitOnError)
	cfg, err := LoadConfig(fs, args)
	if err != nil {
		return err
	}
	return cfg.Print(os.Stdout)
}
