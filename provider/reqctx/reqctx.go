// Package reqctx carries what the provider's middleware learns about a
// request — its ID, the client's IP address and user agent — to the
// handlers, the logger and the authorization records, through the
// request's context.
package reqctx

import "context"

type key int

const (
	requestIDKey key = iota
	clientIPKey
	userAgentKey
)

// With returns ctx carrying the request ID, client IP and user agent.
func With(ctx context.Context, requestID, clientIP, userAgent string) context.Context {
	ctx = context.WithValue(ctx, requestIDKey, requestID)
	ctx = context.WithValue(ctx, clientIPKey, clientIP)
	return context.WithValue(ctx, userAgentKey, userAgent)
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

// UserAgent returns the request's User-Agent header.
func UserAgent(ctx context.Context) string {
	ua, _ := ctx.Value(userAgentKey).(string)
	return ua
}
