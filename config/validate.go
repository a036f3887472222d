package config

import (
	"errors"
	"fmt"
)

// memoryThresholds are the memory fraction keys, in the order their values
// must rise.
var memoryThresholds = []string{"worker.memory.target", "worker.memory.spill", "worker.memory.pause", "worker.memory.terminate"}

// Validate checks the rules that span keys, which Set and the loaders cannot
// check one key at a time:
//
//   - the enabled memory thresholds rise in the order target, spill, pause,
//     terminate (a disabled one is skipped);
//   - comm.tls.cert and comm.tls.key are set together.
//
// The error names each broken rule's keys, values and sources; it joins
// one error per broken rule.
func (c *Config) Validate() error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var errs []error
	var prev *keyInfo
	var prevE entry
	for _, n := range memoryThresholds {
		k := byName[n]
		e := c.effective(k)
		if e.v.(float64) == 0 {
			continue
		}
		if prev != nil && prevE.v.(float64) > e.v.(float64) {
			errs = append(errs, fmt.Errorf("config: %s (%s) is above %s (%s); the memory thresholds must rise in the order target, spill, pause, terminate",
				describe(prev, prevE), prevE.src, describe(k, e), e.src))
		}
		prev, prevE = k, e
	}
	cert, key := byName["comm.tls.cert"], byName["comm.tls.key"]
	ce, ke := c.effective(cert), c.effective(key)
	if (ce.v.(string) == "") != (ke.v.(string) == "") {
		errs = append(errs, fmt.Errorf("config: %s (%s) and %s (%s) go together: set both for TLS, or neither",
			describe(cert, ce), ce.src, describe(key, ke), ke.src))
	}
	return errors.Join(errs...)
}

// describe writes "key = value" for a message.
func describe(k *keyInfo, e entry) string {
	return k.name + " = " + display(k, e.v)
}
