package provider

import (
	"context"
	"log/slog"

	"github.com/tokenim/tokenim-auth/provider/reqctx"
)

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
