package safetext

import (
	"context"
	"fmt"
	"log/slog"
)

// handler sanitises every string of a record before the wrapped handler
// formats it: log lines quote group names, file names and error messages
// that came from outside, and slog's handlers escape C0 controls but pass
// C1 controls, bidirectional controls and invisible characters through.
type handler struct{ h slog.Handler }

// NewHandler wraps h so that the message, every attribute key and every
// string, error or Stringer value reach it through Line. Other values
// (numbers, durations, times, bools) pass unchanged, and so do structured
// values whose printed form is already safe.
func NewHandler(h slog.Handler) slog.Handler { return handler{h} }

func (s handler) Enabled(ctx context.Context, l slog.Level) bool { return s.h.Enabled(ctx, l) }

func (s handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Line(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(attr(a))
		return true
	})
	return s.h.Handle(ctx, out)
}

func (s handler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = attr(a)
	}
	return handler{s.h.WithAttrs(clean)}
}

func (s handler) WithGroup(name string) slog.Handler { return handler{s.h.WithGroup(Line(name))} }

// attr returns a with its key and value sanitised.
func attr(a slog.Attr) slog.Attr {
	a.Key = Line(a.Key)
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(Line(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]slog.Attr, len(group))
		for i, g := range group {
			clean[i] = attr(g)
		}
		a.Value = slog.GroupValue(clean...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			a.Value = slog.StringValue(Line(x.Error()))
		case fmt.Stringer:
			a.Value = slog.StringValue(Line(x.String()))
		default:
			// Keep structure (a list stays a JSON array) unless its
			// printed form carries something Line would remove.
			if text := fmt.Sprint(x); !Safe(text) {
				a.Value = slog.StringValue(Line(text))
			} else {
				a.Value = v
			}
		}
	default:
		a.Value = v
	}
	return a
}
