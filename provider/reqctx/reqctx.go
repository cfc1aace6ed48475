// Package reqctx carries what the provider's middleware learns about a
// request — its ID, the client's IP address and user agent — to the
// handlers, the logger and the authorization records, through the
// request's context.
package reqctx

import (
	"context"
	"strings"
	"unicode/utf8"
)

type key int

const (
	requestIDKey key = iota
	clientIPKey
	userAgentKey
)

// MaxUserAgent is the most of a user agent the provider keeps, in bytes:
// a header can be kilobytes long, and it is stored with sessions, device
// requests and authorization records.
const MaxUserAgent = 512

// ClipUserAgent makes a user agent fit to keep: bytes that are not UTF-8
// become U+FFFD, a NUL is dropped (Postgres text takes neither, and a
// header carries what the client likes), and the result is cut to at most
// MaxUserAgent bytes on a rune boundary. A valid short one is kept as it
// is.
func ClipUserAgent(ua string) string {
	// Neither allocates when there is nothing to replace.
	ua = strings.ReplaceAll(strings.ToValidUTF8(ua, "\uFFFD"), "\x00", "")
	if len(ua) <= MaxUserAgent {
		return ua
	}
	n := MaxUserAgent
	for n > 0 && !utf8.RuneStart(ua[n]) {
		n--
	}
	return ua[:n]
}

// With returns ctx carrying the request ID, client IP and user agent (cut
// by ClipUserAgent).
func With(ctx context.Context, requestID, clientIP, userAgent string) context.Context {
	ctx = context.WithValue(ctx, requestIDKey, requestID)
	ctx = context.WithValue(ctx, clientIPKey, clientIP)
	return context.WithValue(ctx, userAgentKey, ClipUserAgent(userAgent))
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
