package cli

import (
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
