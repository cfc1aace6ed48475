package oauth

import (
	"errors"
	"net/http"

	"github.com/ory/fosite"

	"github.com/tokenim/tokenim-auth/provider/params"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// oauthError is an RFC 6749 section 5.2 error body.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// retryAfter is how many seconds a client is asked to wait (Retry-After,
// RFC 9110 section 10.2.3) when the store cannot be reached: long enough
// for a failover or a restart, short enough to be worth waiting for.
const retryAfter = "5"

// writeError writes an RFC 6749 error: every JSON error of the protocol
// endpoints goes through here. A 401 carries a WWW-Authenticate challenge
// (RFC 6749 section 5.2), a 503 a Retry-After.
func writeError(w http.ResponseWriter, status int, code, description string) {
	switch status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Basic realm="tokenim-auth", charset="UTF-8"`)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", retryAfter)
	}
	web.JSON(w, status, oauthError{Error: code, Description: description})
}

// writeFositeError writes err in its RFC 6749 shape (protocolError): the
// one writer of the errors of the token, PAR, device authorization,
// introspection and revocation endpoints.
func writeFositeError(w http.ResponseWriter, err error) {
	rfc := protocolError(err)
	writeError(w, rfc.CodeField, rfc.ErrorField, rfc.GetDescription())
}

// asFault is the answer to err when the fault is ours, at any endpoint:
// 503 temporarily_unavailable when the store could not be reached
// (wherever fosite met that, even inside an invalid_client), 500
// server_error for an error that is not fosite's (which fosite would
// write as {"error":"error"}) or that fosite answers with a 5xx of its
// own. It is nil when the error is the client's.
func asFault(err error) *fosite.RFC6749Error {
	if errors.Is(err, storage.ErrUnavailable) {
		return errUnavailable.WithWrap(err)
	}
	var rfc *fosite.RFC6749Error
	if !errors.As(err, &rfc) || (rfc.CodeField >= http.StatusInternalServerError && rfc.ErrorField != "temporarily_unavailable") {
		return errServer.WithWrap(err)
	}
	return nil
}

// errUnavailable answers a request the store could not serve.
var errUnavailable = &fosite.RFC6749Error{
	ErrorField:       "temporarily_unavailable",
	DescriptionField: "The service is temporarily unavailable; try again in a few seconds.",
	CodeField:        http.StatusServiceUnavailable,
}

// errServer answers a request that failed through a fault of ours.
var errServer = &fosite.RFC6749Error{
	ErrorField:       "server_error",
	DescriptionField: "The server could not complete the request.",
	CodeField:        http.StatusInternalServerError,
}

// protocolCodes are the error codes the JSON protocol endpoints answer
// with: RFC 6749 section 5.2, server_error and temporarily_unavailable
// (section 4.1.2.1), RFC 7009 section 2.2.1, RFC 8628 section 3.5, and
// for a pushed request the authorization endpoint's codes (RFC 9126
// section 2.3), and RFC 9396 section 5's.
var protocolCodes = map[string]bool{
	"invalid_request": true, "invalid_client": true, "invalid_grant": true, "unauthorized_client": true,
	"unsupported_grant_type": true, "invalid_scope": true, "server_error": true, "temporarily_unavailable": true,
	"unsupported_token_type": true, "authorization_pending": true, "slow_down": true, "access_denied": true,
	"expired_token": true, "unsupported_response_type": true, "unsupported_response_mode": true,
	"invalid_request_object": true, "request_not_supported": true, "request_uri_not_supported": true,
	"invalid_authorization_details": true, "invalid_dpop_proof": true, "use_dpop_nonce": true,
	"invalid_target": true,
}

// nearestCode is the protocol code fosite's own codes stand for.
var nearestCode = map[string]string{
	"jti_known": "invalid_client", "scope_not_granted": "invalid_grant", "invalid_token": "invalid_grant",
	"token_inactive": "invalid_grant", "token_signature_mismatch": "invalid_grant", "token_claim": "invalid_grant",
	"not_found": "invalid_grant", "request_unauthorized": "invalid_grant",
}

// protocolError gives err its RFC 6749 shape at the JSON endpoints: a
// fault of ours as asFault says; a code of fosite's own becomes the
// protocol code it stands for. The cause stays wrapped, for the log.
func protocolError(err error) *fosite.RFC6749Error {
	if fault := asFault(err); fault != nil {
		return fault
	}
	var rfc *fosite.RFC6749Error
	errors.As(err, &rfc)
	if protocolCodes[rfc.ErrorField] {
		return rfc
	}
	code, status := nearestCode[rfc.ErrorField], http.StatusBadRequest
	switch {
	case code == "":
		code = "invalid_request"
	case code == "invalid_client":
		status = http.StatusUnauthorized
	}
	return &fosite.RFC6749Error{ErrorField: code, DescriptionField: rfc.GetDescription(), CodeField: status}
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
	if name := params.Repeated(r.Form); name != "" {
		writeFositeError(w, errRepeated(name))
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
