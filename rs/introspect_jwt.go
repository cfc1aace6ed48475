package rs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Signed introspection answers (RFC 9701).
const (
	introspectionJWTMedia = "application/token-introspection+jwt"
	introspectionJWTType  = "token-introspection+jwt"
	// maxSignedIntrospectionAge bounds how old a signed answer's iat may
	// be (beyond Leeway): the provider signs each answer as it sends it,
	// so an older one is a replayed answer.
	maxSignedIntrospectionAge = time.Minute
)

// signedIntrospection is a signed answer's claims (RFC 9701 section 5).
type signedIntrospection struct {
	jwt.Claims
	Answer json.RawMessage `json:"token_introspection"`
}

// openSignedIntrospection checks a signed introspection answer, of media
// type contentType, and returns the JSON answer it carries.
func (v *Verifier) openSignedIntrospection(ctx context.Context, contentType string, body []byte) ([]byte, error) {
	if media, _, err := mime.ParseMediaType(contentType); err != nil || media != introspectionJWTMedia {
		return nil, fmt.Errorf("the answer is %q, not %s", contentType, introspectionJWTMedia)
	}
	signed := strings.TrimSpace(string(body))
	switch encrypted := strings.Count(signed, ".") == 4; {
	case len(v.cfg.IntrospectionKeys) > 0 && !encrypted:
		return nil, errors.New("the answer is not encrypted, and this resource server takes only encrypted answers (IntrospectionKeys)")
	case encrypted && len(v.cfg.IntrospectionKeys) == 0:
		return nil, errors.New("the answer is encrypted, and this resource server has no key to open it (IntrospectionKeys)")
	case encrypted:
		var err error
		if signed, err = v.decryptIntrospection(signed); err != nil {
			return nil, err
		}
	}
	parsed, err := jwt.ParseSigned(signed, algorithms())
	if err != nil {
		return nil, fmt.Errorf("not a signed JWT: %w", err)
	}
	if len(parsed.Headers) != 1 {
		return nil, errors.New("not exactly one signature")
	}
	h := parsed.Headers[0]
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); !strings.EqualFold(typ, introspectionJWTType) && !strings.EqualFold(typ, introspectionJWTMedia) {
		return nil, fmt.Errorf("typ %q, not %s", typ, introspectionJWTType)
	}
	key, err := v.keys.lookup(ctx, h.KeyID)
	if err != nil {
		return nil, fmt.Errorf("signing key %q: %w", h.KeyID, err)
	}
	var c signedIntrospection
	if err := parsed.Claims(key, &c); err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	now := v.cfg.Now()
	if err := c.ValidateWithLeeway(jwt.Expected{Issuer: v.cfg.Issuer, AnyAudience: jwt.Audience{v.cfg.ClientID}, Time: now}, v.cfg.Leeway); err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	if c.IssuedAt == nil || c.IssuedAt.Time().Before(now.Add(-maxSignedIntrospectionAge-v.cfg.Leeway)) {
		return nil, errors.New("iat missing or older than a minute")
	}
	if len(c.Answer) == 0 || c.Answer[0] != '{' {
		return nil, errors.New("no token_introspection object")
	}
	return c.Answer, nil
}
