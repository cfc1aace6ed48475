package oauth

import (
	"context"
	"strings"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/token/hmac"
)

// Token prefixes tell a TokenIM Auth token's kind at a glance and let
// secret scanners find leaked ones.
const (
	prefixAccessToken   = "tkm_at_"
	prefixRefreshToken  = "tkm_rt_"
	prefixAuthorizeCode = "tkm_ac_"
)

// tokenStrategy is fosite's HMAC strategy for opaque tokens with our
// prefixes. The signature, which is all storage keeps, is the HMAC part
// and does not include the prefix. now is the provider's clock.
type tokenStrategy struct {
	*oauth2.HMACSHAStrategyUnPrefixed
	now func() time.Time
}

var _ oauth2.CoreStrategy = tokenStrategy{}

func newTokenStrategy(cfg *fosite.Config, now func() time.Time) tokenStrategy {
	return tokenStrategy{oauth2.NewHMACSHAStrategyUnPrefixed(&hmac.HMACStrategy{Config: cfg}, cfg), now}
}

func addPrefix(prefix, token string) string {
	if token == "" {
		return ""
	}
	return prefix + token
}

func (s tokenStrategy) GenerateAccessToken(ctx context.Context, r fosite.Requester) (string, string, error) {
	token, sig, err := s.HMACSHAStrategyUnPrefixed.GenerateAccessToken(ctx, r)
	return addPrefix(prefixAccessToken, token), sig, err
}

func (s tokenStrategy) ValidateAccessToken(ctx context.Context, r fosite.Requester, token string) error {
	return s.HMACSHAStrategyUnPrefixed.ValidateAccessToken(ctx, r, strings.TrimPrefix(token, prefixAccessToken))
}

func (s tokenStrategy) GenerateRefreshToken(ctx context.Context, r fosite.Requester) (string, string, error) {
	token, sig, err := s.HMACSHAStrategyUnPrefixed.GenerateRefreshToken(ctx, r)
	return addPrefix(prefixRefreshToken, token), sig, err
}

func (s tokenStrategy) ValidateRefreshToken(ctx context.Context, r fosite.Requester, token string) error {
	return s.HMACSHAStrategyUnPrefixed.ValidateRefreshToken(ctx, r, strings.TrimPrefix(token, prefixRefreshToken))
}

func (s tokenStrategy) GenerateAuthorizeCode(ctx context.Context, r fosite.Requester) (string, string, error) {
	token, sig, err := s.HMACSHAStrategyUnPrefixed.GenerateAuthorizeCode(ctx, r)
	return addPrefix(prefixAuthorizeCode, token), sig, err
}

// ValidateAuthorizeCode checks a code's expiry by the provider's clock,
// as every other expiry is checked, before fosite checks it by time.Now
// and checks the code. An expired code is fosite.ErrTokenExpired, which
// the token endpoint explains (writeTokenError).
func (s tokenStrategy) ValidateAuthorizeCode(ctx context.Context, r fosite.Requester, token string) error {
	if exp := r.GetSession().GetExpiresAt(fosite.AuthorizeCode); !exp.IsZero() && exp.Before(s.now().UTC()) {
		return fosite.ErrTokenExpired.WithHintf("Authorize code expired at '%s'.", exp)
	}
	return s.HMACSHAStrategyUnPrefixed.ValidateAuthorizeCode(ctx, r, strings.TrimPrefix(token, prefixAuthorizeCode))
}
