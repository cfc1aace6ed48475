package registration

import (
	"net/http"

	"github.com/tokenim/tokenim-auth/provider/edge"
)

// Error codes of RFC 7591 section 3.2.2 and RFC 6750 section 3.1.
const (
	CodeInvalidRedirectURI    = "invalid_redirect_uri"
	CodeInvalidClientMetadata = "invalid_client_metadata"
	CodeInvalidToken          = "invalid_token"
)

// Error is a refusal as the endpoint answers it: an HTTP status and an
// RFC 7591 error with its description.
type Error struct {
	Status      int
	Code        string
	Description string
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

// write answers with e; a 401 carries the Bearer challenge of RFC 6750
// section 3.
func (e *Error) write(w http.ResponseWriter) {
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+e.Description+`"`)
	}
	edge.WriteError(w, e.Status, e.Code, e.Description)
}

// badToken is the refusal of a missing or bad bearer token.
func badToken(description string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: CodeInvalidToken, Description: description}
}
