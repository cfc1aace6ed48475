package dpop

import (
	"errors"
	"net"
	"net/url"
	"strings"
)

// normalizeHTU puts an htu claim or a request URL in the form they are
// compared in (RFC 9449 section 4.3 point 9): without query and fragment,
// scheme and host lower-cased, the scheme's default port dropped, an empty
// path made "/", percent-encodings upper-cased and unreserved characters
// decoded, and dot segments removed (RFC 3986 sections 6.2.2 and 6.2.3).
// Only absolute http and https URLs without user information are accepted.
func normalizeHTU(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("not a URL")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		return "", errors.New("not an http or https URL")
	}
	if u.Opaque != "" || u.User != nil || u.Hostname() == "" {
		return "", errors.New("not an absolute URL with a host and no user information")
	}
	host := strings.ToLower(u.Host)
	if h, port, err := net.SplitHostPort(host); err == nil {
		if port == "" || (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
			host = h
			if strings.Contains(h, ":") {
				host = "[" + h + "]"
			}
		}
	}
	p := removeDotSegments(normalizePercent(u.EscapedPath()))
	if p == "" {
		p = "/"
	}
	return scheme + "://" + host + p, nil
}

// normalizePercent upper-cases the hex digits of percent-encodings and
// decodes those of unreserved characters (RFC 3986 section 6.2.2.1-2).
// The path comes from url.URL.EscapedPath, so every % starts a valid
// encoding.
func normalizePercent(p string) string {
	if !strings.Contains(p, "%") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] != '%' || i+2 >= len(p) {
			b.WriteByte(p[i])
			continue
		}
		hi, lo := unhex(p[i+1]), unhex(p[i+2])
		if hi < 0 || lo < 0 {
			b.WriteByte(p[i])
			continue
		}
		c := byte(hi<<4 | lo)
		if unreserved(c) {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteString(strings.ToUpper(p[i+1 : i+3]))
		}
		i += 2
	}
	return b.String()
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// removeDotSegments is RFC 3986 section 5.2.4's algorithm for an absolute
// path: "." and ".." segments are resolved, the rest kept as they are.
func removeDotSegments(in string) string {
	var out []string
	segs := strings.Split(in, "/")
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	return strings.Join(out, "/")
}
