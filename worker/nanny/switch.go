package nanny

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// EnvSwitchFile names the file in which a worker process names the
// executable its nanny is to start in its place (SwitchTo). It is beside
// the process's directory, not in it: the worker removes its directory
// when it closes.
const EnvSwitchFile = "DUSK_NANNY_SWITCH_FILE"

// SwitchTo names the executable the nanny of this worker process is to
// start from now on; the process then exits with ExitSwitch. It fails
// where the process has no nanny.
func SwitchTo(executable string) error {
	path := os.Getenv(EnvSwitchFile)
	if path == "" || os.Getenv(EnvNannyPID) == "" {
		return errors.New("dusk: this worker process has no nanny to start it on another binary")
	}
	return os.WriteFile(path, []byte(executable+"\n"), 0o600)
}

// switchedTo reads the executable a worker process named with SwitchTo in
// the file at path, and checks that it is a regular, executable file.
func switchedTo(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	exe := strings.TrimSpace(string(b))
	fi, err := os.Stat(exe)
	switch {
	case err != nil:
		return "", err
	case !fi.Mode().IsRegular() || fi.Mode().Perm()&0o100 == 0:
		return "", fmt.Errorf("dusk: %s is not an executable file", exe)
	}
	return exe, nil
}
