package cli

import (
	"strings"
	"testing"
)

func TestListenAddress(t *testing.T) {
	for _, c := range []struct {
		address, host string
		port          int
		want, err     string
	}{
		{"127.0.0.1:8786", "", -1, "127.0.0.1:8786", ""},
		{"127.0.0.1:8786", "0.0.0.0", -1, "0.0.0.0:8786", ""},
		{"127.0.0.1:8786", "", 0, "127.0.0.1:0", ""},
		{"tcp://127.0.0.1:8786", "::1", 9000, "[::1]:9000", ""},
		{"nonsense", "0.0.0.0", -1, "", `scheduler.address "nonsense" is not host:port`},
		{"127.0.0.1:8786", "", 70000, "", "--port 70000 is not a port"},
	} {
		got, err := ListenAddress(c.address, c.host, c.port)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ListenAddress(%q, %q, %d) = %q, %v; want an error with %q", c.address, c.host, c.port, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ListenAddress(%q, %q, %d) = %q, %v; want %q", c.address, c.host, c.port, got, err, c.want)
		}
	}
}
