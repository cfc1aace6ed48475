package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/ory/fosite/token/jwt"
)

// Back-Channel Logout 1.0 section 2.4: the "typ" header of a logout token,
// which tells it apart from an ID token signed with the same keys, the
// event it carries and how long it is valid. A logout token is signed just
// before it is sent, so a short life is enough.
const (
	logoutTokenType        = "logout+jwt"
	backchannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"
	logoutTokenLifespan    = 2 * time.Minute
)

// LogoutToken signs a logout token (OpenID Connect Back-Channel Logout 1.0
// section 2.4) telling clientID that subject's session sid has ended, or
// every session of subject when sid is empty. It is signed with the
// current ID token key (same kid and alg), has a fresh iat, exp and random
// jti on every call, and never a nonce (section 2.4 forbids it).
func (p *Provider) LogoutToken(ctx context.Context, clientID, subject, sid string) (string, error) {
	var jti [16]byte
	_, _ = rand.Read(jti[:]) // never fails (crypto/rand, Go 1.24)
	now := p.cfg.Now()
	claims := jwt.MapClaims{
		"iss":    p.cfg.Issuer,
		"aud":    []string{clientID},
		"iat":    now.Unix(),
		"exp":    now.Add(logoutTokenLifespan).Unix(),
		"jti":    base64.RawURLEncoding.EncodeToString(jti[:]),
		"sub":    subject,
		"events": map[string]any{backchannelLogoutEvent: map[string]any{}},
	}
	if sid != "" {
		claims["sid"] = sid
	}
	token, _, err := p.signer.Generate(ctx, claims, &jwt.Headers{Extra: map[string]any{"typ": logoutTokenType}})
	if err != nil {
		return "", fmt.Errorf("oauth: sign a logout token for client %s: %w", clientID, err)
	}
	return token, nil
}
