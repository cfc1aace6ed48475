package edge

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/web"
)

// Pages renders the error page of a refused page request.
type Pages interface {
	Error(w http.ResponseWriter, r *http.Request, status int, p web.ErrorPage) error
}

// Message keys of the error page, in provider/web's catalogue.
const (
	titleKey    = "error.title"
	badInputKey = "error.bad_input"
	tooLargeKey = "error.too_large"
)

// Middleware returns the middleware that refuses a request carrying bytes
// that are not text (see the package comment). With nil pages a page's
// refusal is plain text. Refusals are logged at debug level only: anyone
// can send them.
func Middleware(pages Pages, logger *slog.Logger) func(http.Handler) http.Handler {
	logger = defaults.Logger(logger)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			where := ""
			switch {
			case !Text(r.URL.Path):
				where = "path"
			case !EscapedText(r.URL.RawQuery):
				where = "query"
			}
			page := !Protocol(r.URL.Path) && !SCIM(r.URL.Path)
			if where == "" {
				body, hasForm, fits := PeekForm(r)
				switch {
				case hasForm && fits && !EscapedText(string(body)):
					where = "form"
				case hasForm && !fits && page && !BoundsOwnForm(r.URL.Path):
					logger.DebugContext(r.Context(), "request refused: form too large", "limit", MaxFormBytes)
					refusePage(w, r, pages, http.StatusRequestEntityTooLarge, titleKey, tooLargeKey)
					return
				}
			}
			if where == "" {
				next.ServeHTTP(w, r)
				return
			}
			logger.DebugContext(r.Context(), "request refused: not text", "in", where)
			if SCIM(r.URL.Path) {
				writeSCIMError(w, "The request's "+where+" holds bytes that are not UTF-8 text, or a NUL.")
				return
			}
			if !page {
				WriteError(w, http.StatusBadRequest, "invalid_request", "The request's "+where+" holds bytes that are not UTF-8 text, or a NUL.")
				return
			}
			refusePage(w, r, pages, http.StatusBadRequest, titleKey, badInputKey)
		})
	}
}

// Protocol reports whether path is a protocol or API route, answered in
// RFC 6749 JSON: /oauth2/*, /userinfo, /admin/api/* and /.well-known/*.
// The authorization and end-session endpoints are pages here: a browser
// brings people to them, and their own errors are pages when they cannot
// be sent back to an app.
func Protocol(path string) bool {
	switch {
	case path == "/oauth2/auth", path == "/oauth2/logout":
		return false
	case strings.HasPrefix(path, "/oauth2/"), path == "/userinfo",
		strings.HasPrefix(path, "/admin/api/"), strings.HasPrefix(path, "/.well-known/"):
		return true
	}
	return false
}

// BoundsOwnForm reports whether path is a page whose form may be longer
// than MaxFormBytes and is bounded by its handler: an upstream's
// callback, where a SAML IdP posts its signed Response (provider/login
// takes up to MaxUpstreamForm).
func BoundsOwnForm(path string) bool {
	return strings.HasPrefix(path, "/login/upstream/callback/")
}

// MaxUpstreamForm bounds the form an upstream posts to its callback: a
// SAML Response of up to 256 KiB, base64, and its RelayState.
const MaxUpstreamForm = 384 << 10

// SCIM reports whether path is a SCIM 2.0 endpoint (/scim/v2/...,
// provider/scim), whose refusals are SCIM errors (RFC 7644 section 3.12),
// which provisioning clients read.
func SCIM(path string) bool {
	return path == "/scim" || strings.HasPrefix(path, "/scim/")
}

// writeSCIMError writes a 400 SCIM error (RFC 7644 section 3.12) of
// scimType invalidValue saying detail, never cached.
func writeSCIMError(w http.ResponseWriter, detail string) {
	h := w.Header()
	h.Set("Content-Type", "application/scim+json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(struct {
		Schemas  []string `json:"schemas"`
		Status   string   `json:"status"`
		SCIMType string   `json:"scimType"`
		Detail   string   `json:"detail"`
	}{[]string{"urn:ietf:params:scim:api:messages:2.0:Error"}, "400", "invalidValue", detail})
}

// refusePage answers with the error page titled title, saying key.
func refusePage(w http.ResponseWriter, r *http.Request, pages Pages, status int, title, key string) {
	if pages != nil {
		p := web.ErrorPage{Title: title, Message: key, RequestID: w.Header().Get("X-Request-Id")}
		if EscapedText(r.URL.RawQuery) {
			p.UILocales = r.URL.Query().Get("ui_locales")
		}
		if pages.Error(w, r, status, p) == nil {
			return
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, http.StatusText(status), status)
}

// WriteError writes an RFC 6749 section 5.2-shaped error: code and
// description as JSON, never cached.
func WriteError(w http.ResponseWriter, status int, code, description string) {
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}{code, description})
}
