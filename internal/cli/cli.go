// Package cli is the command line that every dusk program shares: the
// dusk binary and any program that calls dusk.Main first, so that its own
// functions run on its workers ("yourprog worker tcp://host:8786").
package cli

import (
	"fmt"
	"os"
)

// IsProcessCommand reports whether name is one of the commands that make a
// program a cluster process: "scheduler" and "worker".
func IsProcessCommand(name string) bool { return name == "scheduler" || name == "worker" }

// Run runs the process command args[0] (see IsProcessCommand) with the
// rest of args, and returns the process's exit code. version is the
// program's dusk version.
func Run(args []string, version string) int {
	var err error
	switch args[0] {
	case "scheduler":
		err = Scheduler(args[1:], version)
	case "worker":
		err = Worker(args[1:], version)
	default:
		err = fmt.Errorf("dusk: unknown command %q", args[0])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
