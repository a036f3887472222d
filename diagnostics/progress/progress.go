// Package progress draws progress bars per task prefix in a terminal, or
// plain lines when the output is not a terminal (a log file, CI).
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Counts is the progress of one task prefix.
type Counts struct {
	Prefix string
	Total  int
	Done   int // finished
	Erred  int
}

// Bars draws the progress of several prefixes. It is not safe for
// concurrent use.
type Bars struct {
	w     io.Writer
	tty   bool
	width int
	start time.Time
	now   func() time.Time
	drawn int            // lines drawn last time, on a terminal
	step  map[string]int // on a plain writer: the last quarter printed per prefix
}

// New returns bars that draw on w: redrawn in place when w is a terminal,
// as plain lines (one per prefix at each quarter of its tasks, and at the
// end) otherwise.
func New(w io.Writer) *Bars {
	return &Bars{w: w, tty: IsTerminal(w), width: 30, start: time.Now(), now: time.Now, step: map[string]int{}}
}

// NewPlain returns bars that write plain lines to w; tests and logs use it.
func NewPlain(w io.Writer) *Bars {
	b := New(w)
	b.tty = false
	return b
}

// IsTerminal reports whether w is a character device, such as a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Update draws the counts.
func (b *Bars) Update(cs []Counts) {
	if b.tty {
		b.redraw(cs, false)
		return
	}
	for _, c := range cs {
		q := quarter(c)
		if q > b.step[c.Prefix] {
			b.step[c.Prefix] = q
			fmt.Fprintln(b.w, b.line(c, false))
		}
	}
}

// Finish draws the counts one last time, with the total time taken.
func (b *Bars) Finish(cs []Counts) {
	if b.tty {
		b.redraw(cs, true)
		return
	}
	for _, c := range cs {
		if b.step[c.Prefix] < 4 {
			b.step[c.Prefix] = 4
			fmt.Fprintln(b.w, b.line(c, false))
		}
	}
	fmt.Fprintln(b.w, b.summary(cs))
}

// quarter returns how many quarters of c's tasks are done or erred (4:
// all of them).
func quarter(c Counts) int {
	if c.Total <= 0 {
		return 0
	}
	return 4 * (c.Done + c.Erred) / c.Total
}

func (b *Bars) redraw(cs []Counts, final bool) {
	var sb strings.Builder
	if b.drawn > 0 {
		fmt.Fprintf(&sb, "\x1b[%dA", b.drawn) // back to the first line
	}
	for _, c := range cs {
		sb.WriteString("\r\x1b[K")
		sb.WriteString(b.line(c, true))
		sb.WriteByte('\n')
	}
	b.drawn = len(cs)
	if final {
		sb.WriteString("\r\x1b[K")
		sb.WriteString(b.summary(cs))
		sb.WriteByte('\n')
		b.drawn = 0
	}
	_, _ = io.WriteString(b.w, sb.String())
}

// line is one prefix's bar: "inc  [#######.......]  45/100  45%".
func (b *Bars) line(c Counts, bar bool) string {
	pct := 100
	if c.Total > 0 {
		pct = 100 * (c.Done + c.Erred) / c.Total
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-24s ", trim(c.Prefix, 24))
	if bar {
		full := 0
		if c.Total > 0 {
			full = b.width * (c.Done + c.Erred) / c.Total
		}
		sb.WriteByte('[')
		sb.WriteString(strings.Repeat("#", full))
		sb.WriteString(strings.Repeat(".", b.width-full))
		sb.WriteString("] ")
	}
	fmt.Fprintf(&sb, "%d/%d %3d%%", c.Done+c.Erred, c.Total, pct)
	if c.Erred > 0 {
		fmt.Fprintf(&sb, " (%d erred)", c.Erred)
	}
	return sb.String()
}

func (b *Bars) summary(cs []Counts) string {
	done, total, erred := 0, 0, 0
	for _, c := range cs {
		done += c.Done
		erred += c.Erred
		total += c.Total
	}
	s := fmt.Sprintf("%d of %d tasks done in %s", done, total, b.now().Sub(b.start).Round(time.Millisecond))
	if erred > 0 {
		s += fmt.Sprintf(", %d erred", erred)
	}
	return s
}

func trim(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
