package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/ory/fosite"
	"github.com/ory/fosite/token/jwt"

	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// Signed introspection responses (RFC 9701). A resource server that asks
// with Accept: application/token-introspection+jwt gets the answer as a
// JWT the provider signed: its claims are iss, aud (the caller), iat and
// token_introspection, the very answer a JSON request gets. So the answer
// can be kept as evidence, and a resource server behind a proxy that ends
// TLS knows the provider said it. The JWT is signed with the algorithm
// the caller registered (introspection_signed_response_alg, RS256 by
// default) and, when it registered introspection_encrypted_response_alg,
// then encrypted to a key it publishes at its jwks_uri: a nested JWT
// (RFC 7519 section 5.2) only that resource server can read, so that what
// the answer says of a user (subject, scopes, the actor chain) stays
// secret from anything between them (introspectionEncrypter).
const (
	introspectionJWTType  = "token-introspection+jwt"
	introspectionJWTMedia = "application/token-introspection+jwt"
)

// answerIntrospection writes out to caller: as JSON, or as a signed JWT
// when the request asked for one.
func (p *Provider) answerIntrospection(w http.ResponseWriter, r *http.Request, caller fosite.Client, out introspection) {
	if !acceptsIntrospectionJWT(r.Header.Values("Accept")) {
		web.JSON(w, http.StatusOK, out)
		return
	}
	ctx := r.Context()
	var registered storage.Client
	if c, ok := caller.(*client); ok {
		registered = c.Client
	}
	token, err := p.signIntrospection(ctx, caller.GetID(), registered.IntrospectionAlg(), out)
	if err == nil && registered.IntrospectionEncryptedResponseAlg != "" {
		token, err = p.encryptIntrospection.encrypt(ctx, registered, token)
	}
	if err != nil {
		var keysErr *clientKeysError
		if errors.As(err, &keysErr) {
			// The resource server's published keys are at fault, not
			// the provider: it is told so, and its answer is never sent
			// unencrypted.
			p.logger.WarnContext(ctx, "introspect: cannot encrypt the answer to the client's keys", "client_id", caller.GetID(), "err", err, "cause", keysErr.err)
			writeError(w, http.StatusBadRequest, "invalid_request", keysErr.Error())
			return
		}
		err = fosite.ErrServerError.WithWrap(err)
		p.logServerError(ctx, "introspect", err)
		writeFositeError(w, err)
		return
	}
	w.Header().Set("Content-Type", introspectionJWTMedia)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(token))
}

// signIntrospection is the JWT of out for the caller audience (RFC 9701
// section 5), signed with the current key of alg.
func (p *Provider) signIntrospection(ctx context.Context, audience, alg string, out introspection) (string, error) {
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
	signer, ok := p.signers[alg]
	if !ok {
		return "", fmt.Errorf("oauth: sign an introspection answer: no %s key", alg)
	}
	token, _, err := signer.Generate(ctx, claims, &jwt.Headers{Extra: map[string]any{"typ": introspectionJWTType}})
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
