package oauth

import (
	"context"
	"crypto/sha512"
	"encoding/base64"
	"strings"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/token/hmac"

	"github.com/tokenim/tokenim-auth/provider/secret"
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
//
// Tokens are made by fosite; they are checked by tokenMACs, which
// computes the same HMAC without setting an HMAC up for each token
// (introspection checks one on every call).
type tokenStrategy struct {
	*oauth2.HMACSHAStrategyUnPrefixed
	cfg  *fosite.Config
	macs tokenMACs
	now  func() time.Time
}

var _ oauth2.CoreStrategy = tokenStrategy{}

func newTokenStrategy(cfg *fosite.Config, now func() time.Time) tokenStrategy {
	return tokenStrategy{
		HMACSHAStrategyUnPrefixed: oauth2.NewHMACSHAStrategyUnPrefixed(&hmac.HMACStrategy{Config: cfg}, cfg),
		cfg:                       cfg,
		macs:                      newTokenMACs(append([][]byte{cfg.GlobalSecret}, cfg.RotatedGlobalSecrets...)),
		now:                       now,
	}
}

// tokenMACs checks the tokens of fosite's HMAC strategy (token/hmac):
// base64url(key) "." base64url(HMAC-SHA-512/256 of key under the first
// 32 bytes of a global secret), under the current secret or a rotated
// one. Keys shorter than 32 bytes are left out, as fosite refuses them.
type tokenMACs []*secret.MAC

// tokenKeyLength is the length fosite keys its token HMAC with.
const tokenKeyLength = 32

func newTokenMACs(keys [][]byte) tokenMACs {
	var m tokenMACs
	for _, k := range keys {
		if len(k) >= tokenKeyLength {
			m = append(m, secret.NewMAC(sha512.New512_256, k[:tokenKeyLength]))
		}
	}
	return m
}

var tokenEncoding = base64.RawURLEncoding

// valid reports whether token carries the HMAC of its key under one of
// the secrets. Every secret is tried, whether an earlier one matched or
// not.
func (m tokenMACs) valid(token string) bool {
	key, sig, ok := strings.Cut(token, ".")
	if !ok || key == "" || sig == "" || len(key) > 512 || tokenEncoding.DecodedLen(len(sig)) != sha512.Size256 {
		return false
	}
	var keyBuf [384]byte
	var sigBuf [sha512.Size256]byte
	n, err := tokenEncoding.Decode(keyBuf[:], []byte(key))
	if err != nil {
		return false
	}
	if s, err := tokenEncoding.Decode(sigBuf[:], []byte(sig)); err != nil || s != len(sigBuf) {
		return false
	}
	found := false
	for _, mac := range m {
		if mac.Equal(sigBuf[:], keyBuf[:n]) {
			found = true
		}
	}
	return found
}

// validate is fosite's check of a token's HMAC, with fosite's error.
func (m tokenMACs) validate(token string) error {
	if !m.valid(token) {
		return fosite.ErrTokenSignatureMismatch
	}
	return nil
}

// expired is fosite's expiry rule for a token of kind, by the provider's
// clock: a session without an expiry for the kind expires lifespan after
// the request, or never when lifespan is 0.
func (s tokenStrategy) expired(r fosite.Requester, kind fosite.TokenType, lifespan time.Duration, name string) error {
	exp := r.GetSession().GetExpiresAt(kind)
	if exp.IsZero() {
		if lifespan == 0 {
			return nil
		}
		exp = r.GetRequestedAt().Add(lifespan)
	}
	if exp.Before(s.now().UTC()) {
		return fosite.ErrTokenExpired.WithHintf("%s expired at '%s'.", name, exp)
	}
	return nil
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
	if err := s.expired(r, fosite.AccessToken, s.cfg.GetAccessTokenLifespan(ctx), "Access token"); err != nil {
		return err
	}
	return s.macs.validate(strings.TrimPrefix(token, prefixAccessToken))
}

func (s tokenStrategy) GenerateRefreshToken(ctx context.Context, r fosite.Requester) (string, string, error) {
	token, sig, err := s.HMACSHAStrategyUnPrefixed.GenerateRefreshToken(ctx, r)
	return addPrefix(prefixRefreshToken, token), sig, err
}

// ValidateRefreshToken checks a refresh token; one whose session sets no
// expiry does not expire, as with fosite.
func (s tokenStrategy) ValidateRefreshToken(ctx context.Context, r fosite.Requester, token string) error {
	if err := s.expired(r, fosite.RefreshToken, 0, "Refresh token"); err != nil {
		return err
	}
	return s.macs.validate(strings.TrimPrefix(token, prefixRefreshToken))
}

func (s tokenStrategy) GenerateAuthorizeCode(ctx context.Context, r fosite.Requester) (string, string, error) {
	token, sig, err := s.HMACSHAStrategyUnPrefixed.GenerateAuthorizeCode(ctx, r)
	return addPrefix(prefixAuthorizeCode, token), sig, err
}

// ValidateAuthorizeCode checks a code's expiry by the provider's clock,
// as every other expiry is checked, then the code's HMAC. An expired code
// is fosite.ErrTokenExpired, which the token endpoint explains
// (writeTokenError).
func (s tokenStrategy) ValidateAuthorizeCode(ctx context.Context, r fosite.Requester, token string) error {
	if err := s.expired(r, fosite.AuthorizeCode, s.cfg.GetAuthorizeCodeLifespan(ctx), "Authorize code"); err != nil {
		return err
	}
	return s.macs.validate(strings.TrimPrefix(token, prefixAuthorizeCode))
}
