package oauth

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/ory/fosite"
	"github.com/ory/fosite/token/jwt"

	"github.com/tokenim/tokenim-auth/provider/web"
)

// Signed introspection responses (RFC 9701). A resource server that asks
// with Accept: application/token-introspection+jwt gets the answer as a
// JWT the provider signed: its claims are iss, aud (the caller), iat and
// token_introspection, the very answer a JSON request gets. So the answer
// can be kept as evidence, and a resource server behind a proxy that ends
// TLS knows the provider said it.
const (
	introspectionJWTType  = "token-introspection+jwt"
	introspectionJWTMedia = "application/token-introspection+jwt"
	// introspectionJWTAlg signs the JWT: RS256, RFC 9701 section 6's
	// default introspection_signed_response_alg.
	introspectionJWTAlg = "RS256"
)

// answerIntrospection writes out to caller: as JSON, or as a signed JWT
// when the request asked for one.
func (p *Provider) answerIntrospection(w http.ResponseWriter, r *http.Request, caller fosite.Client, out introspection) {
	if !acceptsIntrospectionJWT(r.Header.Values("Accept")) {
		web.JSON(w, http.StatusOK, out)
		return
	}
	token, err := p.signIntrospection(r.Context(), caller.GetID(), out)
	if err != nil {
		err = fosite.ErrServerError.WithWrap(err)
		p.logServerError(r.Context(), "introspect", err)
		writeFositeError(w, err)
		return
	}
	w.Header().Set("Content-Type", introspectionJWTMedia)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(token))
}

// signIntrospection is the JWT of out for the caller audience (RFC 9701
// section 5).
func (p *Provider) signIntrospection(ctx context.Context, audience string, out introspection) (string, error) {
	// The claim is the JSON answer as it is, written once: the numbers
	// stay integers (read back into a map, an exp would be written
	// 1.7e+09, or as a string).
	answer, err := json.Marshal(out)
	if err != nil {
		return "", fmt.Errorf("oauth: encode an introspection answer: %w", err)
	}
	claims := jwt.MapClaims{
		"iss":                 p.cfg.Issuer,
		"aud":                 audience,
		"iat":                 p.cfg.Now().Unix(),
		"token_introspection": json.RawMessage(answer),
	}
	token, _, err := p.signers[introspectionJWTAlg].Generate(ctx, claims, &jwt.Headers{Extra: map[string]any{"typ": introspectionJWTType}})
	if err != nil {
		return "", fmt.Errorf("oauth: sign an introspection answer: %w", err)
	}
	return token, nil
}

// acceptsIntrospectionJWT reports whether the Accept header values ask
// for a signed answer: one of their media ranges is
// application/token-introspection+jwt with a non-zero weight.
func acceptsIntrospectionJWT(accept []string) bool {
	for _, v := range accept {
		for _, part := range strings.Split(v, ",") {
			media, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil || media != introspectionJWTMedia {
				continue
			}
			if q, ok := params["q"]; ok {
				if w, err := strconv.ParseFloat(q, 64); err != nil || w <= 0 {
					continue
				}
			}
			return true
		}
	}
	return false
}
