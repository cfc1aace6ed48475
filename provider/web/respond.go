package web

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/tokenim/tokenim-auth/provider/password"
)

// Rendered finishes a page handler's rendering: err is what the page's
// render method (Renderer.Account, .Login, ...) returned. Those write
// nothing when they fail, so a failure is logged, page naming the page
// ("account page"), and answered with a plain 500.
func Rendered(logger *slog.Logger, w http.ResponseWriter, r *http.Request, page string, err error) {
	if err == nil {
		return
	}
	logger.ErrorContext(r.Context(), "render "+page, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// MessagePages renders result pages (Renderer does).
type MessagePages interface {
	Message(w http.ResponseWriter, req *http.Request, status int, p MessagePage) error
}

// ShowMessage renders the result page p with status (Rendered when it
// cannot be).
func ShowMessage(pages MessagePages, logger *slog.Logger, w http.ResponseWriter, r *http.Request, status int, p MessagePage) {
	Rendered(logger, w, r, "message page", pages.Message(w, r, status, p))
}

// Busy answers a request refused because the process is doing as much
// password work as it may (password.ErrBusy): 503 with Retry-After and
// the page saying to try again in a few seconds, in uiLocales when given.
func Busy(pages MessagePages, logger *slog.Logger, w http.ResponseWriter, r *http.Request, uiLocales string) {
	w.Header().Set("Retry-After", strconv.Itoa(int(password.RetryAfter/time.Second)))
	if err := pages.Message(w, r, http.StatusServiceUnavailable, BusyPage(uiLocales)); err != nil {
		logger.ErrorContext(r.Context(), "render busy page", "err", err)
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}
}

// ShowError renders the error page with status and the message key, in
// uiLocales when given, with the request's reference (X-Request-Id) for
// support; when it cannot be rendered, a plain answer with the status.
func ShowError(pages ErrorPages, logger *slog.Logger, w http.ResponseWriter, r *http.Request, status int, uiLocales, key string) {
	p := ErrorPage{UILocales: uiLocales, Title: genericKey, Message: key, RequestID: w.Header().Get("X-Request-Id")}
	if err := pages.Error(w, r, status, p); err != nil {
		logger.ErrorContext(r.Context(), "render error page", "err", err)
		http.Error(w, http.StatusText(status), status)
	}
}
