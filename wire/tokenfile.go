package wire

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// maxTokenFile bounds what ReadTokenFile reads: a token is 48 characters.
const maxTokenFile = 4096

// ReadTokenFile reads the cluster's token from the file at path: the
// file's text without surrounding white space. Like ssh with a private
// key, it refuses a file that users other than its owner may read or
// write (any of the mode bits 0077): the token is the cluster's password.
// A missing file is an error that matches fs.ErrNotExist.
func ReadTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("dusk: reading the token file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("dusk: reading the token file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("dusk: the token file %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("dusk: the token file %s is open to other users (mode %04o); dusk refuses it, as ssh refuses such a key: run chmod 600 %s", path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	if err != nil {
		return "", fmt.Errorf("dusk: reading the token file %s: %w", path, err)
	}
	tok := strings.TrimSpace(string(b))
	switch {
	case len(b) > maxTokenFile:
		return "", fmt.Errorf("dusk: the token file %s is over %d bytes: it holds more than a token", path, maxTokenFile)
	case tok == "":
		return "", fmt.Errorf("dusk: the token file %s is empty", path)
	case strings.ContainsAny(tok, " \t\r\n"):
		return "", fmt.Errorf("dusk: the token file %s holds more than one word; it should hold the token alone", path)
	}
	return tok, nil
}

// Resolve returns s with Token read from TokenFile (ReadTokenFile) when
// Token is empty and TokenFile is set. A token given directly wins over a
// file. Call it once when a process starts, before ServerOptions or Dial.
func (s Security) Resolve() (Security, error) {
	if s.Token != "" || s.TokenFile == "" {
		return s, nil
	}
	tok, err := ReadTokenFile(s.TokenFile)
	if err != nil {
		return s, err
	}
	s.Token = tok
	return s, nil
}
