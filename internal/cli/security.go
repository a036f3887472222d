package cli

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/wire"
)

// SecurityKeys are the settings of every command that connects to a
// cluster or serves one: the token, or the file holding it, and the files
// of mutual TLS.
var SecurityKeys = []string{"comm.token", "comm.token-file", "comm.tls.cert", "comm.tls.key", "comm.tls.ca"}

// Security returns the security settings of cfg, with the token read from
// comm.token-file when comm.token is empty (a missing file is an error
// matching fs.ErrNotExist).
func Security(cfg *config.Config) (wire.Security, error) {
	return wire.Security{
		Token:     cfg.String("comm.token"),
		TokenFile: cfg.String("comm.token-file"),
		CertFile:  cfg.String("comm.tls.cert"),
		KeyFile:   cfg.String("comm.tls.key"),
		CAFile:    cfg.String("comm.tls.ca"),
	}.Resolve()
}

// TokenFromFile returns the token in the file at path, or, when there is
// no such file, a fresh token written to it (readable by its owner only),
// and whether it was fresh.
func TokenFromFile(path string) (token string, fresh bool, err error) {
	tok, err := wire.ReadTokenFile(path)
	if err == nil {
		return tok, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", false, err
	}
	tok = wire.NewToken()
	if err := WriteNewFile(path, []byte(tok+"\n"), 0o600, false); err != nil {
		return "", false, fmt.Errorf("writing the token: %w", err)
	}
	return tok, true, nil
}
