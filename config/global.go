package config

// std is the process-wide configuration: the package's one piece of global
// mutable state (see Default).
var std Config

// Default returns the process-wide configuration. It is the one global
// Config and the exception to dusk's rule against global state: it holds
// the values a program sets in code, through Set, for what the process
// starts. It does not read the file or the environment; Load does, and
// clones Default first so that values set in code stay on top. Components
// never read Default directly: they take a Clone of the Config they are
// given when they start.
func Default() *Config { return &std }

// Set sets key in the code layer of Default; see Config.Set.
func Set(key string, v any) error { return std.Set(key, v) }
