package config

import "fmt"

// UnknownKeyError reports a key that is not in the table.
type UnknownKeyError struct {
	Key        string // the key as it was written (for a file, the full dotted path)
	Suggestion string // the closest known key, or "" when none is close
	Source     Source // where the key was written
}

// Error names the key, where it was written, and the key that was probably
// meant.
func (e *UnknownKeyError) Error() string {
	msg := fmt.Sprintf("config: unknown key %q%s", e.Key, where(e.Source))
	if e.Suggestion != "" {
		return msg + fmt.Sprintf("; did you mean %q?", e.Suggestion)
	}
	return msg + `; "dusk config" lists the known keys`
}

// ValueError reports a value that a key does not accept.
type ValueError struct {
	Key    string // the key
	Value  string // the value as it was written
	Want   string // what the key accepts, e.g. "a fraction in (0, 1], or false to disable"
	Source Source // where the value was written
	Err    error  // the parse or range error underneath, if any
}

// Error names the key, the value, where it was written and what the key
// accepts.
func (e *ValueError) Error() string {
	return fmt.Sprintf("config: bad value %q for %s%s: want %s", e.Value, e.Key, where(e.Source), e.Want)
}

// Unwrap returns the parse or range error underneath, if any.
func (e *ValueError) Unwrap() error { return e.Err }

// where formats a source for a message: empty for code, where the caller's
// own line says more.
func where(s Source) string {
	if s.Layer == LayerCode || s.Layer == LayerDefault {
		return ""
	}
	return " (" + s.String() + ")"
}
