package oauth

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/ory/fosite"
)

// oauthError is an RFC 6749 section 5.2 error body.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// writeError writes an RFC 6749 error for the endpoints fosite does not
// answer itself (a wrong method, an unauthenticated introspection).
func writeError(w http.ResponseWriter, status int, code, description string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="tokenim-auth", charset="UTF-8"`)
	}
	writeJSON(w, status, oauthError{Error: code, Description: description})
}

// writeJSON writes v as a JSON response that must not be cached.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeFositeError writes an error fosite returned with its RFC 6749 code
// and status; anything else is a server_error.
func writeFositeError(w http.ResponseWriter, err error) {
	var rfc *fosite.RFC6749Error
	if !errors.As(err, &rfc) {
		writeError(w, http.StatusInternalServerError, "server_error", "The server could not complete the request.")
		return
	}
	writeError(w, rfc.CodeField, rfc.ErrorField, rfc.GetDescription())
}

// readClientForm reads a bounded form body and checks it carries client
// credentials; otherwise it answers invalid_request or invalid_client
// (saying why, in unauthenticated) and returns false.
func readClientForm(w http.ResponseWriter, r *http.Request, unauthenticated string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "The request body is not a valid application/x-www-form-urlencoded form.")
		return false
	}
	if !hasClientCredentials(r) {
		writeError(w, http.StatusUnauthorized, "invalid_client", unauthenticated)
		return false
	}
	return true
}

// hasClientCredentials reports whether a request carries any client
// authentication (RFC 6749 section 2.3): HTTP Basic, a client_id in the
// body (client_secret_post or a public client), or a client assertion
// (RFC 7523). Without any, the answer is 401 invalid_client.
func hasClientCredentials(r *http.Request) bool {
	if _, _, ok := r.BasicAuth(); ok {
		return true
	}
	return r.PostForm.Get("client_id") != "" || r.PostForm.Get("client_assertion") != ""
}
