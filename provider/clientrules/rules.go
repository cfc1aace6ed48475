package clientrules

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// Client types.
const (
	// TypeConfidential is a client that can keep a secret (a server-side
	// web app).
	TypeConfidential = "confidential"
	// TypePublic is a client that cannot keep a secret (a native or
	// browser app); it authenticates with PKCE only.
	TypePublic = "public"
	// TypeResourceServer is an API that introspects tokens and may call
	// other APIs with client_credentials; it never signs users in.
	TypeResourceServer = "resource_server"
)

// Grant types a client may use (RFC 6749 §4).
const (
	// GrantAuthorizationCode signs a user in through the browser (§4.1), with PKCE.
	GrantAuthorizationCode = "authorization_code"
	// GrantRefreshToken exchanges a refresh token for new tokens (§6).
	GrantRefreshToken = "refresh_token"
	// GrantClientCredentials gets a token for the client itself (§4.4).
	GrantClientCredentials = "client_credentials"
	// GrantDeviceCode signs a user in on a device without a browser, or
	// one a phone approves by QR code (RFC 8628).
	GrantDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"
)

// Token endpoint authentication methods (OpenID Connect Core 1.0 §9).
const (
	// AuthClientSecretBasic sends the secret with HTTP Basic authentication.
	AuthClientSecretBasic = "client_secret_basic"
	// AuthClientSecretPost sends the secret in the request body.
	AuthClientSecretPost = "client_secret_post"
	// AuthPrivateKeyJWT signs a client assertion with a key from the client's JWKS.
	AuthPrivateKeyJWT = "private_key_jwt"
	// AuthNone is for public clients, which have no secret.
	AuthNone = "none"
)

// Limits of a client's registration.
const (
	// MinSecretLen is the least number of characters of a client secret.
	MinSecretLen = 32
	// MaxNameLen is the most characters of a client's name, which the
	// consent page shows.
	MaxNameLen = 100
	// MaxReuseWindow bounds a refresh token reuse window: long enough
	// for a retry over a bad network, short enough that a stolen refresh
	// token used after its owner's refresh is still a detected reuse.
	MaxReuseWindow = time.Minute
)

// ClientAssertionAlgs are the JWS algorithms a private_key_jwt client may
// sign its assertions with, RS256 (the default) first.
func ClientAssertionAlgs() []string { return []string{"RS256", "PS256", "ES256"} }

// SigningAlgs are the algorithms of the provider's signing keys, RS256 (a
// client's default ID token algorithm) first: a client's
// id_token_signed_response_alg is one of them (storage.IDTokenAlgs).
func SigningAlgs() []string { return storage.IDTokenAlgs() }

// WebURLProblem checks that u is an absolute https URL with a host and no
// user information; http is also allowed for a loopback host, or for any
// host in dev mode. It returns what is wrong, or "".
func WebURLProblem(u *url.URL, dev bool) string {
	switch {
	case u.Scheme == "" || u.Opaque != "":
		return "must be an absolute URL, such as https://auth.example.com"
	case u.Scheme != "https" && u.Scheme != "http":
		return "must be an https URL"
	case u.Host == "":
		return "must have a host"
	case u.User != nil:
		return "must not contain a user name or password"
	case u.Scheme == "http" && !dev && !IsLoopback(u.Hostname()):
		return "must use https (http only for a loopback host or with --dev)"
	}
	return ""
}

// IsLoopback reports whether host is localhost or a loopback IP address
// (127.0.0.0/8, ::1).
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RedirectURIProblem checks a redirect or post-logout redirect URI and
// returns what is wrong, or "". It must be absolute and have no fragment
// (RFC 6749 §3.1.2). http is allowed only for a loopback host (RFC 8252
// §7.3) or in dev mode. A public client may also use a private-use scheme
// such as com.example.app:/cb (RFC 8252 §7.1).
func RedirectURIProblem(raw string, public, dev bool) string {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Sprintf("not a URL: %q", raw)
	}
	switch {
	case u.Scheme == "":
		return fmt.Sprintf("must be an absolute URL: %q", raw)
	case strings.Contains(raw, "#"):
		return fmt.Sprintf("must not have a fragment: %q", raw)
	case u.Scheme == "https" || u.Scheme == "http":
		if msg := WebURLProblem(u, dev); msg != "" {
			return fmt.Sprintf("%s: %q", msg, raw)
		}
	case slices.Contains([]string{"javascript", "data", "vbscript", "file"}, u.Scheme):
		return fmt.Sprintf("scheme %s: not allowed: %q", u.Scheme, raw)
	case !public:
		return fmt.Sprintf("a custom scheme is allowed only for public clients: %q", raw)
	}
	return ""
}

// BackchannelLogoutURIProblem checks a client's back-channel logout URI
// and returns what is wrong, or "". OpenID Connect Back-Channel Logout 1.0
// section 2.2 asks for an absolute URI without a fragment; like a
// confidential client's redirect URI it must be https, or http on a
// loopback host or in dev mode.
func BackchannelLogoutURIProblem(raw string, dev bool) string {
	return RedirectURIProblem(raw, false, dev)
}

// CheckOrigin checks a web origin a client may be called from by a
// browser (allowed_origins; the Fetch standard's CORS protocol) and returns
// it as it is stored and compared — scheme and host in lower case, no
// default port (storage.OriginOf) — or what is wrong. An origin is
// https://host[:port], or http on a loopback host (localhost, 127.0.0.1,
// [::1]) or in dev mode: no path, query, fragment, user information or
// wildcard, and never "null" (what sandboxed and file: pages send, which
// any page can be).
func CheckOrigin(raw string, dev bool) (origin, problem string) {
	if strings.EqualFold(raw, "null") {
		return "", `"null" is not an origin a client can be called from: name the app's https://host[:port]`
	}
	if strings.Contains(raw, "*") {
		return "", fmt.Sprintf("must name one origin, without a wildcard: %q", raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Sprintf("not an origin (scheme://host[:port]): %q", raw)
	}
	// url.Parse has put the scheme in lower case.
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Sprintf("must be an https origin, such as https://app.example.com: %q", raw)
	}
	if msg := WebURLProblem(u, dev); msg != "" {
		return "", fmt.Sprintf("%s: %q", msg, raw)
	}
	if u.Path != "" || u.RawQuery != "" || u.ForceQuery || strings.Contains(raw, "#") {
		return "", fmt.Sprintf("must be an origin only, scheme://host[:port], with no path, query or fragment: %q", raw)
	}
	return storage.OriginOf(raw), ""
}

// NormalOrigins returns origins as they are stored and compared, each in
// the form a browser sends it in the Origin header (storage.OriginOf),
// without repeats. Call it on origins CheckOrigin accepts.
func NormalOrigins(origins []string) []string {
	var out []string
	for _, o := range origins {
		if n := storage.OriginOf(o); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// ReuseWindowProblem checks a refresh token reuse window, the provider's
// or a client's own: 0 (off) up to MaxReuseWindow. It returns what is
// wrong, or "".
func ReuseWindowProblem(w time.Duration) string {
	if w < 0 || w > MaxReuseWindow {
		return fmt.Sprintf("must be between 0s (off) and %s, got %s", ShortDuration(MaxReuseWindow), w)
	}
	return ""
}

// ParseReuseWindow reads a client's own refresh token reuse window as the
// developer portal, the admin console and the admin API take it: empty
// for the provider's default (nil), otherwise a duration like "10s"
// within ReuseWindowProblem's bounds. It returns what is wrong, or "".
func ParseReuseWindow(s string) (*time.Duration, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, ""
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return nil, fmt.Sprintf("not a duration like 10s: %q", s)
	}
	if msg := ReuseWindowProblem(d); msg != "" {
		return nil, msg
	}
	return &d, ""
}

// ShortDuration prints whole minutes as "10m" rather than "10m0s".
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	return s
}
