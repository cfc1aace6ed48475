package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/ory/fosite/token/jwt"

	"github.com/tokenim/tokenim-auth/storage"
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
// every session of subject when sid is empty. It is signed like the
// client's ID tokens (section 2.4): with the current key of the client's
// id_token_signed_response_alg (RS256 for a client gone since). It has a
// fresh iat, exp and random jti on every call, and never a nonce (section
// 2.4 forbids it).
func (p *Provider) LogoutToken(ctx context.Context, clientID, subject, sid string) (string, error) {
	alg := storage.Client{}.IDTokenAlg()
	switch c, err := p.cfg.Store.GetClient(ctx, clientID); {
	case err == nil:
		alg = c.IDTokenAlg()
	case !errors.Is(err, storage.ErrNotFound):
		return "", fmt.Errorf("oauth: sign a logout token for client %s: %w", clientID, err)
	}
	sg, ok := p.signers[alg]
	if !ok {
		return "", fmt.Errorf("oauth: sign a logout token for client %s: no signing key of its ID token algorithm %q", clientID, alg)
	}
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
	token, _, err := sg.Generate(ctx, claims, &jwt.Headers{Extra: map[string]any{"typ": logoutTokenType}})
	if err != nil {
		return "", fmt.Errorf("oauth: sign a logout token for client %s: %w", clientID, err)
	}
	return token, nil
}
