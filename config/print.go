package config

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Print writes every key, sorted, with its effective value and its source,
// in aligned columns under a KEY VALUE SOURCE header. An empty string is
// shown as "", and a secret (comm.token) as <hidden> when it is set. The
// error is w's.
func (c *Config) Print(w io.Writer) error {
	rows := make([][3]string, len(names))
	c.mu.RLock()
	for i, n := range names {
		k := byName[n]
		e := c.effective(k)
		rows[i] = [3]string{n, display(k, e.v), e.src.String()}
	}
	c.mu.RUnlock()

	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tSOURCE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r[0], r[1], r[2])
	}
	return tw.Flush()
}

// display formats a value for Print.
func display(k *keyInfo, v any) string {
	if k.kind != kindString {
		return k.format(v)
	}
	switch s := v.(string); {
	case s == "":
		return `""`
	case k.secret:
		return "<hidden>"
	default:
		return s
	}
}
