package admin

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// apiError is an RFC 6749-style error body.
type apiError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func writeError(w http.ResponseWriter, status int, code, description string) {
	web.JSON(w, status, apiError{code, description})
}

// decode reads a JSON body into v, refusing unknown fields; a bad body is
// answered with 400 and false.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "The body is not the JSON object this call takes: "+err.Error())
		return false
	}
	return true
}

// refused answers an action's refusal of a value in the request, a 400
// naming its field, and returns true; it returns false for any other
// error.
func refused(w http.ResponseWriter, err error) bool {
	var bad *FieldError
	var connector *ConnectorError
	switch {
	case errors.As(err, &bad):
		writeError(w, http.StatusBadRequest, "invalid_request", bad.Error())
	case errors.As(err, &connector):
		writeError(w, http.StatusBadRequest, "invalid_request", connector.Error())
	case errors.Is(err, ErrBadStatus):
		writeError(w, http.StatusBadRequest, "invalid_request", `status: must be "active" or "disabled".`)
	case errors.Is(err, ErrUnknownRole):
		writeError(w, http.StatusBadRequest, "invalid_request", "role: "+err.Error()+"; GET /admin/api/v1/roles lists them.")
	case errors.Is(err, ErrUnknownScope):
		writeError(w, http.StatusBadRequest, "invalid_request", "scopes: "+err.Error()+"; it is not in the scope catalogue.")
	case errors.Is(err, ErrAdminScopeOfOwnedApp):
		writeError(w, http.StatusBadRequest, "invalid_request", "scopes: "+err.Error()+".")
	default:
		return false
	}
	return true
}

// notFound answers a storage error: 404 for ErrNotFound, 500 for others;
// it returns false when there was no error.
func (a *API) notFound(w http.ResponseWriter, r *http.Request, err error, what string) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, storage.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "No such "+what+".")
	default:
		a.fail(w, r, what, err)
	}
	return true
}

// fail answers err: a value the store refused as not text
// (storage.ErrInvalidInput: a JSON string with \u0000) is the caller's
// invalid_request; anything else is a logged server_error.
func (a *API) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	if errors.Is(err, storage.ErrInvalidInput) {
		a.cfg.Logger.DebugContext(r.Context(), "admin api: "+what+": not text", "err", err)
		writeError(w, http.StatusBadRequest, "invalid_request", "A value in the request is not text: it holds a NUL or bytes that are not UTF-8.")
		return
	}
	a.cfg.Logger.ErrorContext(r.Context(), "admin api: "+what, "err", err)
	writeError(w, http.StatusInternalServerError, "server_error", "The server could not complete the request.")
}
