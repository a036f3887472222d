package registry

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"io"
	"os"
	"sync"
)

// BuildID identifies the running executable: the Go build ID the linker
// writes into it (it changes with any change to the code, function bodies
// included), or, where it cannot be read, the SHA-256 of the file. Two
// processes of one executable report the same; an empty string means the
// executable could not be read.
func BuildID() string { return buildID() }

var buildID = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if id := goBuildID(exe); id != "" {
		return id
	}
	sum, err := FileSHA256(exe)
	if err != nil {
		return ""
	}
	return "sha256:" + sum
})

// goBuildID reads the Go build ID note of an ELF executable ("" if there
// is none).
func goBuildID(path string) string {
	f, err := elf.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := f.Section(".note.go.buildid")
	if s == nil {
		return ""
	}
	note, err := s.Data()
	if err != nil || len(note) < 16 {
		return ""
	}
	// An ELF note: name size, description size, type, then the name
	// ("Go\x00\x00") and the description (the ID).
	bo := f.ByteOrder
	nameSize, descSize := bo.Uint32(note[0:4]), bo.Uint32(note[4:8])
	if nameSize != 4 || !bytes.Equal(note[12:16], []byte("Go\x00\x00")) || uint32(len(note)) < 16+descSize {
		return ""
	}
	return string(note[16 : 16+descSize])
}

// FileSHA256 returns the hex SHA-256 of a file's bytes.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
