package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

const (
	envPrefix = "DUSK_"
	// envConfig names the YAML file to read instead of the usual places.
	envConfig = "DUSK_CONFIG"
	// EnvToken is a short name for DUSK_COMM__TOKEN: the token a peer
	// presents. The long name wins when both are set.
	EnvToken = "DUSK_TOKEN"
)

// Reserved lists the DUSK_ variables that are not configuration keys but
// that dusk itself sets when it starts worker processes (or that its tests
// read, such as DUSK_REQUIRE_BROWSER); Load neither
// reads nor warns about them.
var Reserved = []string{"DUSK_ROLE", "DUSK_SCHEDULER", "DUSK_WORKER_NAME", "DUSK_WORKER_DIR", "DUSK_NANNY_FD", "DUSK_NANNY_PID", "DUSK_NANNY_SWITCH_FILE", "DUSK_CPUPROFILE", "DUSK_REQUIRE_BROWSER", "DUSK_REQUIRE_KUBE", "DUSK_REQUIRE_NUMPY", "DUSK_KUBE_APISERVER"}

// EnvName returns the environment variable that sets key:
// "worker.memory.target" is DUSK_WORKER__MEMORY__TARGET.
func EnvName(key string) string {
	r := strings.NewReplacer(".", "__", "-", "_")
	return envPrefix + strings.ToUpper(r.Replace(canonical(key)))
}

// envKey returns the canonical key a DUSK_ variable names, and whether name
// has the prefix at all. The prefix and the rest are case-insensitive.
func envKey(name string) (string, bool) {
	if len(name) < len(envPrefix) || !strings.EqualFold(name[:len(envPrefix)], envPrefix) {
		return "", false
	}
	return canonical(strings.ReplaceAll(name[len(envPrefix):], "__", ".")), true
}

// Warning reports a DUSK_ environment variable that names no known key.
// Load ignores such a variable; the warning lets the caller show the user
// a probable typo.
type Warning struct {
	Var        string // the variable's name
	Suggestion string // the closest known key, or "" when none is close
}

// String says which variable was ignored and which one was probably meant.
func (w Warning) String() string {
	msg := fmt.Sprintf("config: ignoring environment variable %s: it names no known key", w.Var)
	if w.Suggestion != "" {
		return msg + fmt.Sprintf("; did you mean %s (%s)?", EnvName(w.Suggestion), w.Suggestion)
	}
	return msg + `; "dusk config" lists the known keys`
}

// loadEnv sets the environment layer from environ, a list of NAME=value
// pairs as os.Environ returns. If any value is bad it changes nothing and
// returns every *ValueError, joined.
func (c *Config) loadEnv(environ []string) ([]Warning, error) {
	batch := map[string]entry{}
	var warns []Warning
	var errs []error
	for _, kv := range slices.Sorted(slices.Values(environ)) { // sorted, so a repeated key resolves the same way every run
		name, val, ok := strings.Cut(kv, "=")
		key, isDusk := envKey(name)
		if !ok || !isDusk || strings.EqualFold(name, envConfig) || slices.Contains(Reserved, strings.ToUpper(name)) {
			continue
		}
		if strings.EqualFold(name, EnvToken) {
			if _, long := batch["comm.token"]; !long {
				batch["comm.token"] = entry{val, Source{Layer: LayerEnv, Name: name}}
			}
			continue
		}
		k := byName[key]
		if k == nil {
			warns = append(warns, Warning{Var: name, Suggestion: suggest(key)})
			continue
		}
		src := Source{Layer: LayerEnv, Name: name}
		v, err := k.parse(val)
		if err != nil {
			errs = append(errs, k.valueError(val, src, err))
			continue
		}
		batch[k.name] = entry{v, src}
	}
	if len(errs) > 0 {
		return warns, errors.Join(errs...)
	}
	c.put(LayerEnv, batch)
	return warns, nil
}

// Environ returns the values that differ from their defaults as DUSK_
// environment variables, for a process this one starts: a worker process
// then sees the configuration its parent set (in code, a file, the
// environment or flags).
func (c *Config) Environ() []string {
	var out []string
	for _, name := range names {
		k := byName[name]
		e := c.effective(k)
		if e.src.Layer == LayerDefault {
			continue
		}
		out = append(out, EnvName(name)+"="+k.format(e.v))
	}
	return out
}
