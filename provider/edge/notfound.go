package edge

import (
	"net/http"
	"strconv"
	"strings"
)

// The error page's title and message for an address no route serves.
const (
	notFoundTitleKey = "error.not_found_title"
	notFoundKey      = "error.not_found"
)

// NotFound answers a request no route serves with 404: the error page, in
// the site's style and the browser's language, for a page address;
// RFC 6749-shaped JSON (not_found) for a protocol or API address
// (Protocol), and for a client that asks for JSON and not for HTML, so
// that an API client never has to read a page. The page names neither
// the address asked for nor any route: it gives away nothing a scan
// could use.
func NotFound(pages Pages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if Protocol(r.URL.Path) || !acceptsHTML(r.Header.Get("Accept")) {
			WriteError(w, http.StatusNotFound, "not_found", "No such endpoint; the provider's endpoints are listed at /.well-known/openid-configuration.")
			return
		}
		refusePage(w, r, pages, http.StatusNotFound, notFoundTitleKey, notFoundKey)
	})
}

// acceptsHTML reports whether an Accept header admits a page: no header,
// or one naming text/html, text/* or */*. Browsers name text/html in
// every navigation; API clients and libraries send application/json, or
// */* (curl), which gets the page.
func acceptsHTML(accept string) bool {
	if accept == "" {
		return true
	}
	for _, r := range strings.Split(accept, ",") {
		media, params, _ := strings.Cut(r, ";")
		switch strings.ToLower(strings.TrimSpace(media)) {
		case "text/html", "text/*", "*/*":
			if !refused(params) {
				return true
			}
		}
	}
	return false
}

// refused reports whether the parameters of an Accept range give it
// q=0, "not acceptable" (RFC 9110 section 12.4.2).
func refused(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, "q") {
			q, err := strconv.ParseFloat(v, 64)
			return err == nil && q == 0
		}
	}
	return false
}
