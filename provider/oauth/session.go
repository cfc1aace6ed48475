package oauth

import (
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/token/jwt"
)

// NewSession returns the session every grant uses: an OpenID Connect
// session for subject (empty for client credentials).
func NewSession(subject string) *openid.DefaultSession {
	return &openid.DefaultSession{
		Claims:  &jwt.IDTokenClaims{Subject: subject, Extra: map[string]any{}},
		Headers: &jwt.Headers{Extra: map[string]any{}},
		Subject: subject,
	}
}
