package store

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	if base := os.Getenv(envWorkDir); base != "" {
		holdWorkDir(base) // a process that owns a directory until killed
		return
	}
	os.Exit(m.Run())
}
