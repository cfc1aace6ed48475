package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/tokenim/tokenim-auth/storage"
)

// ErrorPages renders the error page (Renderer does).
type ErrorPages interface {
	Error(w http.ResponseWriter, req *http.Request, status int, p ErrorPage) error
}

// Fail answers a request a page handler could not complete because of
// err, what saying what it was doing. A value the store refused as not
// text (storage.ErrInvalidInput: the edge middleware refuses those bytes
// first, so this is the second line) is the client's mistake: 400 with
// "error.bad_input", logged at debug, for anyone can send it. Anything
// else is the server's fault: logged at error level, 500 with
// "error.server" and the request's reference.
func Fail(pages ErrorPages, logger *slog.Logger, w http.ResponseWriter, r *http.Request, what string, err error) {
	status, key := http.StatusInternalServerError, "error.server"
	if errors.Is(err, storage.ErrInvalidInput) {
		status, key = http.StatusBadRequest, "error.bad_input"
		logger.DebugContext(r.Context(), what+": not text", "err", err)
	} else {
		logger.ErrorContext(r.Context(), what, "err", err)
	}
	ShowError(pages, logger, w, r, status, "", key)
}
