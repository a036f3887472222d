package config

import "strconv"

// Layer is one source of values. A higher layer overrides a lower one.
type Layer uint8

// The layers, lowest first.
const (
	// LayerDefault is the table of known keys.
	LayerDefault Layer = iota
	// LayerFile is a YAML file.
	LayerFile
	// LayerEnv is a DUSK_... environment variable.
	LayerEnv
	// LayerFlag is a command-line flag bound by BindFlags.
	LayerFlag
	// LayerCode is a call to Set.
	LayerCode

	numLayers = int(LayerCode) + 1
)

// String returns the layer's name: "default", "file", "env", "flag" or "code".
func (l Layer) String() string {
	switch l {
	case LayerDefault:
		return "default"
	case LayerFile:
		return "file"
	case LayerEnv:
		return "env"
	case LayerFlag:
		return "flag"
	case LayerCode:
		return "code"
	}
	return "Layer(" + strconv.Itoa(int(l)) + ")"
}

// Source tells where a value came from.
type Source struct {
	Layer Layer
	File  string // LayerFile: the file's path, as it was given
	Line  int    // LayerFile: the line, counted from 1
	Name  string // LayerEnv: the variable; LayerFlag: the flag, e.g. "--memory-target"
}

// String describes the source: "default", "code", "file dusk.yaml:3",
// "env DUSK_WORKER__NTHREADS" or "flag --nthreads".
func (s Source) String() string {
	switch s.Layer {
	case LayerFile:
		if s.Line > 0 {
			return "file " + s.File + ":" + strconv.Itoa(s.Line)
		}
		return "file " + s.File
	case LayerEnv, LayerFlag:
		return s.Layer.String() + " " + s.Name
	}
	return s.Layer.String()
}
