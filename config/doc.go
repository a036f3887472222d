// Package config holds dusk's configuration: one table of known keys, each
// with a type, a default and a line of documentation, and the layers that
// override the defaults.
//
// # Keys
//
// A key is a dotted, lower-case, dash-separated name such as
// "worker.memory.target". Keys are matched after folding case and treating
// "_" as "-", so "Worker.Memory_Target" names the same key. Config.Keys
// returns every known key; a key that is not in the table is an *UnknownKeyError
// that suggests the closest known one.
//
// # Layers
//
// A value comes from one of five layers; the highest layer that holds a key
// wins:
//
//  1. code: Config.Set, or the package-level Set (see Default);
//  2. flags: set on the command line through Config.BindFlags;
//  3. environment: DUSK_... variables, read by Load;
//  4. file: a YAML file, read by Load or Config.LoadFile;
//  5. defaults: the table.
//
// Config.Source tells which layer gave a key its value and where: the file
// and line, the variable or the flag.
//
// # Environment
//
// DUSK_WORKER__MEMORY__TARGET=0.45 sets worker.memory.target: a double
// underscore separates levels, a single underscore stands for a dash, and
// case does not matter (EnvName gives the variable for a key). DUSK_CONFIG
// names the YAML file to read. Load ignores other DUSK_ variables but
// returns a Warning for each, naming the closest known key, so a typo does
// not go unnoticed.
//
// # File
//
// The YAML file holds nested maps, dotted keys, or both:
//
//	worker:
//	  memory:
//	    target: 0.45
//	scheduler.work-stealing: false
//
// An unknown key or a value of the wrong type is an error that names the
// file and line. Without DUSK_CONFIG, Load reads ~/.config/dusk/dusk.yaml
// and then ./dusk.yaml, each if present; the second overrides the first.
//
// # Values
//
// Durations are written like "100ms" or "2s". Byte sizes are written like
// "4GiB", "512MB", "1e9" or a plain integer (see ParseBytes); a key may also
// accept "auto" (see AutoBytes). A memory fraction accepts a number in
// (0, 1] or false, which disables the threshold; Get and Float report a
// disabled fraction as 0, and Set takes 0 back as false.
//
// # Rules for callers
//
//  1. Call Validate once all layers are in place (after flag parsing): it
//     checks the rules that span keys, such as the order of the memory
//     thresholds.
//  2. A component takes a Clone when it starts and reads only that; later
//     changes to the original do not reach it.
//  3. The typed getters (Float, Int, ...) panic on a key that is not in the
//     table or holds another type: that is a programming error, not a
//     user's.
package config
