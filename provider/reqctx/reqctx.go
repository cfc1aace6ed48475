// Package reqctx carries what the provider's middleware learns about a
// request — its ID and the client's IP address — to the handlers and the
// logger, through the request's context.
package reqctx

import "context"

type key int

const (
	requestIDKey key = iota
	clientIPKey
)

// With returns ctx carrying the request ID and client IP.
func With(ctx context.Context, requestID, clientIP string) context.Context {
	return context.WithValue(context.WithValue(ctx, requestIDKey, requestID), clientIPKey, clientIP)
}

// RequestID returns the request's ID, for logs and error pages.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// ClientIP returns the address the request came from.
func ClientIP(ctx context.Context) string {
	ip, _ := ctx.Value(clientIPKey).(string)
	return ip
}
