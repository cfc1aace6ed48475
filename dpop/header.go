package dpop

import (
	"fmt"
	"net/http"
)

// Header is the HTTP header a DPoP proof is sent in, and DPoP-Nonce the
// one a server's nonce is sent back in.
const (
	Header      = "DPoP"
	NonceHeader = "DPoP-Nonce"
)

// ProofFrom returns the request's DPoP proof: "" when it sent none, and
// ErrInvalidProof when it sent the header more than once (RFC 9449
// section 4.3 point 1).
func ProofFrom(h http.Header) (string, error) {
	values := h.Values(Header)
	switch len(values) {
	case 0:
		return "", nil
	case 1:
		return values[0], nil
	}
	return "", fmt.Errorf("%w: %d DPoP headers", ErrInvalidProof, len(values))
}
