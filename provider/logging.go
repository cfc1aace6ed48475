package provider

import (
	"context"
	"log/slog"

	"github.com/tokenim/tokenim-auth/provider/reqctx"
)

// LogDurationsAsText is the slog.HandlerOptions ReplaceAttr of the
// process's log handler: a time.Duration is written as Go spells it
// ("10m0s", "1.5s"), not as slog's JSON handler writes it, a count of
// nanoseconds ("interval":600000000000) that a reader has to divide in
// their head. The text handler already writes durations so.
func LogDurationsAsText(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}

// NewLogHandler wraps h so that every record logged with a request's
// context carries its request_id and client_ip.
func NewLogHandler(h slog.Handler) slog.Handler { return logHandler{h} }

type logHandler struct{ slog.Handler }

func (l logHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := reqctx.RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	if ip := reqctx.ClientIP(ctx); ip != "" {
		r.AddAttrs(slog.String("client_ip", ip))
	}
	return l.Handler.Handle(ctx, r)
}

func (l logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return logHandler{l.Handler.WithAttrs(attrs)}
}

func (l logHandler) WithGroup(name string) slog.Handler {
	return logHandler{l.Handler.WithGroup(name)}
}
