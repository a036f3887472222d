package event

import (
	"context"
	"log/slog"
	"strings"
)

// LogHandler is a slog.Handler that passes every record to another handler
// and also adds it to a Sink as a Log event, so that the scheduler's log
// travels with the other events into the dashboard and the performance
// report. Records below its level are recorded neither way unless the
// inner handler wants them.
type LogHandler struct {
	inner slog.Handler
	sink  Sink
	level slog.Leveler
	attrs string // preformatted attributes from WithAttrs
	group string // the group prefix from WithGroup
}

// NewLogHandler returns a handler that tees records at level and above into
// sink and hands every record to inner.
func NewLogHandler(inner slog.Handler, sink Sink, level slog.Leveler) *LogHandler {
	if level == nil {
		level = slog.LevelInfo
	}
	return &LogHandler{inner: inner, sink: sink, level: level}
}

// Enabled reports whether either destination wants records at l.
func (h *LogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level.Level() || h.inner.Enabled(ctx, l)
}

// Handle records r as an event (if at the handler's level) and passes it
// on to the inner handler (if it wants it).
func (h *LogHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= h.level.Level() {
		var b strings.Builder
		b.WriteString(r.Message)
		b.WriteString(h.attrs)
		r.Attrs(func(a slog.Attr) bool {
			writeAttr(&b, h.group, a)
			return true
		})
		h.sink.Add(Event{Kind: Log, Time: r.Time, Key: r.Level.String(), Detail: b.String()})
	}
	if h.inner.Enabled(ctx, r.Level) {
		return h.inner.Handle(ctx, r)
	}
	return nil
}

// WithAttrs returns a handler whose records carry attrs.
func (h *LogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.inner = h.inner.WithAttrs(attrs)
	var b strings.Builder
	b.WriteString(h.attrs)
	for _, a := range attrs {
		writeAttr(&b, h.group, a)
	}
	c.attrs = b.String()
	return &c
}

// WithGroup returns a handler that puts later attributes in group name.
func (h *LogHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.inner = h.inner.WithGroup(name)
	c.group = h.group + name + "."
	return &c
}

func writeAttr(b *strings.Builder, group string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		g := group
		if a.Key != "" {
			g += a.Key + "."
		}
		for _, x := range a.Value.Group() {
			writeAttr(b, g, x)
		}
		return
	}
	b.WriteByte(' ')
	b.WriteString(group)
	b.WriteString(a.Key)
	b.WriteByte('=')
	s := a.Value.String()
	if strings.ContainsAny(s, " \t\n\"=") {
		b.WriteString(quote(s))
	} else {
		b.WriteString(s)
	}
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
